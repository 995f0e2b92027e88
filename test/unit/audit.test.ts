import { describe, expect, it } from 'vitest';
import {
  auditCsv, auditFilterSchema, describeAuditActor, describeAuditEntry, auditRangeInstants, decodeAuditCursor, encodeAuditCursor, formatCsvDateTime,
  toAuditFilter, type AuditRecord,
} from '../../src/features/audit/audit';
import { parseForm } from '../../src/lib/forms';

function record(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id: 'e1',
    at: new Date('2026-11-23T13:05:00Z'),
    userId: 'u1',
    actor: 'karin@centret.dk',
    userName: 'Karin Koordinator',
    action: 'read',
    entityType: 'child',
    entityId: 'c1',
    childId: 'c1',
    childName: 'Åse Ørum',
    ip: '10.0.0.7',
    detail: null,
    ...overrides,
  };
}

describe('audit CSV for Danish Excel', () => {
  it('starts with a UTF-8 byte order mark, separates with semicolons and ends lines with CRLF', () => {
    const csv = auditCsv([record()]);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.slice(1).split('\r\n');
    expect(lines[0]).toBe('Tidspunkt;Medarbejder;E-mail;Handling;Hvad;Id;Barn;Barnets id;IP-adresse;Detaljer');
    expect(lines[1]).toBe('23.11.2026 14:05;Karin Koordinator;karin@centret.dk;Læst;child;c1;Åse Ørum;c1;10.0.0.7;');
    expect(lines[2]).toBe('');
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('writes Copenhagen time the Danish way, in summer and winter', () => {
    expect(formatCsvDateTime(new Date('2026-11-23T13:05:00Z'))).toBe('23.11.2026 14:05');
    expect(formatCsvDateTime(new Date('2026-07-01T22:30:00Z'))).toBe('02.07.2026 00:30');
  });

  it('quotes cells holding the separator, quotes or line breaks, and defuses formulas (= + - @ tab) with an apostrophe', () => {
    const csv = auditCsv([
      record({ detail: 'a;b', actor: 'sagde "hej"', entityType: 'to\nlinjer' }),
      record({ detail: '=cmd|"/c calc"!A1', childName: null, userName: '+45 1234', entityId: '-1', childId: '@SUM(A1)', ip: '\t=1' }),
    ]);
    const lines = csv.slice(1).split('\r\n');
    expect(lines[1]).toBe('23.11.2026 14:05;Karin Koordinator;"sagde ""hej""";Læst;"to\nlinjer";c1;Åse Ørum;c1;10.0.0.7;"a;b"');
    expect(lines[2]).toBe(`23.11.2026 14:05;'+45 1234;karin@centret.dk;Læst;child;'-1;;'@SUM(A1);'\t=1;"'=cmd|""/c calc""!A1"`);
  });
});

describe('audit filter', () => {
  it('accepts an empty query as "everything"', () => {
    const parsed = parseForm(auditFilterSchema, {});
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(toAuditFilter(parsed.data)).toEqual({ child: null, userId: null, from: null, to: null, before: null });
  });

  it('names a wrong date and a reversed range in Danish at the field', () => {
    const bad = parseForm(auditFilterSchema, { fra: '31-02-2026' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors['fra']).toBe('Skriv datoen som åååå-mm-dd, fx 2026-11-23.');
    const reversed = parseForm(auditFilterSchema, { fra: '2026-11-23', til: '2026-11-01' });
    expect(reversed.ok).toBe(false);
    if (!reversed.ok) expect(reversed.errors['til']).toBe('Til-datoen skal være samme dag som fra-datoen eller senere.');
    const feb30 = parseForm(auditFilterSchema, { til: '2026-02-30' });
    expect(feb30.ok).toBe(false);
  });

  it('reads child, user, dates and a cursor', () => {
    const cursor = { at: '2026-11-23T13:05:00.000Z', id: '5b1c0e2a-0000-4000-8000-000000000001' };
    const parsed = parseForm(auditFilterSchema, {
      barn: ' Åse ', bruger: 'u1', fra: '2026-11-01', til: '2026-11-23', foer: encodeAuditCursor(cursor),
    });
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(toAuditFilter(parsed.data)).toEqual({ child: 'Åse', userId: 'u1', from: '2026-11-01', to: '2026-11-23', before: cursor });
    }
    expect(decodeAuditCursor('rubbish')).toBeNull();
    expect(decodeAuditCursor("2026-11-23T13:05:00.000Z_x' or 1=1")).toBeNull();
  });

  it('turns a date range into Copenhagen midnights, the last day included', () => {
    expect(auditRangeInstants({ from: '2026-11-01', to: '2026-11-23' })).toEqual({
      from: '2026-10-31T23:00:00.000Z',
      until: '2026-11-23T23:00:00.000Z',
    });
    // Summer time: midnight is 22:00 UTC.
    expect(auditRangeInstants({ from: '2026-07-01', to: null })).toEqual({ from: '2026-06-30T22:00:00.000Z', until: null });
  });
});

describe('each log entry as a Danish sentence', () => {
  it('names the thing and says the details in words, never code words or JSON', () => {
    expect(describeAuditEntry({ action: 'update', entityType: 'attendance', detail: '{"mark":"present"}' })).toBe('Ændrede fremmøde. Markeret som mødt.');
    expect(describeAuditEntry({ action: 'create', entityType: 'family_link', detail: null })).toBe('Oprettede familielinket.');
    expect(describeAuditEntry({ action: 'update', entityType: 'enrollment', detail: '{"event":"start","from":"waiting","to":"active","startDate":"2027-01-05","meetingId":"x"}' }, (s) => (s === 'waiting' ? 'Venter på optag' : 'Går i gruppen')))
      .toBe('Ændrede forløbet. Trin: startet i gruppen, Fra »Venter på optag« til »Går i gruppen«, start 5.1.2027.');
    expect(describeAuditEntry({ action: 'create', entityType: 'user', detail: 'rolle caseworker' })).toBe('Oprettede en medarbejder. Rolle familierådgiver.');
    expect(describeAuditEntry({ action: 'sign_in', entityType: 'user', detail: null })).toBe('Loggede ind.');
    expect(describeAuditEntry({ action: 'read', entityType: 'something_new', detail: '{"unknownKey":1}' })).toBe('Så en oplysning.');
    expect(describeAuditActor('familielink:abc')).toBe('Familien (via familielinket)');
  });

  it('reads entries written before the renames of 1 December 2026 (session, admin) in the same words as new ones', () => {
    expect(describeAuditEntry({ action: 'update', entityType: 'session', detail: null })).toBe(describeAuditEntry({ action: 'update', entityType: 'meeting', detail: null }));
    expect(describeAuditEntry({ action: 'update', entityType: 'session_note', detail: null })).toBe('Ændrede noten om et gruppemøde.');
    expect(describeAuditEntry({ action: 'create', entityType: 'user', detail: 'rolle admin' })).toBe('Oprettede en medarbejder. Rolle koordinator.');
    expect(describeAuditEntry({ action: 'create', entityType: 'user', detail: 'rolle coordinator' })).toBe('Oprettede en medarbejder. Rolle koordinator.');
  });
});
