import { describe, expect, it } from 'vitest';
import {
  caseworkerMayWithdraw, caseworkerStatusLabel, conversationTimeHasCome, courseStateLabel, hasBegun, memberNextStep, startsOnLabel,
} from '../../src/features/lifecycle/lifecycle';

describe('a place whose start meeting is still ahead', () => {
  it('reads "Starter 5. januar" until the start date, for staff and for the caseworker', () => {
    expect(startsOnLabel('2027-01-05')).toBe('Starter 5. januar');
    expect(courseStateLabel('active', '2027-01-05', '2026-11-30')).toBe('Starter 5. januar');
    expect(caseworkerStatusLabel('started', '2027-01-05', '2026-11-30')).toBe('Starter 5. januar');
    expect(courseStateLabel('active', '2027-01-05', '2027-01-05')).toBe('Går i gruppen');
    expect(caseworkerStatusLabel('started', '2027-01-05', '2027-01-05')).toBe('Startet');
    expect(hasBegun('2027-01-05', '2026-11-30')).toBe(false);
    expect(hasBegun(null, '2026-11-30')).toBe(false);
    // A waiting child has no start date; an ended course reads as ended.
    expect(courseStateLabel('waiting', null, '2026-11-30')).toBe('Venter på optag');
    expect(courseStateLabel('ended', '2026-01-05', '2026-11-30')).toBe('Afsluttet');
  });

  it('an intake conversation\'s outcome waits until its time has come', () => {
    const now = new Date('2026-11-30T10:00:00Z');
    expect(conversationTimeHasCome(new Date('2026-12-03T14:00:00Z'), now)).toBe(false);
    expect(conversationTimeHasCome(new Date('2026-11-30T09:00:00Z'), now)).toBe(true);
  });
});

describe('the next step on the member list', () => {
  it('says the start, the closing conversation when the course is due, or the end', () => {
    expect(memberNextStep('active', '2027-01-05', '2026-11-30', false)).toBe('Starter 5. januar');
    expect(memberNextStep('active', '2026-01-05', '2026-11-30', false)).toBe('Går i gruppen');
    expect(memberNextStep('active', '2026-01-05', '2026-11-30', true)).toBe('Aftal den afsluttende samtale');
    expect(memberNextStep('closing_booked', '2026-01-05', '2026-11-30', true)).toBe('Afslut forløbet efter den afsluttende samtale');
  });
});

describe('the caseworker withdraws their own referral', () => {
  it('while the course is open and its start meeting has not come; not once it has begun or is over', () => {
    expect(caseworkerMayWithdraw('referred', null, '2026-11-30')).toBe(true);
    expect(caseworkerMayWithdraw('waiting', null, '2026-11-30')).toBe(true);
    expect(caseworkerMayWithdraw('active', '2027-01-05', '2026-11-30')).toBe(true);
    expect(caseworkerMayWithdraw('active', '2027-01-05', '2027-01-05')).toBe(false);
    expect(caseworkerMayWithdraw('closing_booked', '2026-01-05', '2026-11-30')).toBe(false);
    expect(caseworkerMayWithdraw('withdrawn', null, '2026-11-30')).toBe(false);
    expect(caseworkerMayWithdraw('declined', null, '2026-11-30')).toBe(false);
  });
});
