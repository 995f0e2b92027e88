// The course lifecycle (forløb), in one place: every state a course can be in, every step between them, and what
// each state means elsewhere (places in the group, the figures, retention, the caseworker's view, the
// conversations that belong to it). Every other module imports these tables; none keeps its own list of states.
//
// The tables are typed as total records over the state and event names, so adding a state or a step without
// saying what it means everywhere fails to compile. Pure: no I/O.

import type { ConversationsTable } from '../../lib/server/database';
import type { GroupKind } from '../groups/groups';
import type { IsoDate } from '../../lib/time';
import { addDays, compareDates, monthName, parseIsoDate } from '../../lib/time';

// ---------------------------------------------------------------------------------------------
// States

export const ENROLLMENT_STATES = [
  'referred',
  'intake_booked',
  'intake_held',
  'waiting',
  'active',
  'closing_booked',
  'ended',
  'declined',
  'withdrawn',
] as const;
export type EnrollmentState = (typeof ENROLLMENT_STATES)[number];

/** A referral as the caseworker (or the parent who asked) follows it: the caseworker's view of the course. */
export const REFERRAL_STATUSES = ['received', 'intake_booked', 'waiting', 'started', 'ended', 'declined', 'withdrawn'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

export const REFERRAL_STATUS_LABELS: Record<ReferralStatus, string> = {
  received: 'Modtaget',
  intake_booked: 'Samtale aftalt',
  waiting: 'Venter på optag',
  started: 'Startet',
  ended: 'Afsluttet',
  declined: 'Afvist',
  withdrawn: 'Trukket tilbage',
};

/** The kinds of conversation a course has (the conversations table's `kind`). */
export const CONVERSATION_KINDS = ['intake', 'parent', 'follow_up', 'closing'] as const;
export type ConversationKind = (typeof CONVERSATION_KINDS)[number];
// The table's column (lib/server/database.ts, which cannot import features) holds exactly these kinds: a kind added
// on one side only fails to compile here.
const KINDS_MATCH_THE_TABLE: [ConversationKind, ConversationsTable['kind']] extends [ConversationsTable['kind'], ConversationKind] ? true : never = true;
void KINDS_MATCH_THE_TABLE;

export const CONVERSATION_KIND_LABELS: Record<ConversationKind, string> = {
  intake: 'Indledende samtale',
  parent: 'Forældresamtale',
  follow_up: 'Opfølgningssamtale',
  closing: 'Afsluttende samtale',
};

/** `skipped`: a conversation the course may leave out (the follow-up), left out with a reason in the note. */
export const CONVERSATION_STATUSES = ['booked', 'held', 'cancelled', 'skipped'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];
export const CONVERSATION_STATUS_LABELS: Record<ConversationStatus, string> = {
  booked: 'Aftalt',
  held: 'Holdt',
  cancelled: 'Aflyst',
  skipped: 'Sprunget over',
};

/**
 * Where a state stands in the course:
 * - `inbox`: a referral the centre is still looking at (before or around the intake conversation);
 * - `waiting`: on the waiting list, no place yet;
 * - `member`: holds a place in the group;
 * - `over`: the course is over (ended, declined or withdrawn) and never moves again.
 */
export type Phase = 'inbox' | 'waiting' | 'member' | 'over';

export interface StateRule {
  /** What staff read. */
  label: string;
  phase: Phase;
  /** The caseworker's view of the same course (stored on the referral, kept in step by `referralStatusFor`). */
  referralStatus: ReferralStatus;
  /** The course began in the group: counted in the yearly figures, kept as counts by retention. */
  started: boolean;
}

export const STATES: { readonly [S in EnrollmentState]: StateRule } = {
  referred: { label: 'Henvist', phase: 'inbox', referralStatus: 'received', started: false },
  intake_booked: { label: 'Indledende samtale aftalt', phase: 'inbox', referralStatus: 'intake_booked', started: false },
  intake_held: { label: 'Indledende samtale holdt', phase: 'inbox', referralStatus: 'waiting', started: false },
  waiting: { label: 'Venter på optag', phase: 'waiting', referralStatus: 'waiting', started: false },
  active: { label: 'Går i gruppen', phase: 'member', referralStatus: 'started', started: true },
  closing_booked: { label: 'Afsluttende samtale aftalt', phase: 'member', referralStatus: 'started', started: true },
  ended: { label: 'Afsluttet', phase: 'over', referralStatus: 'ended', started: true },
  declined: { label: 'Afvist', phase: 'over', referralStatus: 'declined', started: false },
  withdrawn: { label: 'Trukket tilbage', phase: 'over', referralStatus: 'withdrawn', started: false },
};

function statesWhere(test: (rule: StateRule) => boolean): readonly EnrollmentState[] {
  return ENROLLMENT_STATES.filter((s) => test(STATES[s]));
}

/** States that hold a place in the group. */
export const MEMBER_STATES = statesWhere((r) => r.phase === 'member');
/** States the referral inbox lists: new, intake booked, intake held. */
export const INBOX_STATES = statesWhere((r) => r.phase === 'inbox');
/** States a course never leaves. */
export const FINAL_STATES = statesWhere((r) => r.phase === 'over');
/** States that are not over (the course can still move). */
export const OPEN_STATES = statesWhere((r) => r.phase !== 'over');
/** States of a course that began in the group (figures count them; retention keeps them as counts). */
export const STARTED_STATES = statesWhere((r) => r.started);
/** Referral statuses that mean the referral is closed (its course is over). */
export const CLOSED_REFERRAL_STATUSES: readonly ReferralStatus[] = [...new Set(FINAL_STATES.map((s) => STATES[s].referralStatus))];

export const ENROLLMENT_STATE_LABELS: { readonly [S in EnrollmentState]: string } = Object.fromEntries(
  ENROLLMENT_STATES.map((s) => [s, STATES[s].label]),
) as { [S in EnrollmentState]: string };

export function isEnrollmentState(value: string): value is EnrollmentState {
  return (ENROLLMENT_STATES as readonly string[]).includes(value);
}

export function isReferralStatus(value: string): value is ReferralStatus {
  return (REFERRAL_STATUSES as readonly string[]).includes(value);
}

export function isFinalState(state: EnrollmentState): boolean {
  return STATES[state].phase === 'over';
}

export function isMemberState(state: EnrollmentState): boolean {
  return STATES[state].phase === 'member';
}

/** The referral status the caseworker sees for a course state. */
export function referralStatusFor(state: EnrollmentState): ReferralStatus {
  return STATES[state].referralStatus;
}

/** A stored state as staff read it; an unknown stored value is shown as it is. */
export function enrollmentStateLabel(state: string): string {
  return isEnrollmentState(state) ? STATES[state].label : state;
}

/** A referral status as a caseworker reads it; an unknown stored value is shown as it is. */
export function referralStatusLabel(status: string): string {
  return isReferralStatus(status) ? REFERRAL_STATUS_LABELS[status] : status;
}

// ---------------------------------------------------------------------------------------------
// Read on a date: a place that has not begun yet

/** A course with a place has begun once its start date (the start meeting's day, Copenhagen) has come. */
export function hasBegun(startDate: IsoDate | null, today: IsoDate): boolean {
  return startDate !== null && startDate <= today;
}

/** "Starter 5. januar": a child admitted for a later start meeting. */
export function startsOnLabel(startDate: IsoDate): string {
  return `Starter ${Number(startDate.slice(8, 10))}. ${monthName(Number(startDate.slice(5, 7)), 'da')}`;
}

/**
 * A course's state as staff read it on `today`: a child who holds a place but whose start meeting is still ahead
 * reads "Starter 5. januar", not "Går i gruppen".
 */
export function courseStateLabel(state: string, startDate: IsoDate | null, today: IsoDate): string {
  if (isEnrollmentState(state) && isMemberState(state) && startDate !== null && !hasBegun(startDate, today)) return startsOnLabel(startDate);
  return enrollmentStateLabel(state);
}

/** The caseworker's status on `today`: "Startet" only from the start meeting on; before it "Starter 5. januar". */
export function caseworkerStatusLabel(status: string, startDate: IsoDate | null, today: IsoDate): string {
  if (status === 'started' && startDate !== null && !hasBegun(startDate, today)) return startsOnLabel(startDate);
  return referralStatusLabel(status);
}

/**
 * What comes next for a member, as the group's member list says it: the start ("Starter 5. januar"), the closing
 * conversation when the course is near or past its length (`courseDue`), or the end once that conversation is booked.
 */
export function memberNextStep(state: EnrollmentState, startDate: IsoDate | null, today: IsoDate, courseDue: boolean): string {
  if (!hasBegun(startDate, today) && startDate !== null) return startsOnLabel(startDate);
  if (STEPS.end.moves[state] !== undefined) return 'Afslut forløbet efter den afsluttende samtale';
  if (STEPS.book_closing.moves[state] !== undefined) return courseDue ? 'Aftal den afsluttende samtale' : 'Går i gruppen';
  return enrollmentStateLabel(state);
}

// ---------------------------------------------------------------------------------------------
// Steps (events)

/**
 * Whether a course ends with a closing conversation: the siblings group's appendix names one at the end of every
 * course; the girls' group's names none, so there it is offered and a course may end without it (with a reason).
 */
export type ClosingConversationRule = 'required' | 'offered';
export const CLOSING_CONVERSATION: { readonly [K in GroupKind]: ClosingConversationRule } = {
  siblings: 'required',
  girls: 'offered',
};

export type IntakeOutcome = 'fits' | 'does_not_fit';

export type EnrollmentEvent =
  | { type: 'book_intake' }
  | { type: 'rebook_intake' }
  | { type: 'hold_intake'; outcome: IntakeOutcome }
  | { type: 'place_on_waiting_list'; intakeOutcome: IntakeOutcome | null }
  | { type: 'start'; startDate: IsoDate }
  | { type: 'book_closing' }
  | { type: 'end' }
  | { type: 'end_without_closing'; reason: string; closing: ClosingConversationRule }
  | { type: 'move_band' }
  | { type: 'decline'; reason: string }
  | { type: 'withdraw'; reason: string };

export type EnrollmentEventType = EnrollmentEvent['type'];
type EventOf<T extends EnrollmentEventType> = Extract<EnrollmentEvent, { type: T }>;

export interface StepRule<T extends EnrollmentEventType> {
  /** The states the step may be taken from, each with the state it leads to. */
  moves: Partial<Record<EnrollmentState, EnrollmentState>>;
  /** Why the step is refused from any other state, in Danish. */
  refusal: string;
  /** A further check on the step's own data: a message when it fails, null when it passes. */
  guard?: (event: EventOf<T>) => string | null;
  /** The conversation the step books or records as held, if any. */
  conversation?: { kind: ConversationKind; does: 'book' | 'hold' };
}

/** Any state that is not over leads to `to` (declining and withdrawing are possible at every step before the end). */
function fromEveryOpenState(to: EnrollmentState): Partial<Record<EnrollmentState, EnrollmentState>> {
  return Object.fromEntries(OPEN_STATES.map((s) => [s, to]));
}

const needsReason = (event: { reason: string }): string | null => (event.reason.trim() === '' ? 'Skriv en begrundelse.' : null);

export const STEPS: { readonly [T in EnrollmentEventType]: StepRule<T> } = {
  book_intake: {
    moves: { referred: 'intake_booked' },
    refusal: 'Der kan kun aftales en indledende samtale for en ny henvisning.',
    conversation: { kind: 'intake', does: 'book' },
  },
  rebook_intake: {
    moves: { intake_booked: 'intake_booked' },
    refusal: 'Der er ingen aftalt indledende samtale at flytte.',
    conversation: { kind: 'intake', does: 'book' },
  },
  hold_intake: {
    moves: { intake_booked: 'intake_held' },
    refusal: 'Der er ingen aftalt indledende samtale at skrive udfaldet af.',
    conversation: { kind: 'intake', does: 'hold' },
  },
  place_on_waiting_list: {
    moves: { intake_held: 'waiting' },
    refusal: 'Barnet kan først komme på ventelisten, når den indledende samtale er holdt.',
    guard: (e) => (e.intakeOutcome === 'fits' ? null : 'Samtalen viste, at gruppen ikke passer. Afvis henvisningen i stedet.'),
  },
  start: {
    moves: { waiting: 'active' },
    refusal: 'Kun et barn på ventelisten kan starte i gruppen.',
    guard: (e) => (parseIsoDate(e.startDate) === null ? 'Startdatoen er ikke en gyldig dato.' : null),
  },
  book_closing: {
    moves: { active: 'closing_booked' },
    refusal: 'Der kan kun aftales en afsluttende samtale for et barn, der går i gruppen.',
    conversation: { kind: 'closing', does: 'book' },
  },
  end: {
    moves: { closing_booked: 'ended' },
    refusal: 'Forløbet kan først afsluttes, når den afsluttende samtale er aftalt.',
    conversation: { kind: 'closing', does: 'hold' },
  },
  end_without_closing: {
    // Also when a closing conversation was booked and the family did not come: where it is only offered, the course
    // may still end (the booked conversation is cancelled).
    moves: { active: 'ended', closing_booked: 'ended' },
    refusal: 'Kun et forløb, der er i gang, kan slutte uden en afsluttende samtale.',
    guard: (e) =>
      e.closing === 'required'
        ? 'I denne gruppe slutter forløbet med en afsluttende samtale. Aftal den først.'
        : needsReason(e),
  },
  move_band: {
    moves: { waiting: 'ended', active: 'ended' },
    refusal: 'Kun et barn på ventelisten eller i gruppen kan flyttes til en anden gruppe.',
  },
  decline: { moves: fromEveryOpenState('declined'), refusal: 'Forløbet er allerede slut.', guard: needsReason },
  withdraw: { moves: fromEveryOpenState('withdrawn'), refusal: 'Forløbet er allerede slut.', guard: needsReason },
};

export const EVENT_TYPES = Object.keys(STEPS) as EnrollmentEventType[];

export type TransitionResult<S = EnrollmentState> = { ok: true; state: S } | { ok: false; message: string };

/** The state after `event`, or a refusal in Danish. Illegal moves have no way through. */
export function transition(state: EnrollmentState, event: EnrollmentEvent): TransitionResult {
  const step = STEPS[event.type] as StepRule<EnrollmentEventType>;
  const next = step.moves[state];
  if (next === undefined) return { ok: false, message: step.refusal };
  const refused = step.guard?.(event as never) ?? null;
  if (refused !== null) return { ok: false, message: refused };
  return { ok: true, state: next };
}

/** The steps that are legal from a state (what the case page offers). */
export function legalEvents(state: EnrollmentState): EnrollmentEventType[] {
  return EVENT_TYPES.filter((type) => STEPS[type].moves[state] !== undefined);
}

/**
 * The referring caseworker may withdraw their own referral (the `withdraw` step) while the course has not begun: not
 * once it is over, and not from the start meeting on (then the centre stops the course with the family).
 */
export function caseworkerMayWithdraw(state: EnrollmentState, startDate: IsoDate | null, today: IsoDate): boolean {
  return STEPS.withdraw.moves[state] !== undefined && !hasBegun(startDate, today);
}

/** The intake conversation's outcome can be recorded: the conversation is booked, or held and the child not yet placed. */
export function canRecordIntakeOutcome(state: EnrollmentState): boolean {
  const steps = legalEvents(state);
  return steps.includes('hold_intake') || steps.includes('place_on_waiting_list');
}

/**
 * A conversation's outcome is written (or the conversation counted as held) only once its time has come: an intake
 * conversation three days ahead cannot have decided anything yet.
 */
export function conversationTimeHasCome(startsAt: Date, now: Date): boolean {
  return startsAt.getTime() <= now.getTime();
}

/** The conversation kinds a course in this state may add on its own (a parent conversation during the course). */
export function conversationsDuring(state: EnrollmentState): ConversationKind[] {
  return isMemberState(state) ? ['parent'] : [];
}

/**
 * How the "stop" step reads on a case: a referral whose child never had a place is declined or withdrawn ("afslut
 * henvisningen"); a course is stopped. `hadPlace`: the child was given a place (a start date was set).
 */
export function stopWording(hadPlace: boolean): { title: string; button: string; done: string } {
  return !hadPlace
    ? { title: 'Afvis eller træk henvisningen tilbage', button: 'Afslut henvisningen', done: 'Henvisningen er afsluttet.' }
    : { title: 'Stop forløbet', button: 'Stop forløbet', done: 'Forløbet er stoppet.' };
}


/** The steps the case page offers for a course in a group of this kind (ending without a closing conversation only where it is offered). */
export function legalEventsIn(state: EnrollmentState, groupKind: GroupKind): EnrollmentEventType[] {
  return legalEvents(state).filter((type) => type !== 'end_without_closing' || CLOSING_CONVERSATION[groupKind] === 'offered');
}

// ---------------------------------------------------------------------------------------------
// The follow-up conversation (opfølgning): suggested 6-8 weeks after the start, due until held or skipped

export const FOLLOW_UP = {
  /** Days after the start the follow-up is suggested from and to (6 and 8 weeks). */
  fromDays: 42,
  toDays: 56,
  /** It belongs to a course that holds a place in the group. */
  during: MEMBER_STATES,
} as const;

export type FollowUpStatus =
  /** The window has not begun: shown as a suggestion. */
  | 'suggested'
  /** Inside the window or after it, and nothing is booked, held or skipped: shown as due. */
  | 'due'
  | 'booked'
  | 'held'
  | 'skipped';

export const FOLLOW_UP_STATUS_LABELS: Record<FollowUpStatus, string> = {
  suggested: 'Foreslået',
  due: 'Skal holdes nu',
  booked: 'Aftalt',
  held: 'Holdt',
  skipped: 'Sprunget over',
};

export interface FollowUp {
  status: FollowUpStatus;
  /** The suggested window. */
  from: IsoDate;
  to: IsoDate;
  /** The window has passed and it is still not held or skipped. */
  late: boolean;
}

/**
 * Where a course's follow-up stands: null when the course has not started or holds no place. A booked follow-up
 * whose time has passed counts as held (as a parent conversation with a past date does).
 */
export function followUpFor(
  state: EnrollmentState,
  startDate: IsoDate | null,
  followUps: readonly { status: ConversationStatus; startsOn: IsoDate }[],
  today: IsoDate,
): FollowUp | null {
  if (startDate === null || !(FOLLOW_UP.during as readonly EnrollmentState[]).includes(state)) return null;
  const from = addDays(startDate, FOLLOW_UP.fromDays);
  const to = addDays(startDate, FOLLOW_UP.toDays);
  const live = followUps.filter((f) => f.status !== 'cancelled');
  const status: FollowUpStatus = live.some((f) => f.status === 'skipped')
    ? 'skipped'
    : live.some((f) => f.status === 'held' || compareDates(f.startsOn, today) < 0)
      ? 'held'
      : live.length > 0
        ? 'booked'
        : compareDates(today, from) < 0
          ? 'suggested'
          : 'due';
  return { status, from, to, late: status === 'due' && compareDates(today, to) > 0 };
}

// ---------------------------------------------------------------------------------------------
// After the course: what happens next (part of the closing conversation's evaluation)

export const NEXT_STEPS = ['nothing', 'other_offer', 'back_to_caseworker'] as const;
export type NextStep = (typeof NEXT_STEPS)[number];
export const NEXT_STEP_LABELS: Record<NextStep, string> = {
  nothing: 'Intet: forløbet er slut',
  other_offer: 'Et andet tilbud',
  back_to_caseworker: 'Tilbage til rådgiveren',
};

// ---------------------------------------------------------------------------------------------
// The closing summary: drafted by the system, edited by the leader, read by the family, then the caseworker's

export const SUMMARY_STATES = ['draft', 'with_family', 'accepted', 'commented'] as const;
export type SummaryState = (typeof SUMMARY_STATES)[number];

export interface SummaryStateRule {
  label: string;
  /** The leader may still edit it (a new version). */
  editable: boolean;
  /** The family page shows it. */
  familySees: boolean;
  /** The referring caseworker sees it: only after the family has seen it and answered. */
  caseworkerSees: boolean;
}

export const SUMMARY_STATE_RULES: { readonly [S in SummaryState]: SummaryStateRule } = {
  draft: { label: 'Kladde', editable: true, familySees: false, caseworkerSees: false },
  with_family: { label: 'Hos familien', editable: true, familySees: true, caseworkerSees: false },
  accepted: { label: 'Godkendt af familien, sendt til rådgiveren', editable: false, familySees: true, caseworkerSees: true },
  commented: { label: 'Familien har skrevet en bemærkning, sendt til rådgiveren', editable: false, familySees: true, caseworkerSees: true },
};

export type SummaryStep = 'save_draft' | 'share_with_family' | 'family_accepts' | 'family_comments';

export const SUMMARY_STEPS: { readonly [T in SummaryStep]: { moves: Partial<Record<SummaryState | 'none', SummaryState>>; refusal: string } } = {
  save_draft: { moves: { none: 'draft', draft: 'draft', with_family: 'with_family' }, refusal: 'Familien har svaret. Opsummeringen kan ikke ændres nu.' },
  share_with_family: { moves: { draft: 'with_family' }, refusal: 'Opsummeringen er allerede vist for familien.' },
  family_accepts: { moves: { with_family: 'accepted' }, refusal: 'Der er ingen opsummering at svare på.' },
  family_comments: { moves: { with_family: 'commented' }, refusal: 'Der er ingen opsummering at svare på.' },
};

export function summaryTransition(state: SummaryState | 'none', step: SummaryStep): TransitionResult<SummaryState> {
  const next = SUMMARY_STEPS[step].moves[state];
  return next === undefined ? { ok: false, message: SUMMARY_STEPS[step].refusal } : { ok: true, state: next };
}
