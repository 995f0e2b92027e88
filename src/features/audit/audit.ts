import { z } from 'astro/zod';
import { toExcelCsv } from '../../lib/csv';
import { addDays, instantToZoned, parseIsoDate, zonedToInstant, type IsoDate } from '../../lib/time';

export type AuditAction = 'read' | 'create' | 'update' | 'delete' | 'sign_in' | 'sign_out' | 'export';

export interface AuditEntry {
  action: AuditAction;
  entityType: string;
  entityId: string | null;
  /** Set whenever the entry concerns a child's record, so the trail can be filtered per child. */
  childId?: string | null;
  detail?: string | null;
}

// ---------------------------------------------------------------------------------------------
// Reading the trail: the coordinator's filter, one page at a time, and the CSV export.


export const AUDIT_PAGE_SIZE = 50;

export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = {
  read: 'Læst',
  create: 'Oprettet',
  update: 'Ændret',
  delete: 'Slettet',
  sign_in: 'Logget ind',
  sign_out: 'Logget ud',
  export: 'Eksporteret',
};

/** A label for any stored action; the trail may hold actions added after this list. */
export function auditActionLabel(action: string): string {
  return (AUDIT_ACTION_LABELS as Record<string, string>)[action] ?? action;
}

// ---------------------------------------------------------------------------------------------
// Each entry as a Danish sentence: the log and the insight page (printed for families) never show code words.

const ENTITY_NOUNS: Record<string, string> = {
  app_settings: 'indstillingerne',
  attendance: 'fremmøde',
  attendance_sheet: 'fremmødelisten',
  audit_log: 'loggen',
  child: 'barnets oplysninger',
  closed_period: 'en lukket periode',
  conversation: 'en samtale',
  demo: 'demodata',
  enrollment: 'forløbet',
  family_link: 'familielinket',
  feed_token: 'et kalenderlink',
  figures: 'tallene',
  group: 'en gruppe',
  referral: 'henvisningen',
  referral_list: 'listen over henvisninger',
  meeting: 'et gruppemøde',
  meeting_note: 'noten om et gruppemøde',
  // Entries written before the meeting was called a meeting in code (1 December 2026) keep their old words.
  session: 'et gruppemøde',
  session_note: 'noten om et gruppemøde',
  user: 'en medarbejder',
  waiting_list: 'ventelisten',
};

const ACTION_VERBS: Record<AuditAction, string> = {
  read: 'Så',
  create: 'Oprettede',
  update: 'Ændrede',
  delete: 'Slettede',
  sign_in: 'Loggede ind',
  sign_out: 'Loggede ud',
  export: 'Hentede',
};

const MARK_WORDS: Record<string, string> = { present: 'mødt', absent: 'udeblevet', excused: 'afbud', unregistered: 'ikke registreret' };
const KIND_WORDS: Record<string, string> = { intake: 'Indledende samtale', parent: 'Forældresamtale', closing: 'Afsluttende samtale' };
const EVENT_WORDS: Record<string, string> = {
  book_intake: 'samtale aftalt', rebook_intake: 'samtale flyttet', hold_intake: 'samtale holdt', intake_outcome: 'udfald af samtalen skrevet',
  place_on_waiting_list: 'sat på ventelisten', start: 'startet i gruppen', book_closing: 'afsluttende samtale aftalt', end: 'forløbet afsluttet',
  move_band: 'flyttet til en anden gruppe', decline: 'afvist', withdraw: 'trukket tilbage', age_exception: 'undtagelse for alderen',
};
const WORDS: Record<string, string> = {
  caseworker: 'familierådgiver', parent: 'forælder', leader: 'gruppeleder', coordinator: 'koordinator',
  // The coordinator's role was coded 'admin' in entries written before 1 December 2026.
  admin: 'koordinator', retention: 'opbevaringstiden er udløbet',
};

/** Replaces the few code words short text details may carry ("rolle caseworker", "H-2026-0001 (parent)"). */
function plainWords(text: string): string {
  return text.replace(/\b(caseworker|parent|leader|coordinator|admin|retention)\b/g, (w) => WORDS[w] ?? w);
}

