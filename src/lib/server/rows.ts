import type { Selectable } from 'kysely';
import type {
  ChildrenTable, ConversationsTable, EnrollmentsTable, MeetingsTable, GroupsTable, GuardiansTable, Municipality, ReferralsTable,
} from './database';

// One decoding per stored row of the tables that several features read whole: flags 0/1 become booleans, instants
// (ISO text) become Dates, bigints become numbers. Repositories that read a whole row call these; a query that joins
// and picks a few columns maps its own projection.

const flag = (value: number): boolean => Number(value) === 1;

/** A list of strings stored as JSON text; text that is not such a list reads as an empty list. */
export function stringListFromJson(text: string): string[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

export interface Child {
  id: string;
  firstName: string;
  lastName: string;
  /** 'YYYY-MM-DD' */
  birthDate: string;
  gender: 'girl' | 'boy' | 'other' | null;
  municipality: Municipality;
  hasSiblingWithDisability: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export function childFromRow(row: Selectable<ChildrenTable>): Child {
  return {
    id: row.id,
    firstName: row.first_name,
    lastName: row.last_name,
    birthDate: row.birth_date,
    gender: row.gender,
    municipality: row.municipality,
    hasSiblingWithDisability: flag(row.has_sibling_with_disability),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export interface Guardian {
  id: string;
  childId: string;
  name: string;
  phone: string | null;
  email: string | null;
  hasCustody: boolean;
  needsInterpreter: boolean;
  interpreterLanguage: string | null;
  createdAt: Date;
}

export function guardianFromRow(row: Selectable<GuardiansTable>): Guardian {
  return {
    id: row.id,
    childId: row.child_id,
    name: row.name,
    phone: row.phone,
    email: row.email,
    hasCustody: flag(row.has_custody),
    needsInterpreter: flag(row.needs_interpreter),
    interpreterLanguage: row.interpreter_language,
    createdAt: new Date(row.created_at),
  };
}

export interface Referral {
  id: string;
  reference: string;
  groupId: string;
  childId: string;
  source: 'caseworker' | 'parent';
  caseworkerId: string | null;
  status: string;
  reason: string;
  custodyConsent: boolean;
  queueRank: number | null;
  statusReason: string | null;
  receivedAt: Date;
  updatedAt: Date;
}

export function referralFromRow(row: Selectable<ReferralsTable>): Referral {
  return {
    id: row.id,
    reference: row.reference,
    groupId: row.group_id,
    childId: row.child_id,
    source: row.source,
    caseworkerId: row.caseworker_id,
    status: row.status,
    reason: row.reason,
    custodyConsent: flag(row.custody_consent),
    queueRank: row.queue_rank === null ? null : Number(row.queue_rank),
    statusReason: row.status_reason,
    receivedAt: new Date(row.received_at),
    updatedAt: new Date(row.updated_at),
  };
}

export interface Enrollment {
  id: string;
  childId: string;
  groupId: string;
  referralId: string | null;
  /** The course state; the enrollment feature narrows it to its own type. */
  state: string;
  intakeWindowId: string | null;
  startDate: string | null;
  plannedEndDate: string | null;
  endedOn: string | null;
  endReason: string | null;
  /** The coordinator's age exception, when a child outside the age band may start anyway. */
  ageException: { reason: string; byUserId: string | null; at: Date } | null;
  createdAt: Date;
  updatedAt: Date;
}

export function enrollmentFromRow(row: Selectable<EnrollmentsTable>): Enrollment {
  return {
    id: row.id,
    childId: row.child_id,
    groupId: row.group_id,
    referralId: row.referral_id,
    state: row.state,
    intakeWindowId: row.intake_window_id,
    startDate: row.start_date,
    plannedEndDate: row.planned_end_date,
    endedOn: row.ended_on,
    endReason: row.end_reason,
    ageException:
      row.age_exception_reason === null
        ? null
        : { reason: row.age_exception_reason, byUserId: row.age_exception_by, at: new Date(row.age_exception_at ?? row.updated_at) },
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** What a group is, as staff pages and public pages both show it (not its archive or edit stamps). */
export interface GroupFacts {
  id: string;
  slug: string;
  name: string;
  kind: 'girls' | 'siblings';
  minAge: number;
  maxAge: number;
  girlsOnly: boolean;
  capacity: number;
  place: string;
  intakeRule: 'open' | 'quarterly';
  /** null: no fixed maximum. */
  maxCourseMonths: number | null;
  publicDescription: string;
}

export type GroupFactsRow = Pick<
  Selectable<GroupsTable>,
  'id' | 'slug' | 'name' | 'kind' | 'min_age' | 'max_age' | 'girls_only' | 'capacity' | 'place' | 'intake_rule' | 'max_course_months' | 'public_description'
>;

/** The columns groupFromRow reads, for a query that selects them from `groups` alone. */
export const GROUP_FACT_COLUMNS = [
  'id', 'slug', 'name', 'kind', 'min_age', 'max_age', 'girls_only', 'capacity', 'place', 'intake_rule', 'max_course_months', 'public_description',
] as const satisfies readonly (keyof GroupFactsRow)[];

/** The same columns named with their table, for a query that joins `groups` with another table. */
export const GROUP_FACT_REFS = GROUP_FACT_COLUMNS.map((column) => `groups.${column}` as const);

export function groupFromRow(row: GroupFactsRow): GroupFacts {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    kind: row.kind,
    minAge: Number(row.min_age),
    maxAge: Number(row.max_age),
    girlsOnly: flag(row.girls_only),
    capacity: Number(row.capacity),
    place: row.place,
    intakeRule: row.intake_rule,
    maxCourseMonths: row.max_course_months === null ? null : Number(row.max_course_months),
    publicDescription: row.public_description,
  };
}

/** A group meeting with its group's name, as a sheet, a message, a feed or the family page shows it. */
/** What a meeting and a conversation both are: a time and a place in a group. */
export interface GroupTimeAndPlace {
  groupName: string;
  startsAt: Date;
  endsAt: Date;
  place: string;
}

export interface GroupMeeting extends GroupTimeAndPlace {
  id: string;
  groupId: string;
  status: MeetingsTable['status'];
}

/** The columns meetingFromRow reads, from `meetings` joined with `groups` (selectMeetings in queries.ts). */
export const GROUP_MEETING_COLUMNS = [
  'meetings.id', 'meetings.group_id', 'groups.name as group_name', 'meetings.starts_at',
  'meetings.ends_at', 'meetings.place', 'meetings.status',
] as const;

export interface GroupMeetingRow {
  id: string;
  group_id: string;
  group_name: string;
  starts_at: string;
  ends_at: string;
  place: string;
  status: MeetingsTable['status'];
}

export function meetingFromRow(row: GroupMeetingRow): GroupMeeting {
  return { id: row.id, groupId: row.group_id, ...whenAndWhereFromRow(row), status: row.status };
}

function whenAndWhereFromRow(row: { group_name: string; starts_at: string; ends_at: string; place: string }): GroupTimeAndPlace {
  return { groupName: row.group_name, startsAt: new Date(row.starts_at), endsAt: new Date(row.ends_at), place: row.place };
}

/** What a calendar client compares to see that an event changed: its SEQUENCE and its last change. */
export interface CalendarStamp {
  sequence: number;
  updatedAt: Date;
}

export function calendarStampFromRow(row: { sequence: number; updated_at: string }): CalendarStamp {
  return { sequence: Number(row.sequence), updatedAt: new Date(row.updated_at) };
}

/** A conversation as a calendar (the family page, a feed) shows it: no outcome, no note. */
export interface CalendarConversation extends GroupTimeAndPlace, CalendarStamp {
  id: string;
  kind: ConversationsTable['kind'];
  status: ConversationsTable['status'];
}

/** The columns calendarConversationFromRow reads, from `conversations` joined with `groups`. */
export const CALENDAR_CONVERSATION_COLUMNS = [
  'conversations.id', 'conversations.kind', 'groups.name as group_name', 'conversations.starts_at',
  'conversations.ends_at', 'conversations.place', 'conversations.status', 'conversations.sequence',
  'conversations.updated_at',
] as const;

export interface CalendarConversationRow {
  id: string;
  kind: ConversationsTable['kind'];
  group_name: string;
  starts_at: string;
  ends_at: string;
  place: string;
  status: ConversationsTable['status'];
  sequence: number;
  updated_at: string;
}

export function calendarConversationFromRow(row: CalendarConversationRow): CalendarConversation {
  return { id: row.id, kind: row.kind, ...whenAndWhereFromRow(row), status: row.status, ...calendarStampFromRow(row) };
}
