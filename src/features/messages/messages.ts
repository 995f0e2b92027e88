// Messages (e-mail and SMS) to families and staff: pure rules and the words. No I/O; `now` is passed in.
// A message is rendered when it is put in the outbox (so the staff page shows what went out) from a payload that is
// kept beside it, so a later change can render it again (afbud gathered, a correction of a moved meeting).
// Plain language for families (LIX ≤ 35); first names only; never a child's full name in a subject or an SMS.
import { z } from 'astro/zod';
import type { Locale } from '../../lib/time';
import type { EnrollmentEventType } from '../lifecycle/lifecycle';
import { addDays, clockMinutes, formatDate, formatTime, formatTimeRange, instantToZoned, parseClock, zonedToInstant } from '../../lib/time';

export type MessageChannel = 'email' | 'sms';
export type ContactChoice = MessageChannel | 'none';
export type MessageStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'unsent';

/** What a caseworker hears about their referral, in the order a course goes. */
export type CaseworkerEvent =
  | 'intake_booked' | 'waiting' | 'admitted' | 'declined' | 'closing_booked' | 'ended';

/** The template's input, kept in the outbox row as JSON. Instants are ISO strings. */
export type MessagePayload =
  | { kind: 'meeting_changed'; change: 'moved' | 'cancelled' | 'restored'; audience: 'family' | 'leader'; groupName: string; startsAt: string; endsAt: string; place: string; reason: string | null }
  | { kind: 'reminder'; groupName: string; firstName: string; startsAt: string; endsAt: string; place: string }
  | { kind: 'afbud'; groupName: string; items: { firstName: string; startsAt: string; message: string | null }[] }
  | { kind: 'family_link'; firstName: string; url: string }
  | { kind: 'staff_link'; purpose: 'setup' | 'reset'; name: string; url: string }
  | { kind: 'referral_receipt'; reference: string; groupName: string; firstName: string }
  | { kind: 'parent_request_receipt'; groupName: string; firstName: string }
  /** The closing summary reached the referring caseworker: a link to their referral page, never the summary itself. */
  | { kind: 'summary_ready'; reference: string; groupName: string; firstName: string; commented: boolean; url: string }
  | {
      kind: 'caseworker_update'; event: CaseworkerEvent; reference: string; groupName: string; firstName: string;
      startsAt: string | null; endsAt: string | null; place: string | null; reason: string | null; window: string | null;
    };

export type MessageKind = MessagePayload['kind'];

/**
 * What the referring caseworker hears at each step of the course lifecycle (features/lifecycle STEPS), or null for a
 * step they do not hear of on its own. Total over the steps: a new step in the lifecycle fails to compile here until
 * someone decides whether it tells the caseworker. Holding the intake conversation says nothing by itself: its
 * outcome (waiting list or declined) is the next step, taken in the same change.
 */
export const CASEWORKER_NOTICES: { readonly [T in EnrollmentEventType]: CaseworkerEvent | null } = {
  book_intake: 'intake_booked',
  rebook_intake: 'intake_booked',
  hold_intake: null,
  place_on_waiting_list: 'waiting',
  start: 'admitted',
  book_closing: 'closing_booked',
  end: 'ended',
  // The girls' group may end without a closing conversation: for the caseworker the course has ended all the same.
  end_without_closing: 'ended',
  // The course goes on in the other band, on its waiting list: nothing ended for the caseworker.
  move_band: null,
  decline: 'declined',
  withdraw: 'ended',
};

/** The notices a change made of these steps sends, in order, each once. */
export function caseworkerNotices(steps: readonly EnrollmentEventType[]): CaseworkerEvent[] {
  const notices = steps.map((s) => CASEWORKER_NOTICES[s]).filter((n): n is CaseworkerEvent => n !== null);
  return [...new Set(notices)];
}

/** The kinds a guardian may turn off (they carry an unsubscribe link and a List-Unsubscribe header). */
export const OPTIONAL_KINDS: readonly MessageKind[] = ['meeting_changed', 'reminder'];

