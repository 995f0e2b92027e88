// Fuzz test (issue 6): hostile input to every form of the app. For each case: no 5xx; the answer never shows the
// hostile markup unescaped; a refused post changes no row; an accepted post changes exactly the rows it should.
// Afterwards every page that shows stored text is read back: only escaped markup there too.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Actor } from '../../src/features/auth/auth';
import { issueSetupLink } from '../../src/features/auth/auth.service';
import { issueFamilyLink } from '../../src/features/families/families.service';
import { FORM_SECRET_KEY } from '../../src/features/referrals/referrals.repository';
import { signFormTime } from '../../src/features/referrals/referrals';
import { addDays, todayInZone, zonedToInstant } from '../../src/lib/time';
import { addAccount, type Account } from './support/accounts';
import { newPage, useBrowser, signedInCookie } from './support/browser';
import { useServerDatabase } from './support/database';
import { addChild, addMeetings } from '../support/child-records';
import * as build from '../support/builders';

const COORDINATOR_Z: Account = { email: 'coordinator@fuzz.e2e', password: 'fuzz-coordinator-adgangskode-1', name: 'Fuzz Coordinator' };
const CASEWORKER_Z: Account = { email: 'raadgiver@fuzz.e2e', password: 'fuzz-raadgiver-adgangskode-2', name: 'Fuzz Rådgiver' };
const SETUP_Z: Account = { email: 'ny@fuzz.e2e', password: 'fuzz-ny-adgangskode-3', name: 'Fuzz Ny' };

const SCRIPT = '<script>alert(1)</script>';
const IMG = '"><img src=x onerror=alert(1)>';
/** Raw (unescaped) forms of the markup that must never reach a page. */
const RAW_MARKUP = [SCRIPT, '<img src=x onerror=alert(1)>', '<svg onload=alert(1)>', '<iframe src=javascript:alert(1)>'];

/** Hostile texts: markup, SQL, long, odd Unicode, wrong types and shapes. */
const PAYLOADS: string[] = [
  SCRIPT,
  IMG,
  "'><svg onload=alert(1)>",
  '</textarea><script>alert(1)</script>',
  'javascript:alert(1)',
  '<iframe src=javascript:alert(1)>',
  '{{7*7}} ${7*7} <%= 7*7 %>',
  "'; drop table children; --",
  "' OR 1=1 --",
  '" OR ""="',
  '1; SELECT * FROM users',
  'a'.repeat(10_000),
  'ø'.repeat(100_000),
  'abc\u202Edcba',
  'a\u200D\u200Db\u200B',
  'nul\u0000byte',
  'lone\uD800surrogate',
  'tail\uDC00',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  'e\u0301\u0301\u0301\u0301 Z̴̡̢a̵l̸g̷o̶',
  'İstanbul ı',
  '   ',
  '\r\n\t',
  '-1',
  '0',
  '1e309',
  '99999999999999999999',
  'NaN',
  '2026-02-30',
  '99999-01-01',
  '0000-00-00',
  '25:61',
  'true',
  'null',
  '../../etc/passwd',
  '%00%27',
];

type Table =
  | 'users' | 'user_setup_tokens' | 'groups' | 'meeting_rules' | 'group_leaders' | 'closed_periods' | 'meetings'
  | 'intake_windows' | 'children' | 'guardians' | 'referrals' | 'enrollments' | 'conversations' | 'attendance'
  | 'family_links' | 'feed_tokens' | 'app_settings' | 'recovery_codes';
const TABLES: Table[] = [
  'users', 'user_setup_tokens', 'groups', 'meeting_rules', 'group_leaders', 'closed_periods', 'meetings',
  'intake_windows', 'children', 'guardians', 'referrals', 'enrollments', 'conversations', 'attendance', 'family_links',
  'feed_tokens', 'app_settings', 'recovery_codes',
];
type Counts = Record<Table, number>;
/** Rows an accepted post may add (a number: exactly; 'any': regenerated schedules and the like). */
type Delta = Partial<Record<Table, number | 'any' | [number, number]>>;

