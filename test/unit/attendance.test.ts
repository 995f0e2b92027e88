import { describe, expect, it } from 'vitest';
import type { AttendanceRow, HeldMeeting, Mark } from '../../src/features/attendance/attendance';
import {
  canTakeAttendance, canWithdrawAfbud, keepsFamilyAfbud, childMarks, childTally, effectiveMarkTime, formatRate, groupTally, isMemberOn, markAllPresent,
  marksRequestSchema, needsFollowUp, nextMark, meetingTally, sheetNames, tally,
} from '../../src/features/attendance/attendance';

const at = (iso: string) => new Date(iso);

describe('one tap per child', () => {
  it('cycles ikke registreret → mødt → udeblevet → afbud → ikke registreret', () => {
    const seen: Mark[] = ['unregistered'];
    for (let i = 0; i < 4; i++) seen.push(nextMark(seen[seen.length - 1] ?? 'unregistered'));
    expect(seen).toEqual(['unregistered', 'present', 'absent', 'excused', 'unregistered']);
  });

  it('"Alle mødt" marks only the unregistered children and leaves an afbud alone', () => {
    const changes = markAllPresent([
      { enrollmentId: 'a', mark: 'unregistered' },
      { enrollmentId: 'b', mark: 'excused' },
      { enrollmentId: 'c', mark: 'absent' },
      { enrollmentId: 'd', mark: 'unregistered' },
    ]);
    expect(changes).toEqual([{ enrollmentId: 'a', mark: 'present' }, { enrollmentId: 'd', mark: 'present' }]);
  });
});

describe('figures from stored rows', () => {
  it('a meeting with marks for only some children counts the rest as ikke registreret, never as present', () => {
    const rows: AttendanceRow[] = [
      { meetingId: 's1', enrollmentId: 'a', status: 'present' },
      { meetingId: 's1', enrollmentId: 'b', status: 'excused' },
      { meetingId: 's2', enrollmentId: 'c', status: 'present' },
    ];
    const t = meetingTally(['a', 'b', 'c', 'd'], rows, 's1');
    expect(t).toMatchObject({ present: 1, excused: 1, absent: 0, unregistered: 2, registered: 2 });
    expect(t.rate).toBe(0.5);
  });

  it('has no rate when nothing is registered, and formats it as a dash', () => {
    const t = tally(['unregistered', 'unregistered']);
    expect(t.rate).toBeNull();
    expect(formatRate(t.rate)).toBe('–');
    expect(formatRate(2 / 3)).toBe('67 %');
  });

  it('rate = present ÷ (present + absent + excused); excused counts against the rate and is shown apart', () => {
    const t = tally(['present', 'present', 'present', 'excused', 'absent', 'unregistered']);
    expect(t.rate).toBeCloseTo(3 / 5);
    expect(t.excused).toBe(1);
    expect(t.unregistered).toBe(1);
  });

  it('counts a child only over the meetings they were a member for, in time order', () => {
    const meetings: HeldMeeting[] = [
      { id: 's3', startsAt: at('2026-03-11T15:00:00Z'), memberIds: ['a', 'b'] },
      { id: 's1', startsAt: at('2026-01-14T15:00:00Z'), memberIds: ['a'] },
      { id: 's2', startsAt: at('2026-02-11T15:00:00Z'), memberIds: ['a', 'b'] },
    ];
    const rows: AttendanceRow[] = [
      { meetingId: 's1', enrollmentId: 'a', status: 'present' },
      { meetingId: 's1', enrollmentId: 'b', status: 'present' }, // not a member then: ignored
      { meetingId: 's3', enrollmentId: 'b', status: 'absent' },
    ];
    expect(childMarks('b', meetings, rows).map((m) => [m.meetingId, m.mark])).toEqual([['s2', 'unregistered'], ['s3', 'absent']]);
    expect(childTally('a', meetings, rows)).toMatchObject({ present: 1, unregistered: 2, rate: 1 });
    expect(groupTally(meetings, rows)).toMatchObject({ present: 1, absent: 1, unregistered: 3, registered: 2, rate: 0.5 });
  });
});

describe('two unexcused absences in a row', () => {
  it('flags the latest two marks both udeblevet', () => {
    expect(needsFollowUp(['present', 'absent', 'absent'])).toBe(true);
  });
  it('does not flag one absence, an afbud between, an unknown meeting between, or an old run that ended', () => {
    expect(needsFollowUp(['absent'])).toBe(false);
    expect(needsFollowUp(['absent', 'excused', 'absent'])).toBe(false);
    expect(needsFollowUp(['absent', 'unregistered', 'absent'])).toBe(false);
    expect(needsFollowUp(['absent', 'absent', 'present'])).toBe(false);
  });
});

