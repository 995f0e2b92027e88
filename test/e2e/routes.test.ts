// The route × role test (issue 6): every route of the app, enumerated from src/pages so a new page cannot be
// forgotten, is requested (GET) as six roles, and the answer must be the one in ROUTES below. Then every staff page
// with a form is posted to by the roles that may not use it: the answer must be a refusal (303 to /logind, 403, 404)
// and nothing in the database may have changed.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { Actor } from '../../src/features/auth/auth';
import { issueSetupLink } from '../../src/features/auth/auth.service';
import { issueFamilyLink } from '../../src/features/families/families.service';
import { issueStaffFeedToken } from '../../src/features/feeds/feeds.service';
import type { Database } from '../../src/lib/server/database';
import { addChild, addGroup, addMeetings, addStaff } from '../support/child-records';
import { addAccount, type Account } from './support/accounts';
import { baseURL, newPage, signedInCookie, useBrowser } from './support/browser';
import { useServerDatabase } from './support/database';
import { signInAtProvider } from './support/provider-sign-in';

// ---------------------------------------------------------------------------------------------
// Routes, from the files in src/pages, mapped to URL patterns the way Astro does

const PAGES = join(import.meta.dirname, '../../src/pages');

function pageFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return pageFiles(path);
    // Astro skips files and folders starting with "_".
    return entry.name.startsWith('_') ? [] : [path];
  });
}

/** `personale/brugere/index.astro` → `/personale/brugere`; `grupper/[slug].ics.ts` → `/grupper/[slug].ics`. */
function routeOf(file: string): string {
  const path = relative(PAGES, file).split(sep).join('/');
  const match = /^(.*)\.(astro|ts|js|md|mdx|html)$/.exec(path);
  if (!match) throw new Error(`src/pages/${path} is a file type this test does not know: teach routeOf about it.`);
  const withoutIndex = (match[1] ?? '').replace(/(^|\/)index$/, '');
  return `/${withoutIndex}`;
}

const FILES = new Map(pageFiles(PAGES).map((file) => [routeOf(file), file]));

// ---------------------------------------------------------------------------------------------
// The table

const ROLES = ['anonymous', 'family', 'caseworker', 'otherLeader', 'leader', 'coordinator'] as const;
type Who = (typeof ROLES)[number];
/** The caseworker and the leader once more, signed in through the municipality's login: answered as their twin. */
const VIA_LOGIN = { caseworkerViaLogin: 'caseworker', leaderViaLogin: 'leader' } as const;
type Signer = Who | keyof typeof VIA_LOGIN;

/** A status, or a 303 with where it must send the browser (the Location must start with it). */
type Answer = 200 | 400 | 403 | 404 | `303 ${string}`;
/** In the order of ROLES: anonymous, family-link holder, caseworker, leader of another group, the group's leader, coordinator. */
type Answers = readonly [Answer, Answer, Answer, Answer, Answer, Answer];

interface Fixtures {
  slug: string;
  groupId: string;
  meetingId: string;
  childId: string;
  enrollmentId: string;
  endedEnrollmentId: string;
  referralId: string;
  othersReferralId: string;
  familyToken: string;
  staffFeedToken: string;
  setupToken: string;
  unsubscribeKey: string;
}

interface Case {
  /** What the params point at, for the failure message. */
  what?: string;
  params?: (f: Fixtures, who: Who) => Record<string, string>;
  get: Answers;
}

const LOGIN = '303 /logind';
const ALL_200: Answers = [200, 200, 200, 200, 200, 200];
/** Staff pages every signed-in role may open. */
const STAFF: Answers = [LOGIN, LOGIN, 200, 200, 200, 200];
/** Pages for leaders (of any group) and the coordinator. */
const LEADERS: Answers = [LOGIN, LOGIN, 403, 200, 200, 200];
/** Pages about one group's children or meetings: that group's leaders and the coordinator. */
const OWN_GROUP: Answers = [LOGIN, LOGIN, 403, 403, 200, 200];
const COORDINATOR_ONLY: Answers = [LOGIN, LOGIN, 403, 403, 403, 200];

