import type { CalendarEvent } from '../../lib/server/ical';
import type { GroupFacts } from '../../lib/server/rows';
import type { Locale } from '../../lib/time';
import { CONVERSATION_KIND_LABELS, type ConversationKind, type ConversationStatus } from '../lifecycle/lifecycle';
import type { MeetingRule } from '../schedule/schedule';

// What the public sees of a group (its page and its calendar feed) and what a staff member's own feed holds.
// Pure rules: no I/O, `now` is an argument. A public page or feed never carries a child's name; a staff feed
// carries at most a child's first name, and only in an event's description.

export const FEED_MONTHS_BACK = 2;
export const FEED_MONTHS_AHEAD = 12;
/** A cancelled meeting stays in the feed (marked AFLYST) this long after its date, then it is gone. */
export const CANCELLED_VISIBLE_DAYS = 14;

const DAY_MS = 24 * 60 * 60 * 1000;
const UID_DOMAIN = 'gruppeforloeb';

export type MeetingStatus = 'planned' | 'cancelled' | 'moved';

/** One group meeting as a feed needs it. */
export interface FeedMeeting {
  id: string;
  groupName: string;
  startsAt: Date;
  endsAt: Date;
  place: string;
  status: MeetingStatus;
  sequence: number;
  updatedAt: Date;
  /** Why a cancelled meeting is cancelled: set in a family's own feed only, never in a public or staff feed. */
  cancelReason?: string | null;
}

/** One conversation a staff member leads, as their feed needs it. */
export interface FeedConversation {
  id: string;
  kind: ConversationKind;
  groupName: string;
  childFirstName: string;
  startsAt: Date;
  endsAt: Date;
  place: string;
  status: ConversationStatus;
  sequence: number;
  updatedAt: Date;
}

/** A rendered feed and the validators a conditional GET compares against. */
export interface RenderedFeed {
  body: string;
  /** Strong ETag, quotes included: a hash of the exact bytes. */
  etag: string;
  /** The newest stored change among the events, or null for an empty feed. */
  lastModified: Date | null;
}

export const CANCELLED_PREFIX = 'AFLYST: ';

// ---------------------------------------------------------------------------------------------
// Which events a feed holds