export function isOptional(kind: MessageKind): boolean {
  return OPTIONAL_KINDS.includes(kind);
}

export const KIND_LABELS: Record<MessageKind, string> = {
  meeting_changed: 'Møde flyttet eller aflyst',
  reminder: 'Påmindelse',
  afbud: 'Afbud til ledere',
  family_link: 'Familielink',
  staff_link: 'Link til medarbejder',
  referral_receipt: 'Kvittering for henvisning',
  parent_request_receipt: 'Kvittering til forælder',
  caseworker_update: 'Besked til rådgiver',
  summary_ready: 'Opsummering til rådgiver',
};

export const STATUS_LABELS: Record<MessageStatus, string> = {
  pending: 'Venter',
  sending: 'Sendes nu',
  sent: 'Sendt',
  failed: 'Ikke sendt (fejl)',
  unsent: 'Ikke sendt (ingen forbindelse sat op)',
};

// ---------------------------------------------------------------------------------------------
// Timing rules

/** Tries before a message is given up (and shown to the coordinator as failed). */
export const MAX_ATTEMPTS = 6;
/** How long a worker holds a claimed message before another may take it (a crash mid-send). */
export const LEASE_MS = 2 * 60 * 1000;
/** A change of a meeting waits this long, so a correction replaces it before it goes. */
export const CHANGE_DELAY_MS = 3 * 60 * 1000;
/** Afbud to the leaders wait this long, so several close together go as one e-mail. */
export const AFBUD_GATHER_MS = 10 * 60 * 1000;

export const RETRY_BASE_MS = 30_000;

/** The wait before try number `attempts + 1`: 30 s, 1 min, 2 min, … at most an hour. */
export function retryDelayMs(attempts: number, baseMs = RETRY_BASE_MS): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), 60 * 60 * 1000);
}

/** No message to a family between 21.00 and 08.00 Copenhagen time. */
export const QUIET_FROM = '21:00';
export const QUIET_UNTIL = '08:00';

export function isQuietTime(at: Date): boolean {
  const minutes = clockMinutes(instantToZoned(at).time);
  return minutes >= clockMinutes(QUIET_FROM) || minutes < clockMinutes(QUIET_UNTIL);
}

/** The first moment at or after `at` outside the quiet hours. */
export function nextDaytime(at: Date): Date {
  if (!isQuietTime(at)) return at;
  const { date, time } = instantToZoned(at);
  const day = clockMinutes(time) >= clockMinutes(QUIET_FROM) ? addDays(date, 1) : date;
  return zonedToInstant(day, QUIET_UNTIL);
}

export interface ReminderSetting {
  daysBefore: number;
  time: string;
}

export const DEFAULT_REMINDER: ReminderSetting = { daysBefore: 1, time: '16:00' };

/**
 * When the reminder for a meeting goes: `daysBefore` days before at `time` (Copenhagen), moved out of the quiet hours;
 * null when that is not before the meeting begins.
 */
export function reminderTime(startsAt: Date, setting: ReminderSetting): Date | null {
  const day = addDays(instantToZoned(startsAt).date, -setting.daysBefore);
  const at = nextDaytime(zonedToInstant(day, setting.time));
  return at.getTime() < startsAt.getTime() ? at : null;
}

export const reminderSettingSchema = z.object({
  groupId: z.string().min(1).max(100),
  daysBefore: z.coerce.number({ message: 'Skriv et tal fra 0 til 7.' }).int('Skriv et helt tal.').min(0, 'Skriv et tal fra 0 til 7.').max(7, 'Skriv et tal fra 0 til 7.'),
  time: z
    .string()
    .trim()
    .refine((v) => parseClock(v) !== null, 'Skriv et klokkeslæt som 16:00.')
    .transform((v) => parseClock(v) ?? v)
    .refine((v) => !isQuietTime(zonedToInstant('2026-06-01', v)), 'Vi sender ikke beskeder mellem kl. 21 og 8. Vælg et tidspunkt fra 08:00 til 20:59.'),
});

