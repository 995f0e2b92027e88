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
// Reading the trail: the admin's filter, one page at a time, and the CSV export.


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