/** A well-formed secret that opens nothing (base32, the length of the real ones). */
const WRONG_TOKEN = 'abcdefghijklmnopqrstuvwxyz234567abcdefg';
/** A secret URL opens only for the one who holds it; everyone else tries a wrong one. */
const tokenFor = (holder: Who, token: (f: Fixtures) => string) => (f: Fixtures, who: Who) => ({ token: who === holder ? token(f) : WRONG_TOKEN });
const group = (f: Fixtures) => ({ slug: f.slug, id: f.groupId });

const ROUTES: Record<string, readonly Case[]> = {
  '/': [{ get: ALL_200 }],
  '/en': [{ get: ALL_200 }],
  '/privatliv': [{ get: ALL_200 }],
  '/fagfolk': [{ get: ALL_200 }],
  '/en/fagfolk': [{ get: ALL_200 }],
  '/en/privatliv': [{ get: ALL_200 }],
  '/was': [{ get: ALL_200 }],
  '/en/was': [{ get: ALL_200 }],
  '/healthz': [{ get: ALL_200 }],
  '/ingen-adgang': [{ get: [403, 403, 403, 403, 403, 403] }],
  '/logind': [{ get: [200, 200, '303 /personale', '303 /personale', '303 /personale', '303 /personale'] }],
  '/logud': [{ get: [LOGIN, LOGIN, '303 /personale', '303 /personale', '303 /personale', '303 /personale'] }],
  // The second factor's pages belong to a password-only session; without one they send to sign-in, after it onwards.
  '/logind/totp': [{ get: [LOGIN, LOGIN, '303 /personale', '303 /personale', '303 /personale', '303 /personale'] }],
  '/logind/totp-opsaetning': [{ get: [LOGIN, LOGIN, '303 /personale', '303 /personale', '303 /personale', '303 /personale'] }],
  '/logind/totp-gendannelse': [{ get: [LOGIN, LOGIN, '303 /personale', '303 /personale', '303 /personale', '303 /personale'] }],
  // The municipality's login: the start sends the browser to the provider, a return nobody started is refused.
  '/logind/kommune/[provider]': [{ params: () => ({ provider: 'ishoj' }), get: ['303 /auth', '303 /auth', '303 /personale', '303 /personale', '303 /personale', '303 /personale'] }],
  '/logind/kommune/[provider]/retur': [{ params: () => ({ provider: 'ishoj' }), get: [400, 400, 400, 400, 400, 400] }],
  // Passkey sign-in: JSON posts from the sign-in page's script; a GET finds nothing.
  '/logind/adgangsnoegle/valg.json': [{ get: [404, 404, 404, 404, 404, 404] }],
  '/logind/adgangsnoegle/svar.json': [{ get: [404, 404, 404, 404, 404, 404] }],
  '/adgang/[token]': [{ what: 'a new staff member’s one-time link, held by them (anonymous)', params: tokenFor('anonymous', (f) => f.setupToken), get: [200, 404, 404, 404, 404, 404] }],

  '/grupper/[slug]': [{ params: group, get: ALL_200 }],
  '/grupper/[slug].ics': [{ params: group, get: ALL_200 }],
  '/grupper/[slug]/oensker-plads': [{ params: group, get: ALL_200 }],
  '/grupper/[slug]/oensker-plads/tak': [{ params: group, get: ALL_200 }],
  '/en/grupper/[slug]': [{ params: group, get: ALL_200 }],
  '/en/grupper/[slug]/oensker-plads': [{ params: group, get: ALL_200 }],
  '/en/grupper/[slug]/oensker-plads/tak': [{ params: group, get: ALL_200 }],

  '/familie/[token]': [{ what: 'the child’s family link', params: tokenFor('family', (f) => f.familyToken), get: [404, 200, 404, 404, 404, 404] }],
  '/familie/[token]/kalender.ics': [{ what: 'the child’s family link', params: tokenFor('family', (f) => f.familyToken), get: [404, 200, 404, 404, 404, 404] }],
  '/beskeder/afmeld/[key]': [{ what: 'a guardian’s unsubscribe link', params: (f, who) => ({ key: who === 'family' ? f.unsubscribeKey : WRONG_TOKEN }), get: [404, 200, 404, 404, 404, 404] }],
  '/kalender/personale/[token].ics': [{ what: 'the leader’s own feed link', params: tokenFor('leader', (f) => f.staffFeedToken), get: [404, 404, 404, 404, 200, 404] }],

  '/personale': [{ get: STAFF }],
  // A caseworker's calendar holds the conversations they are invited to.
  '/personale/kalender': [{ get: STAFF }],
  '/personale/adgangsnoegler': [{ get: STAFF }],
  '/personale/adgangsnoegler/valg.json': [{ get: [LOGIN, LOGIN, 404, 404, 404, 404] }],
  '/personale/adgangsnoegler/gem.json': [{ get: [LOGIN, LOGIN, 404, 404, 404, 404] }],
  '/personale/henvisninger': [{ get: [LOGIN, LOGIN, 200, '303 /personale/optag', '303 /personale/optag', '303 /personale/optag'] }],
  '/personale/henvisninger/ny': [{ get: [LOGIN, LOGIN, 200, 403, 403, 200] }],
  // The referral's own page (status, what was sent, withdraw): its caseworker and the coordinator; another caseworker
  // is told it does not exist.
  '/personale/henvisninger/[id]': [
    { what: 'a referral the caseworker sent', params: (f) => ({ id: f.referralId }), get: [LOGIN, LOGIN, 200, 403, 403, 200] },
    { what: 'a referral another caseworker sent', params: (f) => ({ id: f.othersReferralId }), get: [LOGIN, LOGIN, 404, 403, 403, 200] },
  ],
  '/personale/henvisninger/kvittering/[id]': [
    { what: 'a referral the caseworker sent', params: (f) => ({ id: f.referralId }), get: [LOGIN, LOGIN, 200, 403, 403, 200] },
    { what: 'a referral another caseworker sent', params: (f) => ({ id: f.othersReferralId }), get: [LOGIN, LOGIN, 404, 403, 403, 200] },
  ],
  '/personale/optag': [{ get: LEADERS }],
  '/personale/optag/[enrollmentId]': [
    { what: 'a course in the group', params: (f) => ({ enrollmentId: f.enrollmentId }), get: OWN_GROUP },
    // Issue 6: an ended course's notes are for the coordinator only.
    { what: 'an ended course in the group', params: (f) => ({ enrollmentId: f.endedEnrollmentId }), get: COORDINATOR_ONLY },
  ],
  // The closing summary: the group's leaders write it after the end, so they (and the coordinator) may open it.
  '/personale/optag/[enrollmentId]/opsummering': [
    { what: 'an ended course in the group, with its summary', params: (f) => ({ enrollmentId: f.endedEnrollmentId }), get: OWN_GROUP },
  ],
  '/personale/boern/[childId]': [{ what: 'a child in the group', params: (f) => ({ childId: f.childId }), get: OWN_GROUP }],
  '/personale/boern/[id]/indsigt': [{ what: 'a child in the group', params: (f) => ({ id: f.childId }), get: COORDINATOR_ONLY }],
  '/personale/boern/[id]/indsigt.json': [{ what: 'a child in the group', params: (f) => ({ id: f.childId }), get: COORDINATOR_ONLY }],
  '/personale/grupper': [{ get: LEADERS }],
  '/personale/grupper/ny': [{ get: COORDINATOR_ONLY }],
  '/personale/grupper/[id]': [{ params: group, get: OWN_GROUP }],
  '/personale/grupper/[id]/moeder': [{ params: group, get: OWN_GROUP }],
  '/personale/moeder/[id]': [{ what: 'a meeting of the group', params: (f) => ({ id: f.meetingId }), get: OWN_GROUP }],
  '/personale/moeder/[id]/liste': [{ what: 'a meeting of the group', params: (f) => ({ id: f.meetingId }), get: OWN_GROUP }],
  '/personale/fremmoede': [{ get: LEADERS }],
  '/personale/fremmoede/[meetingId]': [{ what: 'a meeting of the group', params: (f) => ({ meetingId: f.meetingId }), get: OWN_GROUP }],
  // POST only (the attendance page's instant saves): a GET finds nothing.
  '/personale/fremmoede/[meetingId]/marks.json': [{ what: 'a meeting of the group', params: (f) => ({ meetingId: f.meetingId }), get: OWN_GROUP }],
  '/personale/feedback/[id]': [{ what: 'a meeting of the group held an hour ago', params: (f) => ({ id: f.meetingId }), get: OWN_GROUP }],
  '/personale/brugere': [{ get: COORDINATOR_ONLY }],
  '/personale/brugere/kommune-login': [{ get: COORDINATOR_ONLY }],
  '/personale/lukkede-perioder': [{ get: COORDINATOR_ONLY }],
  '/personale/tal': [{ get: COORDINATOR_ONLY }],
  '/personale/tal/[table].csv': [{ params: () => ({ table: 'forloeb' }), get: COORDINATOR_ONLY }],
  '/personale/log': [{ get: COORDINATOR_ONLY }],
  '/personale/log/eksport.csv': [{ get: COORDINATOR_ONLY }],
  '/personale/indstillinger': [{ get: COORDINATOR_ONLY }],
  '/personale/beskeder': [{ get: COORDINATOR_ONLY }],
};