function addUtcMonths(at: Date, months: number): Date {
  const d = new Date(at.getTime());
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

/** The instants a feed reaches: from two months back to twelve months ahead of `now`. */
export function feedWindow(now: Date): { from: Date; to: Date } {
  return { from: addUtcMonths(now, -FEED_MONTHS_BACK), to: addUtcMonths(now, FEED_MONTHS_AHEAD) };
}

/** Is a meeting in the window, and (when cancelled) still within two weeks of its date? */
export function isShownInFeed(item: { startsAt: Date; cancelled: boolean }, now: Date): boolean {
  const { from, to } = feedWindow(now);
  const start = item.startsAt.getTime();
  if (start < from.getTime() || start >= to.getTime()) return false;
  if (item.cancelled && start + CANCELLED_VISIBLE_DAYS * DAY_MS <= now.getTime()) return false;
  return true;
}

export function meetingUid(meetingId: string): string {
  return `${meetingId}@${UID_DOMAIN}`;
}

export function conversationUid(conversationId: string): string {
  return `samtale-${conversationId}@${UID_DOMAIN}`;
}

/** A group meeting as a calendar event: the group's name, "Gruppemøde" and the place. Never a name or a note. */
export function meetingEvent(meeting: FeedMeeting): CalendarEvent {
  const cancelled = meeting.status === 'cancelled';
  const summary = `${meeting.groupName} – Gruppemøde`;
  return {
    uid: meetingUid(meeting.id),
    sequence: meeting.sequence,
    start: meeting.startsAt,
    end: meeting.endsAt,
    stamp: meeting.updatedAt,
    lastModified: meeting.updatedAt,
    summary: cancelled ? `${CANCELLED_PREFIX}${summary}` : summary,
    description: cancelled
      ? meeting.cancelReason ? `Mødet er aflyst. Grund: ${meeting.cancelReason}` : 'Mødet er aflyst.'
      : meeting.status === 'moved'
        ? 'Mødet er flyttet til denne dag og dette tidspunkt.'
        : null,
    location: meeting.place,
    cancelled,
  };
}

/** A conversation in a staff feed: the kind and the group in the title, the child's first name at most below. */
export function conversationEvent(conversation: FeedConversation): CalendarEvent {
  const cancelled = conversation.status === 'cancelled';
  const summary = `${CONVERSATION_KIND_LABELS[conversation.kind]} – ${conversation.groupName}`;
  return {
    uid: conversationUid(conversation.id),
    sequence: conversation.sequence,
    start: conversation.startsAt,
    end: conversation.endsAt,
    stamp: conversation.updatedAt,
    lastModified: conversation.updatedAt,
    summary: cancelled ? `${CANCELLED_PREFIX}${summary}` : summary,
    description: `Barnets fornavn: ${conversation.childFirstName}${cancelled ? '\nSamtalen er aflyst.' : ''}`,
    location: conversation.place,
    cancelled,
  };
}

function byStartThenUid(a: CalendarEvent, b: CalendarEvent): number {
  return a.start.getTime() - b.start.getTime() || (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0);
}

/** The events of a feed, in a fixed order so the same data always gives the same bytes. */
export function feedEvents(
  meetings: readonly FeedMeeting[],
  conversations: readonly FeedConversation[],
  now: Date,
): CalendarEvent[] {
  return [
    ...meetings
      .filter((s) => isShownInFeed({ startsAt: s.startsAt, cancelled: s.status === 'cancelled' }, now))
      .map(meetingEvent),
    ...conversations
      .filter((c) => isShownInFeed({ startsAt: c.startsAt, cancelled: c.status === 'cancelled' }, now))
      .map(conversationEvent),
  ].sort(byStartThenUid);
}

// ---------------------------------------------------------------------------------------------
// Last-Modified from stored timestamps (the ETag and the HTTP validators live in lib/server/etag.ts and
// lib/http-cache.ts)

export function newestChange(events: readonly CalendarEvent[]): Date | null {
  let newest: number | null = null;
  for (const e of events) {
    const t = e.lastModified.getTime();
    if (newest === null || t > newest) newest = t;
  }
  return newest === null ? null : new Date(newest);
}

// Still imported from here by the pages, which another change is rewriting; new code imports lib/http-cache.
export { conditionalResponse, httpDate, publicCacheControl } from '../../lib/http-cache';

// ---------------------------------------------------------------------------------------------
// Addresses and secret tokens

export function groupFeedPath(slug: string): string {
  return `/grupper/${slug}.ics`;
}

export function staffFeedPath(token: string): string {
  return `/kalender/personale/${token}.ics`;
}

/** The https link and the webcal:// link (Apple Calendar, Outlook) for a feed at `path` on `origin`. */
export function calendarLinks(origin: string, path: string): { https: string; webcal: string } {
  const https = new URL(path, origin).toString();
  return { https, webcal: https.replace(/^https?:\/\//, 'webcal://') };
}

/** 24 random bytes in lower-case base32 without padding: 39 characters. */
const FEED_TOKEN = /^[a-z2-7]{39}$/;

export function isWellFormedFeedToken(token: string): boolean {
  return FEED_TOKEN.test(token);
}

// ---------------------------------------------------------------------------------------------
// The public group page

export function freePlaces(capacity: number, activeEnrollments: number): number {
  return Math.max(0, capacity - activeEnrollments);
}

/** "2 ledige pladser", "1 ledig plads", "Ingen ledige pladser lige nu". */
export function freePlacesText(places: number, locale: Locale): string {
  if (locale === 'en') {
    if (places === 0) return 'No free places right now';
    return places === 1 ? '1 free place' : `${places} free places`;
  }
  if (places === 0) return 'Ingen ledige pladser lige nu';
  return places === 1 ? '1 ledig plads' : `${places} ledige pladser`;
}

/** Who a group is for, from its stored facts: "Piger fra 7 til 15 år". */
export function audienceText(
  group: { girlsOnly: boolean; kind: 'girls' | 'siblings'; minAge: number; maxAge: number },
  locale: Locale,
): string {
  const ages = locale === 'da' ? `fra ${group.minAge} til ${group.maxAge} år` : `aged ${group.minAge} to ${group.maxAge}`;
  const young = group.minAge >= 13;
  if (locale === 'en') {
    const who = group.girlsOnly ? 'Girls' : young ? 'Young people' : 'Children';
    return group.kind === 'siblings' ? `${who} ${ages} who have a brother or sister with a disability` : `${who} ${ages}`;
  }
  const who = group.girlsOnly ? 'Piger' : young ? 'Unge' : 'Børn';
  return group.kind === 'siblings' ? `${who} ${ages}, som har en bror eller søster med et handicap` : `${who} ${ages}`;
}

/** The facts of a group its public page shows (the shared decoding of a group's row); the words come from content files. */
export interface PublicGroup extends GroupFacts {
  /** null while a group has no meeting rule yet. */
  rule: MeetingRule | null;
}

/** A coming meeting on a public page: date, time and whether it is cancelled. Nothing else. */
export interface PublicMeeting {
  startsAt: Date;
  endsAt: Date;
  cancelled: boolean;
}

export interface PublicGroupPage {
  group: PublicGroup;
  /** Only for groups with open intake (a new child starts when there is a place); else null. */
  freePlaces: number | null;
  nextMeetings: PublicMeeting[];
}

/** How many coming meetings a public page lists. */
export const PUBLIC_NEXT_MEETINGS = 6;
