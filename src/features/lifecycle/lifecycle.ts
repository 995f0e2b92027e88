// The course lifecycle (forløb), in one place: every state a course can be in, every step between them, and what
// each state means elsewhere (places in the group, the figures, retention, the caseworker's view, the
// conversations that belong to it). Every other module imports these tables; none keeps its own list of states.
//
// The tables are typed as total records over the state and event names, so adding a state or a step without
// saying what it means everywhere fails to compile. Pure: no I/O.

import type { IsoDate } from '../../lib/time';
import { parseIsoDate } from '../../lib/time';

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
export const CONVERSATION_KINDS = ['intake', 'parent', 'closing'] as const;
export type ConversationKind = (typeof CONVERSATION_KINDS)[number];

export const CONVERSATION_KIND_LABELS: Record<ConversationKind, string> = {
  intake: 'Indledende samtale',
  parent: 'Forældresamtale',
  closing: 'Afsluttende samtale',
};

export type ConversationStatus = 'booked' | 'held' | 'cancelled';
export const CONVERSATION_STATUS_LABELS: Record<ConversationStatus, string> = { booked: 'Aftalt', held: 'Holdt', cancelled: 'Aflyst' };

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
// Steps (events)

export type IntakeOutcome = 'fits' | 'does_not_fit';

export type EnrollmentEvent =
  | { type: 'book_intake' }
  | { type: 'rebook_intake' }
  | { type: 'hold_intake'; outcome: IntakeOutcome }
  | { type: 'place_on_waiting_list'; intakeOutcome: IntakeOutcome | null }
  | { type: 'start'; startDate: IsoDate }
  | { type: 'book_closing' }
  | { type: 'end' }
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
  move_band: {
    moves: { waiting: 'ended', active: 'ended' },
    refusal: 'Kun et barn på ventelisten eller i gruppen kan flyttes til en anden gruppe.',
  },
  decline: { moves: fromEveryOpenState('declined'), refusal: 'Forløbet er allerede slut.', guard: needsReason },
  withdraw: { moves: fromEveryOpenState('withdrawn'), refusal: 'Forløbet er allerede slut.', guard: needsReason },
};

export const EVENT_TYPES = Object.keys(STEPS) as EnrollmentEventType[];

export type TransitionResult = { ok: true; state: EnrollmentState } | { ok: false; message: string };

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

/** The intake conversation's outcome can be recorded: the conversation is booked, or held and the child not yet placed. */
export function canRecordIntakeOutcome(state: EnrollmentState): boolean {
  const steps = legalEvents(state);
  return steps.includes('hold_intake') || steps.includes('place_on_waiting_list');
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