// ---------------------------------------------------------------------------------------------
// Posts that must change nothing: every staff page with a form, posted by each role whose GET is refused (and by
// `alsoBy`: roles that may read the page but not use its form). Bodies are what the real form would send.

interface Post {
  route: string;
  params?: (f: Fixtures) => Record<string, string>;
  body: (f: Fixtures) => Record<string, string> | { json: unknown };
  alsoBy?: readonly Who[];
  /** Instead of the roles whose GET is refused (for a POST-only route). */
  refusedTo?: readonly Who[];
}

const POSTS: readonly Post[] = [
  { route: '/personale/brugere', body: () => ({ intent: 'create', name: 'Ulovlig Bruger', email: 'ulovlig@routes.e2e', role: 'coordinator' }) },
  { route: '/personale/brugere/kommune-login', body: () => ({ requestId: 'ingen-anmodning' }) },
  { route: '/personale/adgangsnoegler', body: () => ({ passkeyId: 'ingen-noegle' }) },
  { route: '/personale/adgangsnoegler/valg.json', refusedTo: ['anonymous', 'family'], body: () => ({ json: {} }) },
  { route: '/personale/adgangsnoegler/gem.json', refusedTo: ['anonymous', 'family'], body: () => ({ json: { challengeId: 'abcdefghijklmnopqrstu', response: { id: 'x' } } }) },
  { route: '/personale/lukkede-perioder', body: () => ({ intent: 'add', name: 'Ulovlig lukning', startDate: '2027-07-01', endDate: '2027-07-31', groupId: '' }) },
  { route: '/personale/indstillinger', body: () => ({ retentionMonths: '1' }) },
  { route: '/personale/beskeder', body: (f) => ({ intent: 'reminder', groupId: f.groupId, daysBefore: '3', time: '10:00' }) },
  { route: '/personale/grupper/ny', body: () => ({ name: 'Ulovlig gruppe', slug: 'ulovlig-gruppe', kind: 'girls', minAge: '7', maxAge: '15', capacity: '10', place: 'X', intakeRule: 'open' }) },
  { route: '/personale/grupper/[id]', params: group, alsoBy: ['leader'], body: () => ({ name: 'Omdøbt af en uvedkommende', capacity: '99' }) },
  { route: '/personale/moeder/[id]', params: (f) => ({ id: f.meetingId }), body: () => ({ intent: 'cancel', reason: 'Ulovligt aflyst', confirm: '1' }) },
  { route: '/personale/fremmoede/[meetingId]', params: (f) => ({ meetingId: f.meetingId }), body: () => ({ intent: 'all-present' }) },
  { route: '/personale/fremmoede/[meetingId]/marks.json', params: (f) => ({ meetingId: f.meetingId }), refusedTo: ['anonymous', 'family', 'caseworker', 'otherLeader'],
    body: (f) => ({ json: { marks: [{ enrollmentId: f.enrollmentId, mark: 'present', mutationId: `routes-${randomUUID()}`, clientTime: new Date().toISOString() }] } }) },
  { route: '/personale/feedback/[id]', params: (f) => ({ id: f.meetingId }), body: () => ({ question: 'tryg', score: '5' }) },
  { route: '/personale/boern/[childId]', params: (f) => ({ childId: f.childId }), body: () => ({ intent: 'revoke' }) },
  { route: '/personale/optag', body: (f) => ({ intent: 'reorder', enrollmentId: f.enrollmentId, position: '1', reason: 'Ulovligt' }) },
  { route: '/personale/optag/[enrollmentId]', params: (f) => ({ enrollmentId: f.enrollmentId }), body: () => ({ intent: 'end', endedOn: '2026-11-01', reason: 'Ulovligt afsluttet', confirm: '1' }) },
  { route: '/personale/optag/[enrollmentId]/opsummering', params: (f) => ({ enrollmentId: f.endedEnrollmentId }), body: () => ({ intent: 'save', body: 'Ulovligt rettet' }) },
  { route: '/personale/kalender', body: () => ({ intent: 'new' }) },
  // Withdrawing another caseworker's referral, confirmed, with a reason: refused to all but the coordinator.
  { route: '/personale/henvisninger/[id]', params: (f) => ({ id: f.othersReferralId }), refusedTo: ['anonymous', 'family', 'caseworker', 'otherLeader', 'leader'],
    body: () => ({ intent: 'withdraw', reason: 'Ulovligt trukket tilbage', confirm: 'ja' }) },
  { route: '/personale/henvisninger/ny', body: (f) => ({ groupId: f.groupId, childFirstName: 'Ulovlig', childLastName: 'Henvisning', birthDate: '2016-01-01', gender: 'girl', municipality: 'ishoj', reason: 'x', custodyConsent: 'on' }) },
  { route: '/familie/[token]', params: () => ({ token: WRONG_TOKEN }), body: (f) => ({ intent: 'absence', meetingId: f.meetingId, message: 'Ulovligt afbud' }) },
  { route: '/adgang/[token]', params: () => ({ token: WRONG_TOKEN }), body: () => ({ name: 'Ulovlig', email: 'ulovlig2@routes.e2e', password: 'en-lang-adgangskode-1', confirm: 'en-lang-adgangskode-1' }) },
];

