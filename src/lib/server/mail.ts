// The one module that talks to nodemailer: e-mail out over SMTP (SMTP_URL=smtp://user:pass@host:port, MAIL_FROM).
// A pooled connection (a few at a time), so a batch of messages does not open one connection each.
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string | null;
  /** Stable per outbox row: a resend after a crash has the same Message-ID and mail clients fold the two. */
  messageId: string;
  language: string;
  /** For optional messages: the page that turns them off (List-Unsubscribe). */
  unsubscribeUrl: string | null;
}

export interface MailSender {
  /** Where mail goes, without the password, for the log. */
  describe: string;
  from: string;
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export const DEFAULT_MAIL_FROM = 'Familiecentret <ikke-svar@gruppeforlob.invalid>';

function withPool(url: string): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('pool')) parsed.searchParams.set('pool', 'true');
  if (!parsed.searchParams.has('maxConnections')) parsed.searchParams.set('maxConnections', '3');
  return parsed.toString();
}

/** A sender for SMTP_URL, or null when it is not set (messages then stay in the outbox, marked unsent). */
export function createMailSender(url: string | undefined, from: string | undefined): MailSender | null {
  if (!url || url.trim() === '') return null;
  const transport = nodemailer.createTransport(withPool(url.trim()));
  const sender = from?.trim() || DEFAULT_MAIL_FROM;
  const safe = new URL(url.trim());
  return {
    describe: `${safe.protocol}//${safe.host}`,
    from: sender,
    async send(mail) {
      await transport.sendMail({
        from: sender,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        ...(mail.html ? { html: mail.html } : {}),
        messageId: mail.messageId,
        headers: {
          'Content-Language': mail.language,
          'Auto-Submitted': 'auto-generated',
          ...(mail.unsubscribeUrl ? { 'List-Unsubscribe': `<${mail.unsubscribeUrl}>` } : {}),
        },
      });
    },
    close() {
      transport.close();
    },
  };
}