function dateWords(value: unknown): string | null {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${Number(value.slice(8, 10))}.${Number(value.slice(5, 7))}.${value.slice(0, 4)}` : null;
}

/** The JSON details services record, said in words; keys nobody knows are left out rather than shown raw. */
function detailWords(detail: Record<string, unknown>, stateLabel: (state: string) => string): string[] {
  const out: string[] = [];
  const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
  if (text(detail['mark'])) out.push(`Markeret som ${MARK_WORDS[String(detail['mark'])] ?? 'ukendt'}`);
  if (text(detail['event'])) out.push(`Trin: ${EVENT_WORDS[String(detail['event'])] ?? 'andet trin'}`);
  if (text(detail['kind']) && KIND_WORDS[String(detail['kind'])]) out.push(KIND_WORDS[String(detail['kind'])] ?? '');
  const date = dateWords(detail['date']);
  if (date) out.push(`den ${date}${text(detail['time']) ? ` kl. ${String(detail['time'])}` : ''}`);
  if (detail['rebooked'] === true) out.push('flyttet');
  if (detail['outcome'] === 'fits') out.push('Udfald: gruppen passer');
  if (detail['outcome'] === 'does_not_fit') out.push('Udfald: gruppen passer ikke');
  if (text(detail['from']) && text(detail['to']) && typeof detail['from'] === 'string') out.push(`Fra »${stateLabel(String(detail['from']))}« til »${stateLabel(String(detail['to']))}«`);
  if (typeof detail['from'] === 'number' && typeof detail['to'] === 'number') out.push(`Flyttet fra plads ${detail['from']} til plads ${detail['to']}`);
  if (text(detail['state'])) out.push(`Nu: ${stateLabel(String(detail['state']))}`);
  const start = dateWords(detail['startDate']);
  const end = dateWords(detail['endDate']) ?? dateWords(detail['endedOn']);
  if (start) out.push(`start ${start}`);
  if (dateWords(detail['plannedEndDate'])) out.push(`slutter senest ${dateWords(detail['plannedEndDate'])}`);
  if (end) out.push(`slut ${end}`);
  if (text(detail['name'])) out.push(`»${String(detail['name'])}«`);
  if (detail['change'] === 'cancelled') out.push('Mødet blev aflyst');
  if (detail['change'] === 'restored') out.push('Aflysningen blev fortrudt');
  if (text(detail['reason'])) out.push(`Begrundelse: ${String(detail['reason'])}`);
  return out.filter((w) => w !== '');
}

/**
 * One log entry as a Danish sentence: "Ændrede fremmøde. Markeret som mødt." `stateLabel` names a course state
 * (passed in, so this module needs no lifecycle import).
 */
export function describeAuditEntry(entry: { action: string; entityType: string; detail: string | null }, stateLabel: (state: string) => string = (s) => s): string {
  const verb = (ACTION_VERBS as Record<string, string>)[entry.action] ?? 'Gjorde noget med';
  const noun = ENTITY_NOUNS[entry.entityType] ?? 'en oplysning';
  const first = entry.action === 'sign_in' || entry.action === 'sign_out' ? `${verb}.` : `${verb} ${noun}.`;
  const detail = entry.detail?.trim() ?? '';
  if (detail === '') return first;
  let parsed: unknown = null;
  if (detail.startsWith('{')) {
    try {
      parsed = JSON.parse(detail);
    } catch {
      parsed = null;
    }
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const words = detailWords(parsed as Record<string, unknown>, stateLabel);
    return words.length === 0 ? first : `${first} ${words.join(', ')}.`;
  }
  if (detail.startsWith('{') || detail.startsWith('[')) return first;
  const plain = plainWords(detail);
  return `${first} ${plain.charAt(0).toUpperCase()}${plain.slice(1)}${/[.!?]$/.test(plain) ? '' : '.'}`;
}

const SYSTEM_ACTORS: Record<string, string> = {
  demo: 'Demodata', retention: 'Den automatiske sletning', seed: 'Opsætningen', 'offentlig formular': 'Den offentlige formular', cli: 'Driftskommando',
};

/** Who did it, in words: a staff member's e-mail stays as it is; a family link or a system job is named. */
export function describeAuditActor(actor: string): string {
  if (actor.startsWith('familielink:')) return 'Familien (via familielinket)';
  return SYSTEM_ACTORS[actor] ?? actor;
}

const optionalDate = (message: string) =>
  z
    .string()
    .trim()
    .transform((s, ctx) => {
      if (s === '') return null;
      const date = parseIsoDate(s);
      if (date === null) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return date;
    });

/** The log page's query string. Empty fields mean "no filter". */
export const auditFilterSchema = z
  .object({
    barn: z.string().trim().max(200, 'Skriv højst 200 tegn.').default(''),
    bruger: z.string().trim().max(100, 'Vælg en medarbejder på listen.').default(''),
    fra: optionalDate('Skriv datoen som åååå-mm-dd, fx 2026-11-23.').default(null),
    til: optionalDate('Skriv datoen som åååå-mm-dd, fx 2026-11-23.').default(null),
    foer: z.string().trim().max(200, 'Siden findes ikke. Start forfra.').default(''),
  })
  .superRefine((v, ctx) => {
    if (v.fra && v.til && v.fra > v.til) {
      ctx.addIssue({ code: 'custom', path: ['til'], message: 'Til-datoen skal være samme dag som fra-datoen eller senere.' });
    }
  });

export interface AuditFilter {
  /** A child's id, or part of the child's name. */
  child: string | null;
  userId: string | null;
  from: IsoDate | null;
  to: IsoDate | null;
  /** Keyset cursor: entries strictly older than this one. */
  before: AuditCursor | null;
}

export interface AuditCursor {
  at: string;
  id: string;
}

export type AuditFilterInput = z.output<typeof auditFilterSchema>;

export function toAuditFilter(input: AuditFilterInput): AuditFilter {
  return {
    child: input.barn === '' ? null : input.barn,
    userId: input.bruger === '' ? null : input.bruger,
    from: input.fra || null,
    to: input.til || null,
    before: decodeAuditCursor(input.foer),
  };
}

/** The query string that shows the same filter (without the cursor), for links and the CSV export. */
export function auditFilterQuery(filter: AuditFilter, cursor: AuditCursor | null = null): string {
  const params = new URLSearchParams();
  if (filter.child) params.set('barn', filter.child);
  if (filter.userId) params.set('bruger', filter.userId);
  if (filter.from) params.set('fra', filter.from);
  if (filter.to) params.set('til', filter.to);
  if (cursor) params.set('foer', encodeAuditCursor(cursor));
  return params.toString();
}

export function encodeAuditCursor(cursor: AuditCursor): string {
  return `${cursor.at}_${cursor.id}`;
}

export function decodeAuditCursor(value: string): AuditCursor | null {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)_([A-Za-z0-9-]{1,100})$/.exec(value);
  return m ? { at: m[1] as string, id: m[2] as string } : null;
}

/** The instants a date range covers: Copenhagen midnight of `from` up to (not including) midnight after `to`. */
export function auditRangeInstants(filter: Pick<AuditFilter, 'from' | 'to'>): { from: string | null; until: string | null } {
  return {
    from: filter.from ? zonedToInstant(filter.from, '00:00').toISOString() : null,
    until: filter.to ? zonedToInstant(addDays(filter.to, 1), '00:00').toISOString() : null,
  };
}

/** One entry as the log page and the export show it. */
export interface AuditRecord {
  id: string;
  at: Date;
  userId: string | null;
  /** The staff member's e-mail, or the system part that acted ('cli', 'retention'). */
  actor: string;
  userName: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  childId: string | null;
  /** Null when the child's record is gone (deleted) or the entry is not about a child. */
  childName: string | null;
  ip: string | null;
  detail: string | null;
}

/** "23.11.2026 14:05" in Copenhagen: the form Danish Excel reads as a date and time. */
export function formatCsvDateTime(at: Date): string {
  const { date, time } = instantToZoned(at);
  const [y, m, d] = date.split('-');
  return `${d}.${m}.${y} ${time}`;
}

const CSV_HEADER = ['Tidspunkt', 'Medarbejder', 'E-mail', 'Handling', 'Hvad', 'Id', 'Barn', 'Barnets id', 'IP-adresse', 'Detaljer'];

/**
 * The export as Danish Excel opens it (through src/lib/csv.ts, which also defuses cells Excel would run as a formula) with a double click: UTF-8 with a byte order mark (else æøå break),
 * semicolons (Danish Excel's list separator, since the comma is the decimal sign), CRLF line ends.
 */
export function auditCsv(records: readonly AuditRecord[]): string {
  return toExcelCsv(
    CSV_HEADER,
    records.map((r) => [
      formatCsvDateTime(r.at),
      r.userName ?? '',
      r.actor,
      auditActionLabel(r.action),
      r.entityType,
      r.entityId,
      r.childName ?? '',
      r.childId,
      r.ip,
      r.detail,
    ]),
  );
}
