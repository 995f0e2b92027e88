import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ForbiddenError } from '../../lib/errors';
import type { Database } from '../../lib/server/database';
import { strongEtag } from '../../lib/server/etag';
import { renderCalendar } from '../../lib/server/ical';
import { generateSecret, sha256Hex } from '../../lib/server/tokens';
import { recordAudit } from '../audit/audit.service';
import type { FeedConversation, FeedMeeting, PublicGroup, PublicGroupPage, RenderedFeed } from './feeds';
import {
  PUBLIC_NEXT_MEETINGS,
  feedEvents,
  feedWindow,
  freePlaces,
  isWellFormedFeedToken,
  newestChange,
  staffFeedPath,
} from './feeds';
import {
  countMembers,
  insertFeedToken,
  revokeFeedTokens,
  selectActiveFeedTokenCreatedAt,
  selectActiveStaffUser,
  selectConversationsInvitingCaseworker,
  selectConversationsLedBy,
  selectFeedMeetings,
  selectFeedTokenOwner,
  selectNextMeetings,
  selectPublicGroupBySlug,
  selectPublicGroups,
} from './feeds.repository';
import { selectGroupIdsLedBy } from '../groups/groups.repository';

type Db = Kysely<Database>;

function renderFeed(
  name: string,
  description: string,
  meetings: readonly FeedMeeting[],
  conversations: readonly FeedConversation[],
  now: Date,
): RenderedFeed {
  const events = feedEvents(meetings, conversations, now);
  const body = renderCalendar({ name, description, events });
  return { body, etag: strongEtag(body), lastModified: newestChange(events) };
}

// ---------------------------------------------------------------------------------------------
// Public: group pages and group feeds (no names, ever)

/** The public feed of a running group: its meetings, two months back and twelve ahead. Null: no such group. */
export async function publicGroupFeed(db: Db, slug: string, now: Date): Promise<RenderedFeed | null> {
  const group = await selectPublicGroupBySlug(db, slug);
  if (!group) return null;
  const { from, to } = feedWindow(now);
  const meetings = await selectFeedMeetings(db, [group.id], from, to);
  return renderFeed(group.name, `Møder i ${group.name}. ${group.place}.`, meetings, [], now);
}

/** The running groups for the front page. */
export async function publicGroups(db: Db): Promise<PublicGroup[]> {
  return selectPublicGroups(db);
}

/** What a group's public page shows from the database. Null: no such group (or archived). */
export async function publicGroupPage(db: Db, slug: string, now: Date): Promise<PublicGroupPage | null> {
  const group = await selectPublicGroupBySlug(db, slug);
  if (!group) return null;
  const [active, nextMeetings] = await Promise.all([
    group.intakeRule === 'open' ? countMembers(db, group.id) : Promise.resolve(null),
    selectNextMeetings(db, group.id, now, PUBLIC_NEXT_MEETINGS),
  ]);
  return { group, freePlaces: active === null ? null : freePlaces(group.capacity, active), nextMeetings };
}

// ---------------------------------------------------------------------------------------------
// Staff: a personal feed behind a secret, revocable link

/**
 * A staff member's own feed: the meetings of the groups they lead (a coordinator: every group) and the
 * conversations they lead. Null when the token is unknown, revoked, or its owner's account is disabled.
 */
export async function staffFeed(db: Db, token: string, now: Date): Promise<RenderedFeed | null> {
  if (!isWellFormedFeedToken(token)) return null;
  const owner = await selectFeedTokenOwner(db, sha256Hex(token));
  if (!owner) return null;
  const { from, to } = feedWindow(now);
  if (owner.role === 'caseworker') {
    // A caseworker's feed: only the conversations they are invited to, for their own referrals.
    const invited = await selectConversationsInvitingCaseworker(db, owner.userId, from, to);
    return renderFeed('Gruppeforløb – mine samtaler', 'Samtaler, du er inviteret til. Linket er personligt.', [], invited, now);
  }
  const groupIds = owner.role === 'coordinator' ? null : await selectGroupIdsLedBy(db, owner.userId);
  const [meetings, conversations] = await Promise.all([
    selectFeedMeetings(db, groupIds, from, to),
    selectConversationsLedBy(db, owner.userId, from, to),
  ]);
  return renderFeed('Gruppeforløb – mine møder', 'Dine gruppemøder og samtaler. Linket er personligt.', meetings, conversations, now);
}


/**
 * Makes a new personal feed link for a group leader or coordinator and revokes the old one.
 * Returns the new URL path (the token is in it and is not stored: show it once).
 */
export async function issueStaffFeedToken(db: Db, userId: string, now: Date): Promise<string> {
  const token = generateSecret();
  await db.transaction().execute(async (trx) => {
    const user = await selectActiveStaffUser(trx, userId);
    if (!user) throw new ForbiddenError('Kalenderlinks er for medarbejdere med en konto.');
    const revoked = await revokeFeedTokens(trx, userId, now);
    const id = randomUUID();
    await insertFeedToken(trx, { id, userId, tokenHash: sha256Hex(token), createdAt: now });
    await recordAudit(
      trx,
      { user, ip: null },
      [{ action: 'create', entityType: 'feed_token', entityId: id, detail: revoked > 0 ? 'det gamle link er slået fra' : null }],
      now,
    );
  });
  return staffFeedPath(token);
}

/** When the staff member's live feed link was made, or null when they have none. */
export async function staffFeedLinkCreatedAt(db: Db, userId: string): Promise<Date | null> {
  return selectActiveFeedTokenCreatedAt(db, userId);
}
