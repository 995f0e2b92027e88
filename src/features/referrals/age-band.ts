// The referral forms' age band rule, pure and free of server imports, so the form's live hint in the browser
// (src/scripts/referral-form.ts) says exactly what the server will say.
import { addMonths, ageOn, type IsoDate } from '../../lib/time';

/**
 * How far ahead a referral may look for the child to reach the group's lowest age: a child referred now starts at
 * an intake a few months on at the earliest.
 */
export const BAND_LOOKAHEAD_MONTHS = 6;

export interface AgeBand {
  name: string;
  minAge: number;
  maxAge: number;
}

/**
 * The referral forms refuse a birth date outside the group's age band: older than the top age today, or still under
 * the lowest age in six months. Triage checks the age again on the start date; only the coordinator can make an
 * exception there, on the case, with a reason.
 */
export function ageBandIssue(birthDate: IsoDate, group: AgeBand, today: IsoDate, who: 'child' | 'daughter' = 'child'): string | null {
  const age = ageOn(birthDate, today);
  const subject = who === 'child' ? 'Barnet' : 'Din datter';
  const tooOld = age > group.maxAge;
  const tooYoung = ageOn(birthDate, addMonths(today, BAND_LOOKAHEAD_MONTHS)) < group.minAge;
  if (!tooOld && !tooYoung) return null;
  return `${subject} er ${age} år. ${group.name} er for ${group.minAge}-${group.maxAge} år. Tjek datoen, eller vælg en anden gruppe.`;
}