/**
 * Tables a refused request may touch: its own audit entry, rate-limit counters, the session's sliding expiry; and the
 * outbox, which the server's worker sends from in the background while the checks run.
 */
const MAY_CHANGE = new Set(['audit_log', 'rate_limits', 'auth_sessions', 'kysely_migration', 'kysely_migration_lock', 'outbox_messages']);

// ---------------------------------------------------------------------------------------------

const ACCOUNTS: Record<'caseworker' | 'otherLeader' | 'leader' | 'coordinator', Account> = {
  caseworker: { email: 'cw@routes.e2e', password: 'routes-raadgiver-adgangskode-1', name: 'Rasmus Rådgiver' },
  otherLeader: { email: 'anden-leder@routes.e2e', password: 'routes-anden-leder-adgangskode-1', name: 'Anne Andengruppe' },
  leader: { email: 'leder@routes.e2e', password: 'routes-leder-adgangskode-1', name: 'Lone Ledersen' },
  coordinator: { email: 'coordinator@routes.e2e', password: 'routes-koordinator-adgangskode-1', name: 'Kirsten Koordinator' },
};

function fill(pattern: string, params: Record<string, string>): string {
  return pattern.replace(/\[(\w+)\]/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`No value for [${name}] in ${pattern}`);
    return encodeURIComponent(value);
  });
}

