// Enrollment (forløb) and referral (henvisning) states: the names the whole system uses, with their Danish labels.
// Types and labels only for now; the state machine that moves between them comes later.

/** A referral as the caseworker (or the parent who asked) follows it. */
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

/** One child's course in one group, from the referral to the closing conversation. */
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

export const ENROLLMENT_STATE_LABELS: Record<EnrollmentState, string> = {
  referred: 'Henvist',
  intake_booked: 'Indledende samtale aftalt',
  intake_held: 'Indledende samtale holdt',
  waiting: 'Venter på optag',
  active: 'Går i gruppen',
  closing_booked: 'Afsluttende samtale aftalt',
  ended: 'Afsluttet',
  declined: 'Afvist',
  withdrawn: 'Trukket tilbage',
};

export function isReferralStatus(value: string): value is ReferralStatus {
  return (REFERRAL_STATUSES as readonly string[]).includes(value);
}

export function isEnrollmentState(value: string): value is EnrollmentState {
  return (ENROLLMENT_STATES as readonly string[]).includes(value);
}
