import type { ColumnType, Generated } from 'kysely';

// The one description of the tables for Kysely. Row types stay inside repositories; services map them
// to domain types. Flags are 0 | 1, instants ISO 8601 UTC text, calendar dates 'YYYY-MM-DD'.

export type Flag = 0 | 1;
export type Role = 'coordinator' | 'leader' | 'caseworker';
export type Municipality = 'ishoj' | 'vallensbaek';

export interface UsersTable {
  id: string;
  email: string;
  display_name: string;
  role: Role;
  municipality: Municipality | null;
  password_hash: string | null;
  totp_key: string | null;
  /** The TOTP step of the last accepted code (bigint: pg hands it back as a string; read it with Number()). */
  totp_last_step: ColumnType<number | null, number | null | undefined, number | null>;
  disabled_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface UserSetupTokensTable {
  id: string;
  user_id: string;
  token_hash: string;
  purpose: 'setup' | 'reset';
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface AuthSessionsTable {
  id: string;
  user_id: string;
  secret_hash: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  two_factor_verified: Generated<Flag>;
  ip: string | null;
  user_agent: string | null;
}

export interface RecoveryCodesTable {
  id: string;
  user_id: string;
  code_hash: string;
  used_at: string | null;
}

export interface RateLimitsTable {
  key: string;
  attempts: number;
  window_started_at: string;
  blocked_until: string | null;
}

export interface GroupsTable {
  id: string;
  slug: string;
  name: string;
  kind: 'girls' | 'siblings';
  min_age: number;
  max_age: number;
  girls_only: Generated<Flag>;
  capacity: number;
  place: string;
  intake_rule: 'open' | 'quarterly';
  max_course_months: number | null;
  public_description: Generated<string>;
  archived_at: string | null;
  reminder_days_before: Generated<number>;
  reminder_time: Generated<string>;
  created_at: string;
  updated_at: string;
}

export interface MeetingRulesTable {
  id: string;
  group_id: string;
  weekday: number;
  nth: number;
  start_time: string;
  end_time: string;
  on_closed: 'next_week' | 'drop';
  updated_at: string;
}

export interface GroupLeadersTable {
  group_id: string;
  user_id: string;
}

export interface ClosedPeriodsTable {
  id: string;
  group_id: string | null;
  name: string;
  start_date: string;
  end_date: string;
  created_at: string;
}

export interface MeetingsTable {
  id: string;
  group_id: string;
  occurrence_key: string;
  starts_at: string;
  ends_at: string;
  place: string;
  status: 'planned' | 'cancelled' | 'moved';
  is_manual: Generated<Flag>;
  theme: string | null;
  note: string | null;
  cancel_reason: string | null;
  sequence: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface IntakeWindowsTable {
  id: string;
  group_id: string;
  quarter_start: string;
  meeting_id: string | null;
  places: number | null;
  created_at: string;
}

export interface ChildrenTable {
  id: string;
  first_name: string;
  last_name: string;
  birth_date: string;
  gender: 'girl' | 'boy' | 'other' | null;
  municipality: Municipality;
  has_sibling_with_disability: Generated<Flag>;
  created_at: string;
  updated_at: string;
}

export interface GuardiansTable {
  id: string;
  child_id: string;
  name: string;
  phone: string | null;
  email: string | null;
  has_custody: Generated<Flag>;
  needs_interpreter: Generated<Flag>;
  interpreter_language: string | null;
  created_at: string;
  message_channel: Generated<'email' | 'sms' | 'none'>;
  message_reminders: Generated<Flag>;
  message_language: Generated<'da' | 'en'>;
  consent_at: string | null;
  consent_by: string | null;
  unsubscribe_key: string | null;
}

export interface ReferralsTable {
  id: string;
  reference: string;
  group_id: string;
  child_id: string;
  source: 'caseworker' | 'parent';
  caseworker_id: string | null;
  status: string;
  reason: Generated<string>;
  custody_consent: Generated<Flag>;
  queue_rank: number | null;
  status_reason: string | null;
  idempotency_key: string | null;
  received_at: string;
  updated_at: string;
}

export interface EnrollmentsTable {
  id: string;
  child_id: string;
  group_id: string;
  referral_id: string | null;
  state: string;
  intake_window_id: string | null;
  start_date: string | null;
  planned_end_date: string | null;
  ended_on: string | null;
  end_reason: string | null;
  /** The coordinator's age exception: why a child outside the age band may start anyway (personal data). */
  age_exception_reason: string | null;
  age_exception_by: string | null;
  age_exception_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ConversationsTable {
  id: string;
  kind: 'intake' | 'parent' | 'follow_up' | 'closing';
  child_id: string;
  group_id: string;
  referral_id: string | null;
  enrollment_id: string | null;
  leader_id: string | null;
  starts_at: string;
  ends_at: string;
  place: string;
  status: 'booked' | 'held' | 'cancelled' | 'skipped';
  outcome: 'fits' | 'does_not_fit' | null;
  outcome_reason: string | null;
  child_words: string | null;
  note: string | null;
  sequence: Generated<number>;
  created_at: string;
  updated_at: string;
  /** 0/1: the referring caseworker is invited (the intake conversation). */
  invites_caseworker: Generated<number>;
}

/** The closing conversation's evaluation (or the end of a course without one), one per course. */
export interface CourseEvaluationsTable {
  enrollment_id: string;
  child_id: string;
  conversation_id: string | null;
  goals_reached: string | null;
  child_view: string | null;
  parent_view: string | null;
  next_step: 'nothing' | 'other_offer' | 'back_to_caseworker';
  next_step_note: string | null;
  recorded_by: string | null;
  created_at: string;
}

/** One answer on the progress scales (1-5) by the child or a parent, at an occasion of the course. */
export interface ProgressAnswersTable {
  id: string;
  enrollment_id: string;
  child_id: string;
  occasion: 'intake' | 'closing' | 'meeting';
  respondent: 'child' | 'parent';
  question: string;
  score: number;
  answered_on: string;
  recorded_by: string | null;
  created_at: string;
}

/** One version of a course's closing summary; the newest carries the state. */
export interface ClosingSummariesTable {
  id: string;
  enrollment_id: string;
  child_id: string;
  version: number;
  body: string;
  state: 'draft' | 'with_family' | 'accepted' | 'commented';
  family_comment: string | null;
  written_by: string | null;
  created_at: string;
}

/** A parent's request for a conversation, open until a leader answers it. */
export interface ConversationRequestsTable {
  id: string;
  child_id: string;
  enrollment_id: string;
  message: string | null;
  asked_at: string;
  answered_at: string | null;
  answered_by: string | null;
  answer_note: string | null;
}

export interface AttendanceTable {
  meeting_id: string;
  enrollment_id: string;
  status: 'present' | 'excused' | 'absent';
  reason: string | null;
  source: 'leader' | 'family';
  recorded_by: string | null;
  recorded_at: string;
}

export interface FamilyLinksTable {
  id: string;
  child_id: string;
  token_hash: string;
  /** The token sealed with APP_SECRET (lib/server/secret-box), for links in automatic messages; null before 2026-12-01. */
  token_sealed: string | null;
  created_by: string | null;
  created_at: string;
  revoked_at: string | null;
}

export interface FeedTokensTable {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: string;
  revoked_at: string | null;
}

export interface AuditLogTable {
  id: string;
  at: string;
  user_id: string | null;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  child_id: string | null;
  ip: string | null;
  detail: string | null;
}

export interface IdempotencyKeysTable {
  key: string;
  scope: string;
  result: string;
  created_at: string;
}

export interface AppSettingsTable {
  key: string;
  value: string;
}

/** Anonymous smiley answers after a meeting: no child, no user (see the migration). */
export interface MeetingFeedbackTable {
  id: string;
  meeting_id: string;
  question: string;
  score: number;
  created_at: string;
}

/** Figures kept as counts after the retention purge deleted the children behind them (see retention.ts). */
export interface YearlyCountsTable {
  year: number;
  group_id: string;
  municipality: Municipality;
  metric: string;
  value: number;
}

/** A counter per kind of data, moved by every committed write to it (see lib/server/data-version.ts). */
export interface DataVersionsTable {
  name: string;
  /** bigint: PostgreSQL returns it as a string, SQLite as a number. */
  version: number | string;
}

export interface Database {
  users: UsersTable;
  user_setup_tokens: UserSetupTokensTable;
  recovery_codes: RecoveryCodesTable;
  auth_sessions: AuthSessionsTable;
  rate_limits: RateLimitsTable;
  groups: GroupsTable;
  meeting_rules: MeetingRulesTable;
  group_leaders: GroupLeadersTable;
  closed_periods: ClosedPeriodsTable;
  meetings: MeetingsTable;
  intake_windows: IntakeWindowsTable;
  children: ChildrenTable;
  guardians: GuardiansTable;
  referrals: ReferralsTable;
  enrollments: EnrollmentsTable;
  conversations: ConversationsTable;
  course_evaluations: CourseEvaluationsTable;
  progress_answers: ProgressAnswersTable;
  closing_summaries: ClosingSummariesTable;
  conversation_requests: ConversationRequestsTable;
  attendance: AttendanceTable;
  family_links: FamilyLinksTable;
  feed_tokens: FeedTokensTable;
  audit_log: AuditLogTable;
  idempotency_keys: IdempotencyKeysTable;
  app_settings: AppSettingsTable;
  meeting_feedback: MeetingFeedbackTable;
  yearly_counts: YearlyCountsTable;
  data_versions: DataVersionsTable;
  outbox_messages: OutboxMessagesTable;
  oidc_sign_in_attempts: OidcSignInAttemptsTable;
  user_identities: UserIdentitiesTable;
  oidc_access_requests: OidcAccessRequestsTable;
  oidc_sessions: OidcSessionsTable;
  passkeys: PasskeysTable;
  webauthn_challenges: WebauthnChallengesTable;
}

// Passkeys for local accounts (features/passkeys).

export interface PasskeysTable {
  /** The credential id, base64url. */
  id: string;
  user_id: string;
  /** The COSE public key, base64url. */
  public_key: string;
  counter: number;
  /** JSON array of transport hints. */
  transports: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

export interface WebauthnChallengesTable {
  id: string;
  user_id: string | null;
  purpose: 'register' | 'sign_in';
  challenge: string;
  expires_at: string;
}

// Sign-in through a municipality's login (features/oidc).

export interface OidcSignInAttemptsTable {
  id: string;
  provider: string;
  state: string;
  nonce: string;
  code_verifier: string;
  next_path: string;
  created_at: string;
  expires_at: string;
}

export interface UserIdentitiesTable {
  provider: string;
  subject: string;
  user_id: string;
  created_at: string;
  last_sign_in_at: string;
}

export interface OidcAccessRequestsTable {
  id: string;
  provider: string;
  subject: string;
  email: string | null;
  display_name: string | null;
  /** JSON array of the group ids the provider sent. */
  groups: string;
  attempts: number;
  first_seen_at: string;
  last_seen_at: string;
}

export interface OidcSessionsTable {
  session_id: string;
  provider: string;
  id_token: string;
}

/** One e-mail or SMS waiting for, or past, delivery (see features/messages). */
export interface OutboxMessagesTable {
  id: string;
  kind: string;
  channel: 'email' | 'sms';
  recipient: string;
  language: 'da' | 'en';
  subject: string;
  body_text: string;
  body_html: string | null;
  unsubscribe_url: string | null;
  payload: string;
  topic: string | null;
  once_key: string | null;
  child_id: string | null;
  guardian_id: string | null;
  user_id: string | null;
  secret: Generated<Flag>;
  status: 'pending' | 'sending' | 'sent' | 'failed' | 'unsent';
  attempts: Generated<number>;
  send_after: string;
  lease_until: string | null;
  leased_by: string | null;
  last_error: string | null;
  message_id: string;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
}