// ---------------------------------------------------------------------------------------------
// Addresses

/** A Danish mobile number as +45 and 8 digits, or null. Accepts spaces, dashes, 0045 and 45 in front. */
export function normaliseDanishPhone(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let digits = raw.replace(/[\s\-().]/g, '');
  if (digits.startsWith('+')) digits = digits.slice(1);
  else if (digits.startsWith('00')) digits = digits.slice(2);
  if (digits.length === 10 && digits.startsWith('45')) digits = digits.slice(2);
  if (!/^[2-9]\d{7}$/.test(digits)) return null;
  return `+45${digits}`;
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

export function isEmailAddress(raw: string | null | undefined): raw is string {
  return typeof raw === 'string' && EMAIL.test(raw.trim());
}

/** An address for the staff page and the log: enough to know whom, not the whole address. */
export function maskRecipient(recipient: string): string {
  if (recipient.includes('@')) {
    const [local = '', domain = ''] = recipient.split('@');
    return `${local.slice(0, 2)}…@${domain}`;
  }
  return `${recipient.slice(0, 5)}…${recipient.slice(-2)}`;
}

// ---------------------------------------------------------------------------------------------
// SMS length

// GSM 03.38 basic set (æ, ø, å are in it) and the extension characters that take two places.
const GSM_BASIC = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€';

/** How many SMS parts a text takes: 160/153 characters in GSM-7, 70/67 otherwise. */
export function smsSegments(text: string): number {
  let units = 0;
  let gsm = true;
  for (const ch of text) {
    if (GSM_BASIC.includes(ch)) units += 1;
    else if (GSM_EXTENDED.includes(ch)) units += 2;
    else gsm = false;
  }
  if (!gsm) {
    const length = [...text].length;
    return length <= 70 ? 1 : Math.ceil(length / 67);
  }
  return units <= 160 ? 1 : Math.ceil(units / 153);
}

export const MAX_SMS_SEGMENTS = 2;

/** Shortens a text (at a word) until it fits in two SMS parts. */
export function fitSms(text: string): string {
  if (smsSegments(text) <= MAX_SMS_SEGMENTS) return text;
  let cut = text;
  while (smsSegments(`${cut}…`) > MAX_SMS_SEGMENTS && cut.length > 0) {
    const space = cut.lastIndexOf(' ');
    cut = space > 0 ? cut.slice(0, space) : cut.slice(0, -1);
  }
  return `${cut}…`;
}

// ---------------------------------------------------------------------------------------------
// Words

export interface RenderContext {
  language: Locale;
  /** The centre's phone, for "ring til os". */
  phone: string;
  /** The link in optional e-mails that turns messages off, or null. */
  unsubscribeUrl: string | null;
}

export interface RenderedMessage {
  subject: string;
  /** Paragraphs; a paragraph that is only a URL becomes a link in the HTML part. */
  paragraphs: string[];
}

function when(startsAt: string, endsAt: string, language: Locale): string {
  const start = new Date(startsAt);
  return `${formatDate(start, language)} ${language === 'da' ? 'kl.' : 'at'} ${formatTimeRange(start, new Date(endsAt), language)}`;
}

function at(startsAt: string, language: Locale): string {
  const start = new Date(startsAt);
  return `${formatDate(start, language)} ${language === 'da' ? 'kl.' : 'at'} ${formatTime(start, language)}`;
}

const CASEWORKER_SUBJECTS: Record<CaseworkerEvent, { da: string; en: string }> = {
  intake_booked: { da: 'Første samtale er aftalt', en: 'First conversation booked' },
  waiting: { da: 'Venteliste', en: 'Waiting list' },
  admitted: { da: 'Der er en plads', en: 'A place is ready' },
  declined: { da: 'Ingen plads', en: 'No place' },
  closing_booked: { da: 'Sidste samtale er aftalt', en: 'Last conversation booked' },
  ended: { da: 'Forløbet er slut', en: 'The course has ended' },
};

function caseworkerLines(p: Extract<MessagePayload, { kind: 'caseworker_update' }>, l: Locale): string[] {
  const da = l === 'da';
  const meeting = p.startsAt && p.endsAt ? `${when(p.startsAt, p.endsAt, l)}${p.place ? (da ? `, ${p.place}` : `, ${p.place}`) : ''}.` : '';
  switch (p.event) {
    case 'intake_booked':
      return da
        ? [`Vi har aftalt den første samtale om ${p.firstName} (${p.reference}) i ${p.groupName}.`, `Tid og sted: ${meeting}`, 'Du er velkommen til at komme med.']
        : [`We have booked the first conversation about ${p.firstName} (${p.reference}) in ${p.groupName}.`, `Time and place: ${meeting}`, 'You are welcome to join.'];
    case 'waiting':
      return da
        ? [`${p.firstName} (${p.reference}) står på venteliste til ${p.groupName}.`, p.window ? `Vi venter at kunne give en plads fra ${p.window}.` : 'Vi skriver, når der er en plads.']
        : [`${p.firstName} (${p.reference}) is on the waiting list for ${p.groupName}.`, p.window ? `We expect a place from ${p.window}.` : 'We will write when there is a place.'];
    case 'admitted':
      return da
        ? [`${p.firstName} (${p.reference}) har fået en plads i ${p.groupName}.`, meeting ? `Første møde: ${meeting}` : 'Vi skriver, når første møde er sat.']
        : [`${p.firstName} (${p.reference}) has a place in ${p.groupName}.`, meeting ? `First meeting: ${meeting}` : 'We will write when the first meeting is set.'];
    case 'declined':
      return da
        ? [`${p.firstName} (${p.reference}) får ikke en plads i ${p.groupName}.`, p.reason ? `Grunden: ${p.reason}` : 'Ring til os, hvis du vil høre mere.']
        : [`${p.firstName} (${p.reference}) will not get a place in ${p.groupName}.`, p.reason ? `The reason: ${p.reason}` : 'Call us if you want to know more.'];
    case 'closing_booked':
      return da
        ? [`Vi har aftalt den sidste samtale om ${p.firstName} (${p.reference}) i ${p.groupName}.`, `Tid og sted: ${meeting}`, 'Du er velkommen til at komme med.']
        : [`We have booked the last conversation about ${p.firstName} (${p.reference}) in ${p.groupName}.`, `Time and place: ${meeting}`, 'You are welcome to join.'];
    case 'ended':
      return da
        ? [`${p.firstName} (${p.reference}) er færdig i ${p.groupName}.`, p.reason ? `Grunden: ${p.reason}` : 'Tak for hjælpen.']
        : [`The course for ${p.firstName} (${p.reference}) in ${p.groupName} has ended.`, p.reason ? `The reason: ${p.reason}` : 'Thank you for working with us.'];
  }
}

/**
 * Where the family page's link stands in a message to a family. The stored message keeps only this mark (staff read
 * the outbox; the link is the family's key); the worker puts the child's current link in as it sends
 * (`fillFamilyLink`), so a message written before the link was replaced carries the new one.
 */
export const FAMILY_LINK_SLOT = '[linket til jeres side]';

const NO_LINK: Record<Locale, string> = { da: 'Brug linket, du har fået fra os.', en: 'Use the link we gave you.' };

/** A message's text and HTML with the family link (or, when the child has no link we can open, a plain sentence). */
export function fillFamilyLink(
  body: { channel: MessageChannel; text: string; html: string | null },
  url: string | null,
  language: Locale,
): { text: string; html: string | null } {
  if (!body.text.includes(FAMILY_LINK_SLOT)) return { text: body.text, html: body.html };
  const text = body.text.replaceAll(FAMILY_LINK_SLOT, url ?? NO_LINK[language]);
  const html = body.html?.replaceAll(
    `<p>${escapeHtml(FAMILY_LINK_SLOT)}</p>`,
    url ? `<p><a href="${escapeHtml(url)}">${escapeHtml(url)}</a></p>` : `<p>${escapeHtml(NO_LINK[language])}</p>`,
  ) ?? null;
  return { text: body.channel === 'sms' ? fitSms(text) : text, html };
}

/** The subject and paragraphs of a message, in the recipient's language. */
export function renderMessage(payload: MessagePayload, ctx: RenderContext): RenderedMessage {
  const l = ctx.language;
  const da = l === 'da';
  const callUs = da ? `Har du spørgsmål? Ring til os på ${ctx.phone}.` : `Questions? Call us on ${ctx.phone}.`;
  const stop = ctx.unsubscribeUrl
    ? [da ? 'Vil du ikke have flere beskeder? Tryk her:' : 'No more messages? Tap here:', ctx.unsubscribeUrl]
    : [];
  switch (payload.kind) {
    case 'meeting_changed': {
      const place = da ? `Sted: ${payload.place}.` : `Place: ${payload.place}.`;
      const reason = payload.reason ? [da ? `Grunden: ${payload.reason}` : `The reason: ${payload.reason}`] : [];
      const fromUs = payload.audience === 'family'
        ? [da ? 'Du kan se alle møder på din side:' : 'You can see all meetings on your page:', FAMILY_LINK_SLOT, callUs]
        : [];
      if (payload.change === 'cancelled') {
        return {
          subject: da ? `Aflyst: ${payload.groupName} ${formatDate(new Date(payload.startsAt), l)}` : `Cancelled: ${payload.groupName} ${formatDate(new Date(payload.startsAt), l)}`,
          paragraphs: [
            da ? `Mødet i ${payload.groupName} ${at(payload.startsAt, l)} er aflyst.` : `The meeting in ${payload.groupName} on ${at(payload.startsAt, l)} is cancelled.`,
            ...reason, ...fromUs, ...stop,
          ],
        };
      }
      const lead = payload.change === 'moved'
        ? (da ? `Mødet i ${payload.groupName} er flyttet.` : `The meeting in ${payload.groupName} has moved.`)
        : (da ? `Mødet i ${payload.groupName} bliver holdt alligevel.` : `The meeting in ${payload.groupName} will take place after all.`);
      return {
        subject: payload.change === 'moved'
          ? (da ? `Ny tid: ${payload.groupName} ${formatDate(new Date(payload.startsAt), l)}` : `New time: ${payload.groupName} ${formatDate(new Date(payload.startsAt), l)}`)
          : (da ? `Mødet holdes: ${payload.groupName}` : `Meeting on: ${payload.groupName}`),
        paragraphs: [lead, da ? `Ny tid: ${when(payload.startsAt, payload.endsAt, l)}.` : `New time: ${when(payload.startsAt, payload.endsAt, l)}.`, place, ...reason, ...fromUs, ...stop],
      };
    }
    case 'reminder':
      return {
        subject: da ? `Husk: ${payload.groupName} ${formatDate(new Date(payload.startsAt), l)}` : `Reminder: ${payload.groupName} ${formatDate(new Date(payload.startsAt), l)}`,
        paragraphs: [
          da ? `Husk mødet i ${payload.groupName} for ${payload.firstName}.` : `Remember the meeting in ${payload.groupName} for ${payload.firstName}.`,
          da ? `Tid: ${when(payload.startsAt, payload.endsAt, l)}.` : `Time: ${when(payload.startsAt, payload.endsAt, l)}.`,
          da ? `Sted: ${payload.place}.` : `Place: ${payload.place}.`,
          da ? 'Kan dit barn ikke komme? Meld afbud på din side:' : 'Can your child not come? Say so on your page:',
          FAMILY_LINK_SLOT,
          ...stop,
        ],
      };
    case 'afbud': {
      const lines = payload.items.map((i) => `${i.firstName}, ${at(i.startsAt, l)}${i.message ? ` (»${i.message}«)` : ''}`);
      return {
        subject: da
          ? `Afbud: ${payload.items.length === 1 ? '1 barn' : `${payload.items.length} børn`}, ${payload.groupName}`
          : `Absence: ${payload.items.length === 1 ? '1 child' : `${payload.items.length} children`}, ${payload.groupName}`,
        paragraphs: [
          da ? `Der er afbud til ${payload.groupName}:` : `Absence reported for ${payload.groupName}:`,
          ...lines,
          da ? 'Du kan se hele listen under Fremmøde.' : 'See the whole list under attendance.',
        ],
      };
    }
    case 'family_link':
      return {
        subject: da ? 'Dit link til Familiecentret' : 'Your link to the family centre',
        paragraphs: [
          da ? `Her er linket til ${payload.firstName}s side hos os.` : `Here is the link to ${payload.firstName}'s page with us.`,
          da ? 'Her kan du se møderne og melde afbud.' : 'Here you can see the meetings and say if your child cannot come.',
          payload.url,
          da ? 'Linket er kun til dig. Giv det ikke til andre.' : 'The link is only for you. Do not give it to others.',
          callUs,
        ],
      };
    case 'staff_link':
      return {
        subject: payload.purpose === 'setup' ? 'Din adgang til Gruppeforløb' : 'Ny adgangskode til Gruppeforløb',
        paragraphs: [
          `Hej ${payload.name}`,
          payload.purpose === 'setup'
            ? 'Du er oprettet i Gruppeforløb. Vælg din adgangskode med linket her:'
            : 'Du kan vælge en ny adgangskode med linket her:',
          payload.url,
          'Linket virker én gang og i 7 dage. Har du ikke bedt om det, så sig det til din koordinator.',
        ],
      };
    case 'referral_receipt':
      return {
        subject: da ? `Henvisning modtaget: ${payload.reference}` : `Referral received: ${payload.reference}`,
        paragraphs: [
          da ? `Tak. Vi har fået din henvisning af ${payload.firstName} til ${payload.groupName}.` : `Thank you. We have your referral of ${payload.firstName} to ${payload.groupName}.`,
          da ? `Nummer: ${payload.reference}.` : `Reference: ${payload.reference}.`,
          da ? 'Vi skriver til dig, når der sker noget nyt.' : 'We will write to you when something happens.',
        ],
      };
    case 'parent_request_receipt':
      return {
        subject: da ? `Tak for dit ønske: ${payload.groupName}` : `Thank you: ${payload.groupName}`,
        paragraphs: [
          da ? `Tak. Vi har fået dit ønske om en plads til ${payload.firstName} i ${payload.groupName}.` : `Thank you. We have your request for a place for ${payload.firstName} in ${payload.groupName}.`,
          da ? 'Vi ringer til dig inden for 14 dage.' : 'We will call you within 14 days.',
          callUs,
        ],
      };
    case 'caseworker_update':
      return {
        subject: `${CASEWORKER_SUBJECTS[payload.event][l]}: ${payload.reference}`,
        paragraphs: caseworkerLines(payload, l),
      };
    case 'summary_ready':
      return {
        subject: da ? `Opsummering klar: ${payload.reference}` : `Summary ready: ${payload.reference}`,
        paragraphs: da
          ? [
            `Forløbet for ${payload.firstName} (${payload.reference}) i ${payload.groupName} er slut. Nu kan du læse vores opsummering.`,
            payload.commented ? 'Familien har læst den og skrevet en kommentar til den.' : 'Familien har læst den og siger god for den.',
            'Du finder den på siden om henvisningen:',
            payload.url,
          ]
          : [
            `The course for ${payload.firstName} (${payload.reference}) in ${payload.groupName} has ended. You can now read our summary.`,
            payload.commented ? 'The family has read it and added a comment.' : 'The family has read it and agrees with it.',
            'You find it on the page about the referral:',
            payload.url,
          ],
      };
  }
}

/** The plain-text part (and an SMS): paragraphs with a blank line between. */
export function plainText(message: RenderedMessage): string {
  return message.paragraphs.join('\n\n');
}

/** The SMS text: the paragraphs without the subject, shortened to fit two parts. */
export function smsText(message: RenderedMessage): string {
  return fitSms(message.paragraphs.join('\n'));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** The HTML part: the same paragraphs, a bare URL as a link. */
export function htmlPart(message: RenderedMessage, language: Locale): string {
  const body = message.paragraphs
    .map((p) => (/^https?:\/\/\S+$/.test(p) ? `<p><a href="${escapeHtml(p)}">${escapeHtml(p)}</a></p>` : `<p>${escapeHtml(p)}</p>`))
    .join('\n');
  return `<!doctype html>\n<html lang="${language}"><head><meta charset="utf-8"><title>${escapeHtml(message.subject)}</title></head>\n<body style="font-family: sans-serif; font-size: 16px; line-height: 1.5">\n${body}\n</body></html>`;
}

/** A stable Message-ID per outbox row, so a message sent twice after a crash is folded by mail clients. */
export function messageIdFor(outboxId: string, mailFrom: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(mailFrom)?.[1] ?? 'gruppeforlob.invalid';
  return `<${outboxId}@${domain}>`;
}

// ---------------------------------------------------------------------------------------------
// The guardian's choice (family page)

export const consentSchema = z.object({
  guardianId: z.string().min(1).max(100),
  channel: z.enum(['email', 'sms', 'none'], { message: 'Vælg e-mail, SMS eller ingen beskeder.' }),
  reminders: z
    .string()
    .optional()
    .transform((v) => v === 'ja'),
});

export type ConsentInput = z.infer<typeof consentSchema>;

export const CONSENT_TEXT = {
  da: {
    title: 'Beskeder fra os',
    intro: 'Vi kan skrive til dig, når et møde flytter eller bliver aflyst. Du vælger selv hvordan.',
    email: 'E-mail',
    sms: 'SMS',
    none: 'Ingen beskeder',
    reminders: 'Send også en påmindelse før hvert møde',
    save: 'Gem',
    saved: 'Tak. Dit valg er gemt.',
    noEmail: 'Vi har ikke din e-mail. Ring til os, så skriver vi den på.',
    noPhone: 'Vi har ikke dit nummer. Ring til os, så skriver vi det på.',
    chosen: (at: string) => `Valgt ${at}.`,
  },
  en: {
    title: 'Messages from us',
    intro: 'We can write to you when a meeting moves or is cancelled. You choose how.',
    email: 'E-mail',
    sms: 'Text message',
    none: 'No messages',
    reminders: 'Also send a reminder before each meeting',
    save: 'Save',
    saved: 'Thank you. Your choice is saved.',
    noEmail: 'We do not have your e-mail. Call us and we will add it.',
    noPhone: 'We do not have your number. Call us and we will add it.',
    chosen: (at: string) => `Chosen ${at}.`,
  },
} as const;

export const UNSUBSCRIBE_TEXT = {
  da: {
    title: 'Afmeld beskeder',
    intro: 'Vil du ikke have flere beskeder fra os om møderne? Tryk på knappen.',
    button: 'Afmeld beskeder',
    done: 'Du får ikke flere beskeder fra os. Du kan vælge dem igen på din side.',
    gone: 'Linket virker ikke. Ring til os, så hjælper vi.',
  },
  en: {
    title: 'Stop messages',
    intro: 'Do you want no more messages from us about the meetings? Press the button.',
    button: 'Stop messages',
    done: 'You will get no more messages from us. You can choose them again on your page.',
    gone: 'The link does not work. Call us and we will help.',
  },
} as const;