interface FormSpec {
  key: string;
  path: string;
  who: 'coordinator' | 'caseworker' | null;
  /** Valid values to start from (scraped from the page, then overridden). */
  base: Record<string, string>;
  /** Fields hostile values go into. */
  targets: string[];
  accepted: Delta | 'unchanged';
  /** Before each case (e.g. a fresh time stamp, a cleared rate limit). */
  prepare?: (values: Record<string, string>) => Promise<void>;
  /** For a page that answers an accepted post with 200 (it shows a one-time link): how to tell. */
  acceptedWhen?: (html: string) => boolean;
}

interface ScrapedForm {
  action: string;
  fields: { name: string; type: string; value: string; checked: boolean; options: string[] }[];
}

describe('fuzz: hostile input to every form', () => {
  const browser = useBrowser();
  const handle = useServerDatabase();
  let scratch: Page;
  let base: string;
  const cookies: { coordinator: string; caseworker: string } = { coordinator: '', caseworker: '' };
  let groupId: string;
  let groupSlug: string;
  let futureMeeting: string;
  let movableMeeting: string;
  let todayMeeting: string;
  let activeEnrollment: string;
  let referredEnrollment: string;
  let waitingEnrollment: string;
  let caseEnrollment: string;
  /** A second course in the group, for the one ending step that would otherwise close the first one's other forms. */
  let endingEnrollment: string;
  let activeChild: string;
  let familyPath: string;
  let setupPath: string;
  let cases = 0;
  /** Per form: how many cases were accepted, and the statuses seen. */
  const outcomes = new Map<string, { accepted: number; statuses: Set<number> }>();

  async function counts(): Promise<Counts> {
    const query = TABLES.map((t) => `select '${t}' as t, count(*) as c from ${t}`).join(' union all ');
    const rows = await sql<{ t: Table; c: number | string }>`${sql.raw(query)}`.execute(handle.db);
    const out = {} as Counts;
    for (const row of rows.rows) out[row.t] = Number(row.c);
    return out;
  }

  async function resetLimits(): Promise<void> {
    await handle.db.deleteFrom('rate_limits').execute();
  }

  function cookieFor(who: FormSpec['who']): string {
    return who ? cookies[who] : '';
  }

  async function post(path: string, who: FormSpec['who'], body: URLSearchParams | string, json = false): Promise<Response> {
    const headers: Record<string, string> = { Origin: base };
    if (who) headers['Cookie'] = cookieFor(who);
    headers['Content-Type'] = json ? 'application/json' : 'application/x-www-form-urlencoded';
    return fetch(new URL(path, base), { method: 'POST', headers, body, redirect: 'manual' });
  }

  async function get(path: string, who: FormSpec['who']): Promise<{ status: number; html: string }> {
    const res = await fetch(new URL(path, base), { headers: who ? { Cookie: cookieFor(who) } : {}, redirect: 'manual' });
    return { status: res.status, html: await res.text() };
  }

  /**
   * Markup only counts outside quoted attribute values (a `<` inside value="…" is text, and Astro writes a `"` in a
   * value as &#34;): a payload that broke out of its attribute is still caught, as its quote ends the value early.
   */
  function expectNoRawMarkup(html: string, where: string): void {
    const outside = html.replace(/="[^"]*"/g, '=""');
    for (const raw of RAW_MARKUP) expect(outside.includes(raw), `${where} shows ${raw} unescaped`).toBe(false);
  }

  /** The post forms of a page, with their fields as the browser would send them untouched. */
  async function scrape(path: string, who: FormSpec['who']): Promise<ScrapedForm[]> {
    const page = await get(path, who);
    expect(page.status, `GET ${path}`).toBe(200);
    await scratch.setContent(page.html.replace(/<link[^>]*>|<script[^>]*><\/script>/g, ''));
    return scratch.$$eval('form', (forms) =>
      forms
        .filter((f) => (f.getAttribute('method') ?? '').toLowerCase() === 'post' && f.getAttribute('action') !== '/logud')
        .map((f) => ({
          action: f.getAttribute('action') ?? '',
          fields: [...f.querySelectorAll('input[name], select[name], textarea[name], button[name]')].map((el) => {
            const input = el as HTMLInputElement;
            if (el instanceof HTMLButtonElement) return { name: el.name, type: 'pressed', value: el.value, checked: false, options: [] };
            const options = el instanceof HTMLSelectElement ? [...el.options].map((o) => o.value) : [];
            return { name: input.name, type: el instanceof HTMLSelectElement ? 'select' : (input.type || el.tagName.toLowerCase()), value: input.value, checked: input.checked, options };
          }),
        })),
    );
  }

  /** Fields as the form would send them: checked boxes/radios only (the first radio when none is checked). */
  function defaults(form: ScrapedForm): Record<string, string> {
    const values: Record<string, string> = {};
    for (const f of form.fields) {
      if (f.type === 'submit' || f.type === 'button') continue;
      if (f.type === 'pressed') { if (!(f.name in values)) values[f.name] = f.value; continue; }
      if (f.type === 'checkbox') { if (f.checked) values[f.name] = f.value; continue; }
      if (f.type === 'radio') { if (f.checked || !(f.name in values)) values[f.name] = f.value; continue; }
      if (f.type === 'select') { values[f.name] = f.value || (f.options.find((o) => o !== '') ?? ''); continue; }
      values[f.name] = f.value;
    }
    return values;
  }

  function intentOf(form: ScrapedForm): string {
    return form.fields.find((f) => f.name === 'intent' || f.name === 'score')?.name === 'score' ? 'score' : form.fields.find((f) => f.name === 'intent')?.value ?? '';
  }

  function bodyOf(values: Record<string, string>, extra: [string, string][] = []): URLSearchParams {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(values)) body.append(k, v);
    for (const [k, v] of extra) body.append(k, v);
    return body;
  }

  function check(spec: FormSpec, label: string, status: number, before: Counts, after: Counts, html = ''): void {
    const where = `${spec.key} ${label}`;
    expect(status, `${where}: status`).toBeLessThan(500);
    const changed = TABLES.filter((t) => before[t] !== after[t]).map((t) => `${t} ${before[t]}→${after[t]}`);
    const accepted = status === 303 || status === 302 || status === 200 && (spec.key === 'marks.json' || (spec.acceptedWhen?.(html) ?? false));
    const seen = outcomes.get(spec.key) ?? { accepted: 0, statuses: new Set<number>() };
    seen.statuses.add(status);
    if (accepted) seen.accepted++;
    outcomes.set(spec.key, seen);
    if (!accepted || spec.accepted === 'unchanged') {
      expect(changed, `${where}: a refused post (status ${status}) changed rows`).toEqual([]);
      return;
    }
    for (const t of TABLES) {
      const allowed = spec.accepted[t] ?? 0;
      if (allowed === 'any') continue;
      const [min, max] = typeof allowed === 'number' ? [allowed, allowed] : allowed;
      const delta = after[t] - before[t];
      expect(delta >= min && delta <= max, `${where}: ${delta} rows of ${t} after an accepted post (allowed ${min}..${max}; ${changed.join(', ')})`).toBe(true);
    }
  }

  /** Posts the cases of one form and checks each. */
  async function fuzzForm(spec: FormSpec): Promise<void> {
    const variants: { label: string; values: Record<string, string>; extra?: [string, string][]; raw?: string }[] = [];
    PAYLOADS.forEach((payload, i) => {
      const target = spec.targets[i % spec.targets.length] ?? 'x';
      variants.push({ label: `${target}=payload#${i}`, values: { ...spec.base, [target]: payload } });
    });
    // Every text field hostile at once.
    variants.push({ label: 'all fields markup', values: { ...spec.base, ...Object.fromEntries(spec.targets.map((t) => [t, IMG])) } });
    // Missing fields: nothing at all, and the first field left out.
    variants.push({ label: 'empty body', values: {} });
    const missing = spec.targets[0];
    if (missing) {
      const { [missing]: _, ...rest } = spec.base;
      variants.push({ label: `missing ${missing}`, values: rest });
      // Duplicated field (valid first, hostile last) and array-style names.
      variants.push({ label: `duplicate ${missing}`, values: spec.base, extra: [[missing, SCRIPT]] });
      variants.push({ label: `array ${missing}[]`, values: rest, extra: [[`${missing}[]`, '1'], [`${missing}[]`, '2']] });
    }
    // The untouched valid form last: the control that the form takes input at all (checked in the last test).
    variants.push({ label: 'valid', values: { ...spec.base } });
    variants.push({ label: 'not form-encoded', values: {}, raw: `{"${missing ?? 'x'}": ${JSON.stringify(SCRIPT)}}` });

    for (const variant of variants) {
      const values = { ...variant.values };
      await resetLimits();
      if (spec.prepare) await spec.prepare(values);
      const before = await counts();
      const res = variant.raw !== undefined
        ? await post(spec.path, spec.who, variant.raw)
        : await post(spec.path, spec.who, bodyOf(values, variant.extra));
      const html = await res.text();
      const after = await counts();
      cases++;
      check(spec, variant.label, res.status, before, after, html);
      if ((res.headers.get('content-type') ?? '').includes('html')) expectNoRawMarkup(html, `${spec.key} ${variant.label}`);
      const location = res.headers.get('location');
      if (res.status === 303 && location && !location.startsWith('http')) {
        // The page an accepted post leads to shows what was stored: escaped.
        const next = await get(location, spec.who);
        expect(next.status, `${spec.key} ${variant.label}: GET ${location}`).toBeLessThan(500);
        expectNoRawMarkup(next.html, `${spec.key} ${variant.label}: ${location}`);
      }
    }
  }

  /** Every post form of a page as a spec (one per form, named by page and intent). */
  async function specsOf(
    path: string,
    who: FormSpec['who'],
    overrides: Record<string, string>,
    accepted: (intent: string) => Delta | 'unchanged',
    skip: (intent: string) => boolean = () => false,
  ): Promise<FormSpec[]> {
    const forms = await scrape(path, who);
    expect(forms.length, `post forms on ${path}`).toBeGreaterThan(0);
    const seen = new Set<string>();
    const specs: FormSpec[] = [];
    for (const form of forms) {
      const intent = intentOf(form);
      const key = `${path.replace(/[0-9a-f-]{36}|[A-Za-z0-9_-]{30,}/g, ':id')}#${intent || 'form'}`;
      if (seen.has(key) || skip(intent)) continue;
      seen.add(key);
      const values = { ...defaults(form) };
      for (const [k, v] of Object.entries(overrides)) if (k in values || k.startsWith('+')) values[k.replace(/^\+/, '')] = v;
      const targets = Object.keys(values).filter((n) => n !== 'intent' && n !== 'idempotencyKey' && n !== 'formTime' && n !== 'website');
      specs.push({ key, path: form.action || path, who, base: values, targets: targets.length ? targets : ['intent'], accepted: accepted(intent) });
    }
    return specs;
  }

  beforeAll(async () => {
    base = inject('baseURL');
    addAccount(inject('databaseUrl'), COORDINATOR_Z, 'coordinator');
    addAccount(inject('databaseUrl'), CASEWORKER_Z, 'caseworker', 'ishoj');
    const db = handle.db;
    const coordinatorRow = await db.selectFrom('users').selectAll().where('email', '=', COORDINATOR_Z.email).executeTakeFirstOrThrow();
    const coordinator: Actor = { user: { id: coordinatorRow.id, email: coordinatorRow.email, displayName: coordinatorRow.display_name, role: 'coordinator', municipality: null }, ip: null };

    cookies.coordinator = await signedInCookie(browser, COORDINATOR_Z);
    cookies.caseworker = await signedInCookie(browser, CASEWORKER_Z);
    scratch = (await newPage(browser, { javaScript: true })).page;

    groupSlug = `fuzz-${randomUUID().slice(0, 6)}`;
    const at = new Date().toISOString();
    groupId = await build.addGroup(db, { slug: groupSlug, name: 'Fuzzgruppen', girls_only: 1, created_at: at, updated_at: at, leaderIds: [coordinatorRow.id] });
    await build.addMeetingRule(db, groupId, { nth: 1, updated_at: at });
    // The meetings to come at 16.00 in Copenhagen: at the hour the test runs they could end after midnight, which
    // the move form rightly refuses.
    const today = todayInZone(new Date());
    [futureMeeting, todayMeeting, movableMeeting] = await addMeetings(db, groupId, [
      zonedToInstant(addDays(today, 9), '16:00').toISOString(),
      // Begun an hour ago, but never before midnight in Copenhagen: a meeting on another day counts other members.
      new Date(Math.max(Date.now() - 3600_000, zonedToInstant(today, '00:00').getTime())).toISOString(),
      zonedToInstant(addDays(today, 16), '16:00').toISOString(),
    ]) as [string, string, string];
    const active = await addChild(db, { groupId, firstName: 'Aktiv', lastName: 'Fuzz', referralStatus: 'started', enrollmentState: 'active', startDate: '2026-01-01', endedOn: null });
    activeEnrollment = active.enrollmentId ?? '';
    activeChild = active.childId;
    const referred = await addChild(db, { groupId, firstName: 'Henvist', lastName: 'Fuzz', referralStatus: 'received', enrollmentState: 'referred', startDate: null, endedOn: null, caseworkerId: null });
    referredEnrollment = referred.enrollmentId ?? '';
    const waiting = await addChild(db, { groupId, firstName: 'Venter', lastName: 'Fuzz', referralStatus: 'waiting', enrollmentState: 'waiting', startDate: null, endedOn: null });
    waitingEnrollment = waiting.enrollmentId ?? '';
    const inCourse = await addChild(db, { groupId, firstName: 'Forløb', lastName: 'Fuzz', referralStatus: 'started', enrollmentState: 'active', startDate: '2026-01-01', endedOn: null });
    caseEnrollment = inCourse.enrollmentId ?? '';
    const ending = await addChild(db, { groupId, firstName: 'Slut', lastName: 'Fuzz', referralStatus: 'started', enrollmentState: 'active', startDate: '2026-01-01', endedOn: null });
    endingEnrollment = ending.enrollmentId ?? '';
    familyPath = (await issueFamilyLink(db, coordinator, activeChild, new Date())).path;
    addAccount(inject('databaseUrl'), SETUP_Z, 'leader');
    const setupUser = await db.selectFrom('users').select('id').where('email', '=', SETUP_Z.email).executeTakeFirstOrThrow();
    setupPath = (await issueSetupLink(db, coordinator, setupUser.id, new Date())).setupUrlPath;
  });

  afterAll(async () => {
    console.log(`fuzz: ${cases} hostile cases posted`);
    for (const [key, o] of outcomes) console.log(`  ${key}: ${o.accepted} accepted, statuses ${[...o.statuses].join(' ')}`);
    await handle?.db.deleteFrom('rate_limits').execute();
    // The groups the fuzz made leave the public pages other files look at.
    await handle?.db.updateTable('groups').set({ archived_at: new Date().toISOString() }).where('slug', 'like', 'fuzz-ny-%').execute();
  });

  const FUTURE_DAY = (days: number): string => new Date(Date.now() + days * 24 * 3600_000).toISOString().slice(0, 10);
  const freshIdempotency = async (v: Record<string, string>): Promise<void> => {
    if (v['idempotencyKey'] !== undefined && !PAYLOADS.includes(v['idempotencyKey'])) v['idempotencyKey'] = randomUUID();
  };

  it('staff forms: groups, meetings, closed periods, users, calendar, settings', async () => {
    const newGroup = await specsOf('/personale/grupper/ny', 'coordinator', {
      name: 'Fuzz ny gruppe', slug: 'fuzz-ny', minAge: '7', maxAge: '15', capacity: '8', publicDescription: 'Beskrivelse',
    }, () => ({ groups: 1, meeting_rules: 1, group_leaders: 'any', meetings: 'any', intake_windows: 'any' }));
    for (const spec of newGroup) {
      spec.prepare = async (v) => { if (v['slug'] === 'fuzz-ny') v['slug'] = `fuzz-ny-${randomUUID().slice(0, 8)}`; };
      await fuzzForm(spec);
    }
    for (const spec of await specsOf(`/personale/moeder/${movableMeeting}`, 'coordinator', { reason: 'Fuzz-grund', '+confirm': 'ja' }, () => ({}))) {
      await fuzzForm(spec);
    }
    for (const spec of await specsOf('/personale/lukkede-perioder', 'coordinator', {
      name: 'Fuzzferie', startDate: FUTURE_DAY(400), endDate: FUTURE_DAY(410),
    }, (intent) => (intent === 'add' ? { closed_periods: 1, meetings: 'any', intake_windows: 'any' } : { closed_periods: -1, meetings: 'any', intake_windows: 'any' }))) {
      await fuzzForm(spec);
    }
    const spare: Account = { email: 'reserve@fuzz.e2e', password: 'fuzz-reserve-adgangskode-4', name: 'Fuzz Reserve' };
    addAccount(inject('databaseUrl'), spare, 'leader');
    const spareId = (await handle.db.selectFrom('users').select('id').where('email', '=', spare.email).executeTakeFirstOrThrow()).id;
    for (const spec of await specsOf('/personale/brugere', 'coordinator', {
      name: 'Fuzz Bruger', email: 'bruger@fuzz.e2e', userId: spareId,
    }, (intent) => (intent === 'create' ? { users: 1, user_setup_tokens: 1 } : { user_setup_tokens: [-1, 1] }))) {
      if (spec.key.endsWith('#role')) {
        // The spare is a leader: the valid post gives it the role it has (303, nothing changes).
        spec.base['role'] = 'leader';
        await fuzzForm({ ...spec, accepted: 'unchanged' });
        continue;
      }
      if (spec.key.endsWith('#reset-2fa')) {
        // Resetting the second factor needs someone who has one, and the ticked confirmation: the spare gets a key
        // before every post, so the valid post is accepted (303) and every hostile one refused.
        spec.base['confirm'] = 'ja';
        spec.targets.push('confirm');
        spec.prepare = async () => {
          await handle.db.updateTable('users').set({ totp_key: Buffer.alloc(20, 7).toString('base64') }).where('id', '=', spareId).execute();
        };
        await fuzzForm(spec);
        continue;
      }
      spec.acceptedWhen = (html) => html.includes('/adgang/');
      spec.prepare = async (v) => { if (v['email'] === 'bruger@fuzz.e2e') v['email'] = `bruger-${randomUUID().slice(0, 8)}@fuzz.e2e`; };
      await fuzzForm(spec);
    }
    for (const spec of await specsOf('/personale/kalender', 'coordinator', {}, () => ({ feed_tokens: [0, 1] }))) {
      spec.acceptedWhen = (html) => html.includes('/kalender/personale/');
      await fuzzForm(spec);
    }
    for (const spec of await specsOf('/personale/indstillinger', 'coordinator', {}, () => ({ app_settings: [0, 1] }))) await fuzzForm(spec);
  });

  it('referral, case and attendance forms, and the attendance JSON endpoint', async () => {
    for (const spec of await specsOf('/personale/henvisninger/ny', 'caseworker', {
      firstName: 'Fuzzbarn', lastName: 'Fuzzesen', birthDate: '2016-03-01', g1Name: 'Fuzz Forælder', g1Phone: '12345678',
      g1Email: 'forælder@fuzz.e2e', reason: 'Fuzz-grund', '+consent': 'on',
    }, () => ({ children: 1, guardians: [1, 2], referrals: 1, enrollments: [0, 1] }))) {
      spec.prepare = freshIdempotency;
      await fuzzForm(spec);
    }
    for (const spec of await specsOf('/personale/optag', 'coordinator', { enrollmentId: waitingEnrollment, reason: 'Fuzz-grund' }, () => ({}))) {
      spec.base['enrollmentId'] = waitingEnrollment;
      await fuzzForm(spec);
    }
    const caseOverrides = {
      date: FUTURE_DAY(5), time: '15:00', endedOn: FUTURE_DAY(1), reason: 'Fuzz-grund', note: 'Fuzz', childWords: 'Fuzz',
      nextStep: 'nothing', answerNote: 'Fuzz', '+confirm': 'ja',
    };
    const endingSpecs: FormSpec[] = [];
    for (const enrollment of [waitingEnrollment, caseEnrollment, referredEnrollment]) {
      const specs = await specsOf(`/personale/optag/${enrollment}`, 'coordinator', caseOverrides, () => ({ conversations: [0, 1], intake_windows: 'any' }));
      // Withdrawing or ending last, so the other forms meet a case that is still open.
      specs.sort((a, b) => Number(/decline|end$|endWithout$/.test(a.key)) - Number(/decline|end$|endWithout$/.test(b.key)));
      for (const spec of specs) {
        // Declining and ending without a closing conversation both close a course: each gets a course of its own.
        if (enrollment === caseEnrollment && spec.key.endsWith('#endWithout')) {
          spec.path = spec.path.replace(caseEnrollment, endingEnrollment);
          spec.key = `${spec.key}@active`;
          endingSpecs.push(spec);
          continue;
        }
        spec.key = `${spec.key}@${enrollment === waitingEnrollment ? 'waiting' : enrollment === caseEnrollment ? 'active' : 'referred'}`;
        await fuzzForm(spec);
      }
    }
    for (const spec of endingSpecs) await fuzzForm(spec);
    for (const spec of await specsOf(`/personale/fremmoede/${todayMeeting}`, 'coordinator', { theme: 'Fuzz-tema', note: 'Fuzz-note' }, () => ({ attendance: [-1, 1] }))) {
      await fuzzForm(spec);
    }
    for (const spec of await specsOf(`/personale/feedback/${todayMeeting}`, 'coordinator', {}, () => 'unchanged')) await fuzzForm(spec);

    // The JSON endpoint: hostile values in every member, wrong types and shapes.
    const path = `/personale/fremmoede/${todayMeeting}/marks.json`;
    const mark = (over: Record<string, unknown>): unknown => ({
      marks: [{ enrollmentId: activeEnrollment, mark: 'excused', reason: 'Fuzz', mutationId: randomUUID(), clientTime: new Date().toISOString(), ...over }],
    });
    const bodies: unknown[] = [
      ...PAYLOADS.map((p, i) => mark({ [['reason', 'enrollmentId', 'mark', 'mutationId', 'clientTime'][i % 5] ?? 'reason']: p })),
      mark({ reason: 12 }), mark({ mark: ['present'] }), mark({ enrollmentId: null }), mark({ clientTime: '2026-02-30T10:00:00Z' }),
      { marks: [] }, { marks: 'present' }, { marks: Array.from({ length: 101 }, () => (mark({}) as { marks: unknown[] }).marks[0]) },
      [], null, 'x', 42, { marks: [null] }, { __proto__: { marks: [] } }, { constructor: { prototype: { coordinator: true } } },
    ];
    const raws = [...bodies.map((b) => JSON.stringify(b)), '{"marks": [', '\u0000', '{"marks": [{"reason": "\\ud800"}]}'];
    for (const raw of raws) {
      await resetLimits();
      const before = await counts();
      const res = await post(path, 'coordinator', raw, true);
      await res.text();
      const after = await counts();
      cases++;
      check({ key: 'marks.json', path, who: 'coordinator', base: {}, targets: [], accepted: { attendance: [-1, 1] } }, raw.slice(0, 60), res.status, before, after);
    }
  });

  it('public forms: sign-in, one-time link, family page, parent request', async () => {
    for (const spec of await specsOf('/logind', null, { email: COORDINATOR_Z.email, password: COORDINATOR_Z.password }, () => 'unchanged')) {
      await fuzzForm(spec);
    }
    for (const spec of await specsOf(familyPath, null, { message: 'Fuzz-besked' }, () => ({ attendance: [0, 1] }))) {
      spec.key = 'familie#absence';
      await fuzzForm(spec);
    }
    const secret = async (): Promise<string> =>
      (await handle.db.selectFrom('app_settings').select('value').where('key', '=', FORM_SECRET_KEY).executeTakeFirstOrThrow()).value;
    for (const path of ['/grupper/pigegruppen/oensker-plads', '/en/grupper/pigegruppen/oensker-plads']) {
      for (const spec of await specsOf(path, null, {
        parentName: 'Fuzz Mor', phone: '12345678', email: 'mor@fuzz.e2e', firstName: 'Fuzzdatter', birthDate: '2016-03-01', message: 'Fuzz-besked', '+custody': 'on',
      }, () => ({ children: 1, guardians: 1, referrals: 1, enrollments: [0, 1] }))) {
        spec.prepare = async (v) => {
          await freshIdempotency(v);
          // A stamp signed 10 s ago with the form secret, as if the parent took their time.
          if (v['formTime'] !== undefined) v['formTime'] = signFormTime(await secret(), new Date(Date.now() - 10_000));
        };
        await fuzzForm(spec);
      }
    }
    // Last: the one-time link (an accepted post uses it up) and the staff child page (a new link revokes the family link).
    for (const spec of await specsOf(setupPath, null, { password: SETUP_Z.password, confirm: SETUP_Z.password }, () => ({ user_setup_tokens: [-1, 0] }))) {
      spec.key = 'adgang#form';
      await fuzzForm(spec);
    }
    // "Send linket" (issue 14) needs a ticked address, as a person ticks one.
    const guardian = await handle.db.selectFrom('guardians').select(['id', 'email']).where('child_id', '=', activeChild).executeTakeFirstOrThrow();
    for (const spec of await specsOf(`/personale/boern/${activeChild}`, 'coordinator', { '+confirm': 'ja' }, () => ({ family_links: [0, 1] }))) {
      if (spec.key.endsWith('#send-link')) spec.base['to'] = `${guardian.email ? 'email' : 'sms'}:${guardian.id}`;
      spec.acceptedWhen = (html) => html.includes('/familie/');
      await fuzzForm(spec);
    }
  });

  it('filter forms (GET): log and figures', async () => {
    const users = [(await handle.db.selectFrom('users').select('id').where('email', '=', COORDINATOR_Z.email).executeTakeFirstOrThrow()).id];
    const params: [string, string[]][] = [['/personale/log', ['barn', 'bruger', 'fra', 'til']], ['/personale/tal', ['aar']]];
    for (const [path, names] of params) {
      for (const [i, payload] of PAYLOADS.entries()) {
        const query = new URLSearchParams();
        for (const name of names) query.set(name, name === 'bruger' ? users[0] ?? '' : '');
        query.set(names[i % names.length] ?? 'x', payload.slice(0, 2000));
        if (i % 7 === 0) query.append(names[0] ?? 'x', SCRIPT);
        const res = await get(`${path}?${query.toString()}`, 'coordinator');
        cases++;
        expect(res.status, `${path} ${i}`).toBeLessThan(500);
        expectNoRawMarkup(res.html, `${path} ${i}`);
      }
    }
  });

  it('pages that show stored text show the hostile markup escaped only', async () => {
    const pages: [string, FormSpec['who']][] = [
      ['/personale', 'coordinator'], ['/personale/grupper', 'coordinator'], [`/personale/grupper/${groupId}`, 'coordinator'],
      [`/personale/grupper/${groupId}/moeder`, 'coordinator'], [`/personale/moeder/${movableMeeting}`, 'coordinator'], [`/personale/moeder/${futureMeeting}`, 'coordinator'],
      [`/personale/moeder/${todayMeeting}/liste`, 'coordinator'], ['/personale/lukkede-perioder', 'coordinator'], ['/personale/brugere', 'coordinator'],
      ['/personale/optag', 'coordinator'], [`/personale/optag/${referredEnrollment}`, 'coordinator'], [`/personale/optag/${caseEnrollment}`, 'coordinator'],
      [`/personale/optag/${waitingEnrollment}`, 'coordinator'], [`/personale/fremmoede/${todayMeeting}`, 'coordinator'], ['/personale/fremmoede', 'coordinator'],
      [`/personale/boern/${activeChild}`, 'coordinator'], [`/personale/boern/${activeChild}/indsigt`, 'coordinator'], ['/personale/log', 'coordinator'],
      ['/personale/tal', 'coordinator'], ['/personale/henvisninger', 'caseworker'], ['/grupper/pigegruppen', null], ['/', null],
    ];
    let escaped = 0;
    for (const [path, who] of pages) {
      const res = await get(path, who);
      expect(res.status, path).toBe(200);
      expectNoRawMarkup(res.html, path);
      if (res.html.includes('&lt;script&gt;alert(1)&lt;/script&gt;')) escaped++;
    }
    // The hostile text was stored and is shown, escaped, on several pages.
    expect(escaped).toBeGreaterThan(3);
    expect(cases).toBeGreaterThanOrEqual(200);
  });

  it('the group edit form (last: it reshapes the schedule)', async () => {
    for (const spec of await specsOf(`/personale/grupper/${groupId}`, 'coordinator', {}, () => ({
      // The schedule is made again from the rule: our hand-made meetings that don't fit it go, with their marks.
      meetings: 'any', intake_windows: 'any', group_leaders: 'any', attendance: [-10, 0],
    }))) {
      spec.targets = spec.targets.filter((t) => t !== 'slug');
      await fuzzForm(spec);
    }
    const res = await get(`/personale/grupper/${groupId}`, 'coordinator');
    expectNoRawMarkup(res.html, 'group page');
    // Every form took some of the posts (at least its valid one): the refusals above were not all the test's doing.
    const neverAccepted = [...outcomes].filter(([, o]) => o.accepted === 0).map(([key]) => key);
    expect(neverAccepted).toEqual([]);
    expect(outcomes.size).toBeGreaterThanOrEqual(25);
  });
});
