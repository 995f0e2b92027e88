// Insight export (GDPR art. 15): everything stored about one child and their guardians, plus who has read or
// changed it. Types and the Danish labels for the printable page; no I/O.
import type { Municipality } from '../../lib/server/database';
import { MUNICIPALITY_LABELS } from '../auth/auth';
import type { ConversationKind } from '../lifecycle/lifecycle';
import type { Child, Guardian } from '../../lib/server/rows';

/** The child as stored: instants as the ISO text in the row. */
export type InsightChild = Omit<Child, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };

export type InsightGuardian = Omit<Guardian, 'childId' | 'createdAt'> & { createdAt: string };

export interface InsightReferral {
  id: string;
  reference: string;
  group: string;
  source: 'caseworker' | 'parent';
  caseworker: string | null;
  status: string;
  reason: string;
  custodyConsent: boolean;
  statusReason: string | null;
  receivedAt: string;
  updatedAt: string;
}

export interface InsightEnrollment {
  id: string;
  group: string;
  state: string;
  startDate: string | null;
  plannedEndDate: string | null;
  endedOn: string | null;
  endReason: string | null;
  /** The coordinator's reason for letting the child start outside the group's age band. */
  ageExceptionReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface InsightConversation {
  id: string;
  kind: ConversationKind;
  group: string;
  leader: string | null;
  startsAt: string;
  endsAt: string;
  place: string;
  status: 'booked' | 'held' | 'cancelled' | 'skipped';
  outcome: 'fits' | 'does_not_fit' | null;
  outcomeReason: string | null;
  childWords: string | null;
  note: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface InsightAttendance {
  group: string;
  meetingStartsAt: string;
  status: 'present' | 'excused' | 'absent';
  reason: string | null;
  source: 'leader' | 'family';
  recordedAt: string;
}

/** A family link: only when it was made and stopped; the secret and its hash are never shown. */
export interface InsightFamilyLink {
  createdAt: string;
  revokedAt: string | null;
}

export interface InsightAuditEntry {
  at: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string | null;
  ip: string | null;
  detail: string | null;
}

/** The closing conversation's evaluation (issue 15). */
export interface InsightEvaluation {
  enrollmentId: string;
  goalsReached: string | null;
  childView: string | null;
  parentView: string | null;
  nextStep: string;
  nextStepNote: string | null;
  createdAt: string;
}

/** One answer on the progress scales. */
export interface InsightProgressAnswer {
  enrollmentId: string;
  occasion: string;
  respondent: string;
  question: string;
  score: number;
  answeredOn: string;
}

/** One version of a closing summary. */
export interface InsightSummaryVersion {
  enrollmentId: string;
  version: number;
  state: string;
  body: string;
  familyComment: string | null;
  createdAt: string;
}

/** A parent's request for a conversation. */
export interface InsightConversationRequest {
  enrollmentId: string;
  message: string | null;
  askedAt: string;
  answeredAt: string | null;
  answerNote: string | null;
}

export interface InsightReport {
  generatedAt: string;
  child: InsightChild;
  guardians: InsightGuardian[];
  referrals: InsightReferral[];
  enrollments: InsightEnrollment[];
  conversations: InsightConversation[];
  attendance: InsightAttendance[];
  familyLinks: InsightFamilyLink[];
  evaluations: InsightEvaluation[];
  progressAnswers: InsightProgressAnswer[];
  summaries: InsightSummaryVersion[];
  conversationRequests: InsightConversationRequest[];
  /** E-mails and SMS about the child (issue 14); a message with a secret link has no text here. */
  messages: InsightMessage[];
  audit: InsightAuditEntry[];
}

export interface InsightMessage {
  at: string;
  kind: string;
  channel: string;
  recipient: string;
  subject: string;
  status: string;
  body: string | null;
}

export const GENDER_LABELS: Record<'girl' | 'boy' | 'other', string> = { girl: 'Pige', boy: 'Dreng', other: 'Andet' };
export const OUTCOME_LABELS: Record<'fits' | 'does_not_fit', string> = { fits: 'Gruppen passer', does_not_fit: 'Gruppen passer ikke' };
export const ATTENDANCE_LABELS: Record<InsightAttendance['status'], string> = { present: 'Mødt', excused: 'Afbud', absent: 'Udeblevet' };
export const SOURCE_LABELS: Record<InsightReferral['source'], string> = { caseworker: 'Familierådgiver', parent: 'Forælder' };

export function municipalityLabel(m: Municipality): string {
  return MUNICIPALITY_LABELS[m];
}


/** The JSON download: the report as it is, pretty-printed, with a file name that names no one. */
export function insightJson(report: InsightReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function insightFileName(report: InsightReport): string {
  return `indsigt-${report.child.id}-${report.generatedAt.slice(0, 10)}.json`;
}