describe('who is on the list', () => {
  it('an active course counts from its start date (inclusive), not before', () => {
    const e = { state: 'active', startDate: '2026-02-11', endedOn: null };
    expect(isMemberOn(e, '2026-02-10')).toBe(false);
    expect(isMemberOn(e, '2026-02-11')).toBe(true);
  });
  it('an ended course counts for meetings before ended_on only; waiting or declined never', () => {
    const ended = { state: 'ended', startDate: '2026-01-01', endedOn: '2026-06-10' };
    expect(isMemberOn(ended, '2026-06-09')).toBe(true);
    expect(isMemberOn(ended, '2026-06-10')).toBe(false);
    expect(isMemberOn({ state: 'waiting', startDate: '2026-01-01', endedOn: null }, '2026-03-01')).toBe(false);
    expect(isMemberOn({ state: 'declined', startDate: '2026-01-01', endedOn: null }, '2026-03-01')).toBe(false);
    expect(isMemberOn({ state: 'closing_booked', startDate: '2026-01-01', endedOn: null }, '2026-03-01')).toBe(true);
  });
});

describe('saving marks', () => {
  const now = at('2026-11-23T15:30:00Z');
  it('uses the tap time of the client, but never one later than the server clock', () => {
    expect(effectiveMarkTime(at('2026-11-23T15:00:00Z'), now)).toEqual(at('2026-11-23T15:00:00Z'));
    expect(effectiveMarkTime(at('2026-11-24T15:00:00Z'), now)).toEqual(now);
    expect(effectiveMarkTime(new Date('nonsense'), now)).toEqual(now);
  });
  it('an afbud can be taken back until the meeting starts, not after', () => {
    expect(canWithdrawAfbud(at('2026-11-23T15:30:01Z'), now)).toBe(true);
    expect(canWithdrawAfbud(at('2026-11-23T15:30:00Z'), now)).toBe(false);
  });
  it('requires a mutation id and a timestamp with each mark', () => {
    const good = { enrollmentId: 'e1', mark: 'present', mutationId: 'abcdef0123456789', clientTime: '2026-11-23T15:00:00.000Z' };
    expect(marksRequestSchema.safeParse({ marks: [good] }).success).toBe(true);
    expect(marksRequestSchema.safeParse({ marks: [{ ...good, mutationId: undefined }] }).success).toBe(false);
    expect(marksRequestSchema.safeParse({ marks: [{ ...good, clientTime: 'yesterday' }] }).success).toBe(false);
    expect(marksRequestSchema.safeParse({ marks: [{ ...good, mark: 'late' }] }).success).toBe(false);
    expect(marksRequestSchema.safeParse({ marks: [] }).success).toBe(false);
  });
});

describe('names on the sheet', () => {
  it('shows first names, with the surname initial only where two children share one', () => {
    const names = sheetNames([
      { enrollmentId: '1', firstName: 'Anna', lastName: 'Hansen' },
      { enrollmentId: '2', firstName: 'Anna', lastName: 'Kristensen' },
      { enrollmentId: '3', firstName: 'Iqra', lastName: 'Ali' },
    ]);
    expect([...names.values()]).toEqual(['Anna H.', 'Anna K.', 'Iqra']);
  });
});

describe('a family\'s afbud and a meeting that has not come', () => {
  const family = { status: 'excused' as const, source: 'family' as const };
  it('an afbud from the family stands against "Alle mødt" and against a change made without seeing it', () => {
    expect(keepsFamilyAfbud(family, 'unregistered', false)).toBe(true);
    expect(keepsFamilyAfbud(family, null, false)).toBe(true);
    expect(keepsFamilyAfbud(family, 'excused', true)).toBe(true);
    // The leader saw the afbud and changed the child on purpose.
    expect(keepsFamilyAfbud(family, 'excused', false)).toBe(false);
    // A leader's own afbud, or no mark, is no family afbud.
    expect(keepsFamilyAfbud({ status: 'excused', source: 'leader' }, 'unregistered', true)).toBe(false);
    expect(keepsFamilyAfbud(null, 'unregistered', true)).toBe(false);
  });

  it('marks are taken from the meeting\'s day on', () => {
    expect(canTakeAttendance('2026-11-30', '2026-11-30')).toBe(true);
    expect(canTakeAttendance('2026-11-11', '2026-11-30')).toBe(true);
    expect(canTakeAttendance('2026-12-09', '2026-11-30')).toBe(false);
  });
});
