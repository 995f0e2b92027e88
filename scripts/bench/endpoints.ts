// The pages the benchmark measures, and how many SQL statements each costs. The server has no debug counter: the
// count is taken in-process by calling the same service functions the pages call (plus the session lookup the
// middleware does on staff pages) against the same database, with statementCount() from src/lib/server/db.ts.
import type { Kysely } from 'kysely';
import { getAttendanceSheet } from '../../src/features/attendance/attendance.service';
import { validateSessionToken } from '../../src/features/auth/auth.service';
import { publicGroupFeed, publicGroupPage } from '../../src/features/feeds/feeds.service';
import { yearlyFigures } from '../../src/features/figures/figures.service';
import type { Database } from '../../src/lib/server/database';
import { statementCount } from '../../src/lib/server/db';
import type { SignedInAccount, Targets } from './dataset';

export type EndpointKey = 'feed' | 'feed304' | 'group' | 'attendance' | 'figures';

export interface Endpoint {
  key: EndpointKey;
  label: string;
  path: string;
  /** 'public' pages must ship no JavaScript; 'staff' pages are held to the p95 budget. */
  audience: 'public' | 'staff';
  html: boolean;
  expectedStatus: number;
  /** Headers for every request (cookie, If-None-Match); the 304 endpoint gets its ETag after the first fetch. */
  headers: Record<string, string>;
}

export function endpoints(t: Targets): Endpoint[] {
  return [
    { key: 'feed', label: `GET /grupper/${t.slug}.ics`, path: `/grupper/${t.slug}.ics`, audience: 'public', html: false, expectedStatus: 200, headers: {} },
    { key: 'feed304', label: `GET /grupper/${t.slug}.ics (If-None-Match)`, path: `/grupper/${t.slug}.ics`, audience: 'public', html: false, expectedStatus: 304, headers: {} },
    { key: 'group', label: `GET /grupper/${t.slug}`, path: `/grupper/${t.slug}`, audience: 'public', html: true, expectedStatus: 200, headers: {} },
    {
      key: 'attendance',
      label: `GET /personale/fremmoede/<id> (${t.meetingMembers} children, leader)`,
      path: `/personale/fremmoede/${t.meetingId}`,
      audience: 'staff',
      html: true,
      expectedStatus: 200,
      headers: { cookie: t.leader.cookie },
    },
    {
      key: 'figures',
      label: `GET /personale/tal?aar=${t.year} (coordinator)`,
      path: `/personale/tal?aar=${t.year}`,
      audience: 'staff',
      html: true,
      expectedStatus: 200,
      headers: { cookie: t.coordinator.cookie },
    },
  ];
}

type Counter = () => number;

async function staffCall(db: Kysely<Database>, account: SignedInAccount, now: Date, page: (user: SignedInAccount['user']) => Promise<unknown>): Promise<void> {
  const valid = await validateSessionToken(db, account.token, now);
  if (!valid) throw new Error('The bench session no longer validates.');
  await page(valid.user);
}

/** SQL statements per request of each endpoint, on this database. */
export async function queriesPerRequest(
  db: Kysely<Database>,
  t: Targets,
  now: Date,
  counter: Counter = statementCount,
): Promise<Record<EndpointKey, number>> {
  const ip = '127.0.0.1';
  const counted = async (work: () => Promise<unknown>): Promise<number> => {
    const before = counter();
    await work();
    return counter() - before;
  };
  // A first call warms nothing in the services (no caches), but do one anyway so a lazy first-use query cannot skew.
  await publicGroupFeed(db, t.slug, now);
  return {
    feed: await counted(() => publicGroupFeed(db, t.slug, now)),
    feed304: await counted(() => publicGroupFeed(db, t.slug, now)),
    group: await counted(() => publicGroupPage(db, t.slug, now)),
    attendance: await counted(() => staffCall(db, t.leader, now, (user) => getAttendanceSheet(db, { user, ip }, t.meetingId, now))),
    figures: await counted(() => staffCall(db, t.coordinator, now, (user) => yearlyFigures(db, { user, ip }, t.year, now))),
  };
}