function answerOf(response: Response): Answer {
  if (response.status !== 303) return response.status as Answer;
  const location = response.headers.get('location') ?? '';
  const path = new URL(location, baseURL()).pathname;
  return `303 ${path}`;
}

function matches(expected: Answer, actual: Answer): boolean {
  if (typeof expected === 'number') return expected === actual;
  // "303 /logind" matches "303 /logind" (the query, e.g. ?naeste=…, is not part of the answer).
  return actual === expected;
}

async function snapshot(db: Kysely<Database>): Promise<Map<string, string>> {
  const tables = (await db.introspection.getTables()).map((t) => t.name).filter((name) => !MAY_CHANGE.has(name)).sort();
  const result = new Map<string, string>();
  for (const table of tables) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
    result.set(table, rows.rows.map((row) => JSON.stringify(row)).sort().join('\n'));
  }
  return result;
}

describe('route × role', () => {
  const browser = useBrowser();
  const handle = useServerDatabase();
  let fixtures: Fixtures;
  const cookies = new Map<Signer, string>();

  beforeAll(async () => {
    const db = handle.db;
    for (const [who, account] of Object.entries(ACCOUNTS)) {
      addAccount(inject('databaseUrl'), account, who === 'otherLeader' ? 'leader' : (who as 'caseworker' | 'leader' | 'coordinator'), who === 'caseworker' ? 'ishoj' : null);
    }
    const ids = Object.fromEntries(await Promise.all(Object.entries(ACCOUNTS).map(async ([who, account]) =>
      [who, (await db.selectFrom('users').select('id').where('email', '=', account.email).executeTakeFirstOrThrow()).id] as const)));
    const leaderActor: Actor = { user: { id: ids['leader'] ?? '', email: ACCOUNTS.leader.email, displayName: ACCOUNTS.leader.name, role: 'leader', municipality: null }, ip: null };

    const groupId = await addGroup(db, 'Rutegruppen');
    const otherGroupId = await addGroup(db, 'Andengruppen');
    await db.insertInto('group_leaders').values([
      { group_id: groupId, user_id: ids['leader'] ?? '' },
      { group_id: otherGroupId, user_id: ids['otherLeader'] ?? '' },
    ]).execute();
    for (const id of [groupId, otherGroupId]) {
      await db.insertInto('meeting_rules').values({
        id: randomUUID(), group_id: id, weekday: 3, nth: 1, start_time: '16:00', end_time: '18:00', on_closed: 'next_week', updated_at: new Date().toISOString(),
      }).execute();
    }
    // The girls' kind with open intake, so the parents' request form is there too.
    await db.updateTable('groups').set({ girls_only: 1 }).where('id', '=', groupId).execute();
    const slug = (await db.selectFrom('groups').select('slug').where('id', '=', groupId).executeTakeFirstOrThrow()).slug;
    const [meetingId = ''] = await addMeetings(db, groupId, [new Date(Date.now() - 3600_000).toISOString()]);
    await addMeetings(db, groupId, [new Date(Date.now() + 7 * 24 * 3600_000).toISOString()]);
    const child = await addChild(db, {
      groupId, firstName: 'Rutina', lastName: 'Rollesen', enrollmentState: 'active', startDate: '2026-01-07', endedOn: null,
      referralStatus: 'started', caseworkerId: ids['caseworker'] ?? null,
    });
    const ended = await addChild(db, {
      groupId, firstName: 'Afsluttina', lastName: 'Rollesen', enrollmentState: 'ended', startDate: '2025-01-08', endedOn: '2025-12-17', referralStatus: 'ended',
    });
    await db.insertInto('closing_summaries').values({
      id: randomUUID(), enrollment_id: ended.enrollmentId ?? '', child_id: ended.childId, version: 1, body: 'Afsluttina gik i gruppen.', state: 'draft',
      family_comment: null, written_by: null, created_at: new Date().toISOString(),
    }).execute();
    const otherCaseworker = await addStaff(db, 'caseworker', 'Anden Rådgiver');
    const othersChild = await addChild(db, {
      groupId, firstName: 'Fremmedina', lastName: 'Rollesen', enrollmentState: 'referred', startDate: null, endedOn: null, referralStatus: 'received', caseworkerId: otherCaseworker.user.id,
    });
    const { path: familyPath } = await issueFamilyLink(db, leaderActor, child.childId, new Date());
    const feedPath = await issueStaffFeedToken(db, ids['leader'] ?? '', new Date());
    const newcomer = await addStaff(db, 'leader', 'Nyansat Routes');
    const { setupUrlPath } = await issueSetupLink(db, { system: 'route × role test' }, newcomer.user.id, new Date());
    const lastSegment = (path: string) => path.split('/').filter(Boolean).at(-1)?.replace(/\.ics$/, '') ?? '';
    fixtures = {
      slug, groupId, meetingId, childId: child.childId, enrollmentId: child.enrollmentId ?? '', endedEnrollmentId: ended.enrollmentId ?? '', referralId: child.referralId,
      othersReferralId: othersChild.referralId, familyToken: lastSegment(familyPath), staffFeedToken: lastSegment(feedPath),
      setupToken: lastSegment(setupUrlPath),
      unsubscribeKey: 'routesunsubscribekey234567abcdefghijklm',
    };
    await db.updateTable('guardians').set({ message_channel: 'email', unsubscribe_key: fixtures.unsubscribeKey }).where('id', '=', child.guardianId).execute();

    for (const who of ['caseworker', 'otherLeader', 'leader', 'coordinator'] as const) {
      cookies.set(who, await signedInCookie(browser, ACCOUNTS[who]));
    }
    // The same two people through Ishøj's login (their accounts are linked by e-mail on the way).
    for (const [who, login] of [['caseworkerViaLogin', 'routes.cw'], ['leaderViaLogin', 'routes.leder']] as const) {
      const { context, page } = await newPage(browser);
      expect(await signInAtProvider(page, 'Ishøj Kommune', login)).toBe(303);
      cookies.set(who, (await context.cookies()).filter((c) => c.name === 'session').map((c) => `${c.name}=${c.value}`).join('; '));
      await context.close();
    }
  });

  function headersFor(who: Signer): Record<string, string> {
    const cookie = cookies.get(who);
    return cookie ? { cookie } : {};
  }

  /** Posts the form as `who` and names the tables whose rows changed. */
  async function postAndCompare(who: Signer, post: Post): Promise<{ answer: Answer; changed: string[] }> {
    const path = fill(post.route, post.params?.(fixtures) ?? {});
    const body = post.body(fixtures);
    const isJson = 'json' in body;
    const before = await snapshot(handle.db);
    const response = await fetch(`${baseURL()}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        ...headersFor(who),
        // The real origin, so the answer comes from the role check and not from Astro's cross-site check.
        origin: baseURL(),
        'content-type': isJson ? 'application/json' : 'application/x-www-form-urlencoded',
      },
      body: isJson ? JSON.stringify(body.json) : new URLSearchParams(body as Record<string, string>).toString(),
    });
    await response.arrayBuffer();
    const after = await snapshot(handle.db);
    return { answer: answerOf(response), changed: [...after].filter(([table, rows]) => before.get(table) !== rows).map(([table]) => table) };
  }

  it('sees a change a permitted post saves (the control for the checks below)', async () => {
    const calendar = POSTS.find((p) => p.route === '/personale/kalender');
    if (!calendar) throw new Error('No POST check for /personale/kalender');
    expect(await postAndCompare('coordinator', calendar)).toEqual({ answer: 200, changed: ['feed_tokens'] });
  });

  it('has a row for every route in src/pages, and no row for a route that is gone', () => {
    const routes = [...FILES.keys()].sort();
    const rows = Object.keys(ROUTES).sort();
    expect(routes.filter((r) => !rows.includes(r)), 'routes without a row in ROUTES').toEqual([]);
    expect(rows.filter((r) => !routes.includes(r)), 'rows for routes that do not exist').toEqual([]);
    const cases = Object.values(ROUTES).reduce((n, c) => n + c.length, 0);
    console.log(`route × role table: ${routes.length} routes (${cases} cases) × ${ROLES.length} roles = ${cases * ROLES.length} GET requests, and ${cases * Object.keys(VIA_LOGIN).length} more for the two signed in through the municipality’s login`);
  });

  it('covers every staff page with a form in the POST checks', () => {
    const withForm = [...FILES].filter(([route, file]) => {
      if (!route.startsWith('/personale')) return false;
      const source = readFileSync(file, 'utf8');
      return /method === 'POST'|export const POST/.test(source);
    }).map(([route]) => route).sort();
    const covered = POSTS.map((p) => p.route);
    expect(withForm.filter((r) => !covered.includes(r)), 'staff pages with a form and no POST check').toEqual([]);
    console.log(`POST checks on ${POSTS.length} forms: ${covered.join(', ')}`);
  });

  it.each(Object.keys(ROUTES))('GET %s answers each role as the table says', async (pattern) => {
    const problems: string[] = [];
    for (const one of ROUTES[pattern] ?? []) {
      for (const [index, who] of ROLES.entries()) {
        const path = fill(pattern, one.params?.(fixtures, who) ?? {});
        const response = await fetch(`${baseURL()}${path}`, { redirect: 'manual', headers: headersFor(who) });
        await response.arrayBuffer();
        const expected = one.get[index] as Answer;
        const actual = answerOf(response);
        if (!matches(expected, actual)) problems.push(`${who}${one.what ? ` (${one.what})` : ''}: expected ${expected}, got ${actual}`);
      }
      for (const [who, twin] of Object.entries(VIA_LOGIN)) {
        const path = fill(pattern, one.params?.(fixtures, twin) ?? {});
        const response = await fetch(`${baseURL()}${path}`, { redirect: 'manual', headers: headersFor(who as Signer) });
        await response.arrayBuffer();
        const expected = one.get[ROLES.indexOf(twin)] as Answer;
        const actual = answerOf(response);
        if (!matches(expected, actual)) problems.push(`${who}${one.what ? ` (${one.what})` : ''}: expected ${expected}, got ${actual}`);
      }
    }
    expect(problems, pattern).toEqual([]);
  });

  it.each(POSTS.map((p) => [p.route, p] as const))('POST %s by a role that may not use it changes nothing', async (_route, post) => {
    const row = ROUTES[post.route]?.[0];
    if (!row) throw new Error(`No GET row for ${post.route}`);
    const refusedRoles = post.refusedTo ?? ROLES.filter((who, i) => row.get[i] !== 200 || post.alsoBy?.includes(who));
    expect(refusedRoles.length).toBeGreaterThan(0);
    const twins = Object.entries(VIA_LOGIN).filter(([, twin]) => refusedRoles.includes(twin)).map(([who]) => who as Signer);
    const refused: Signer[] = [...refusedRoles, ...twins];
    const problems: string[] = [];
    for (const who of refused) {
      const { answer, changed } = await postAndCompare(who, post);
      const okRefusal = answer === 403 || answer === 404 || (!cookies.has(who) && answer === LOGIN);
      if (!okRefusal) problems.push(`${who}: answered ${answer}`);
      if (changed.length) problems.push(`${who}: changed ${changed.join(', ')}`);
    }
    expect(problems, post.route).toEqual([]);
  });
});
