// A real SMTP server (smtp-server, parsed with mailparser) and a local SMS gateway (node:http) that keep what
// arrives: in memory, and as one JSON file per message in a folder when one is given, so a test in another process
// (the browser tests' global setup owns the servers) can read it too.
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Received {
  channel: 'email' | 'sms';
  to: string;
  subject: string;
  text: string;
  html: string | null;
  messageId: string | null;
  listUnsubscribe: string | null;
  contentLanguage: string | null;
  from: string | null;
  /** The gateway's Authorization header (SMS). */
  authorization: string | null;
  at: number;
}

export interface Mailbox {
  smtpUrl: string;
  smsUrl: string;
  received: Received[];
  /** Makes the next `n` SMTP deliveries fail with a temporary error (451). */
  failNext(n: number): void;
  close(): Promise<void>;
}

/** `slowMs`: each e-mail is answered this much later (so two senders' batches overlap in time). */
export async function startMailbox(options: { dir?: string; slowMs?: number } = {}): Promise<Mailbox> {
  const received: Received[] = [];
  let failures = 0;
  let counter = 0;
  if (options.dir) mkdirSync(options.dir, { recursive: true });
  const keep = (item: Received): void => {
    received.push(item);
    if (options.dir) {
      // Written under another name and renamed, so a test reading the folder never sees half a message.
      const name = join(options.dir, `${Date.now()}-${process.pid}-${++counter}.json`);
      writeFileSync(`${name}.part`, JSON.stringify(item));
      renameSync(`${name}.part`, name);
    }
  };

  const smtp = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? 'anyone' });
    },
    onData(stream, session, callback) {
      if (failures > 0) {
        failures -= 1;
        stream.resume();
        stream.on('end', () => {
          const error = new Error('Midlertidig fejl i testserveren') as Error & { responseCode: number };
          error.responseCode = 451;
          callback(error);
        });
        return;
      }
      simpleParser(stream)
        .then(async (mail) => {
          if (options.slowMs) await new Promise((r) => setTimeout(r, options.slowMs));
          const header = (name: string): string | null => {
            const value = mail.headers.get(name);
            return value === undefined ? null : String(value);
          };
          keep({
            channel: 'email',
            to: session.envelope.rcptTo.map((r) => r.address).join(','),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : null,
            messageId: mail.messageId ?? null,
            listUnsubscribe: mail.headerLines.find((l) => l.key === 'list-unsubscribe')?.line.replace(/^List-Unsubscribe:\s*/i, '') ?? null,
            contentLanguage: header('content-language'),
            from: mail.from?.text ?? null,
            authorization: null,
            at: Date.now(),
          });
          callback();
        })
        .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
    },
  });
  // A sender that dies mid-delivery (the outbox test kills one with SIGKILL) resets its connection; smtp-server
  // passes that on as the server's 'error' event, which would end this process if nobody listened. A real mail
  // server logs it and goes on serving the others; so does this one (anything else is still thrown).
  smtp.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') throw error;
  });
  await new Promise<void>((done) => smtp.listen(0, '127.0.0.1', () => done()));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const gateway: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      try {
        const parsed = JSON.parse(body) as { message: string; recipients: { msisdn: number }[] };
        for (const r of parsed.recipients) {
          keep({
            channel: 'sms', to: `+${r.msisdn}`, subject: '', text: parsed.message, html: null, messageId: null, listUnsubscribe: null,
            contentLanguage: null, from: null, authorization: req.headers.authorization ?? null, at: Date.now(),
          });
        }
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ids: [received.length] }));
      } catch {
        res.writeHead(400).end('bad json');
      }
    });
  });
  await new Promise<void>((done) => gateway.listen(0, '127.0.0.1', () => done()));
  const smsPort = (gateway.address() as AddressInfo).port;

  return {
    smtpUrl: `smtp://test:test@127.0.0.1:${smtpPort}`,
    smsUrl: `http://127.0.0.1:${smsPort}/rest/mtsms`,
    received,
    failNext(n) {
      failures = n;
    },
    async close() {
      await new Promise<void>((done) => smtp.close(() => done()));
      gateway.closeAllConnections();
      await new Promise<void>((done) => gateway.close(() => done()));
    },
  };
}

/** Everything that arrived in a mailbox folder so far. */
export function readMailboxDir(dir: string): Received[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return names.map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as Received);
}

/** Waits until a message matching `match` has arrived (read by `read`), or fails after `timeoutMs`. */
export async function waitForMessage(read: () => Received[], match: (m: Received) => boolean, timeoutMs = 15_000): Promise<Received> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = read().find(match);
    if (found) return found;
    if (Date.now() > deadline) {
      const seen = read().map((m) => `${m.channel} → ${m.to}: ${m.subject || m.text.slice(0, 40)}`).join('\n');
      throw new Error(`No matching message within ${timeoutMs} ms. Arrived:\n${seen}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
