// The memo's figures (002): families, group runs, the waiting list per month and the longest wait.
// Vitest runs in America/St_Johns (UTC-3:30 / -2:30): a rule that reads dates in the machine's zone fails here.
import { describe, expect, it } from 'vitest';
import type { FigureContactRow, FigureEnrollmentRow, FigureWaitRow, MemoInput, RetainedCountRow } from '../../src/features/figures/figures';
import { countBar, daysCounted, memoFigures, memoTables, progressFigures, progressTable, spellMonthDays, spellWaitInYear, waitingSeries, waitingSpell } from '../../src/features/figures/figures';
import { zonedToInstant } from '../../src/lib/time';

const GIRLS = { id: 'g1', name: 'Pigegruppen', capacity: 10 };
const SIBLINGS = { id: 'g2', name: 'Søskendegruppen børn', capacity: 8 };

function course(id: string, over: Partial<FigureEnrollmentRow> = {}): FigureEnrollmentRow {
  return { id, childId: `child-${id}`, groupId: GIRLS.id, municipality: 'ishoj', startDate: '2026-02-11', endedOn: null, plannedEndDate: null, receivedAt: null, ...over };
}

/** A referral received on `received` (noon in Copenhagen) that started on `start` (or is still waiting). */
function wait(id: string, received: string, start: string | null, over: Partial<FigureWaitRow> = {}): FigureWaitRow {
  const at = zonedToInstant(received as never, '12:00');
  return {
    enrollmentId: id, childId: `child-${id}`, groupId: GIRLS.id, municipality: 'ishoj',
    state: start === null ? 'waiting' : 'active', receivedAt: at, createdAt: at, startDate: start as never, endedOn: null, updatedAt: at, ...over,
  };
}

function memo(over: Partial<MemoInput>): ReturnType<typeof memoFigures> {
  return memoFigures({ year: 2026, now: new Date('2026-11-23T09:00:00Z'), groups: [GIRLS, SIBLINGS], courses: [], waits: [], contacts: [], ...over });
}

describe('families', () => {
  it('children whose guardians share an e-mail (any case) or a phone (any spacing) are one family; no contact is a family of its own', () => {
    const contacts: FigureContactRow[] = [
      { childId: 'child-a', email: 'Mor@Example.dk', phone: null },
      { childId: 'child-b', email: 'mor@example.dk ', phone: '20 30 40 50' },
      { childId: 'child-c', email: null, phone: '20304050' },
      { childId: 'child-d', email: 'far@example.dk', phone: null },
    ];
    const set = memo({
      courses: [course('a'), course('b'), course('c', { groupId: SIBLINGS.id }), course('d'), course('e', { municipality: 'vallensbaek' })],
      contacts,
    });
    expect(set.all.total.families).toBe(3); // a+b+c, d, e
    expect(set.groups[0]?.block.total.families).toBe(3); // a+b, d, e
    expect(set.groups[1]?.block.total.families).toBe(1);
    expect(set.all.byMunicipality.ishoj.families).toBe(2);
    expect(set.all.byMunicipality.vallensbaek.families).toBe(1);
    // Every cell counting families is under five here.
    const table = memoTables(set).find((t) => t.key === 'familier');
    expect(table?.rows.map((r) => r[2])).toEqual(Array(9).fill('under 5'));
  });

  it('shows five or more families as the number, and only courses running in the year count', () => {
    const courses = Array.from({ length: 6 }, (_, i) => course(`k${i}`));
    courses.push(course('old', { startDate: '2025-01-10', endedOn: '2025-12-31' }));
    const set = memo({ courses });
    expect(set.all.total.families).toBe(6);
    const table = memoTables(set).find((t) => t.key === 'familier');
    expect(table?.rows[0]).toEqual(['Pigegruppen', 'Ishøj', '6', 1]);
  });
});

describe('group runs (hold)', () => {
  it('is the distinct start days of a group in the year; a course begun last year is no run this year', () => {
    const set = memo({
      courses: [
        course('a', { startDate: '2026-04-01' }),
        course('b', { startDate: '2026-04-01', municipality: 'vallensbaek' }),
        course('c', { startDate: '2026-07-01' }),
        course('d', { startDate: '2025-10-01' }),
        course('e', { startDate: '2026-04-01', groupId: SIBLINGS.id }),
      ],
    });
    expect(set.groups[0]?.block.total.runs).toBe(2);
    expect(set.groups[0]?.block.byMunicipality.ishoj.runs).toBe(2);
    expect(set.groups[0]?.block.byMunicipality.vallensbaek.runs).toBe(1);
    expect(set.groups[1]?.block.total.runs).toBe(1);
    // Two groups starting on the same day are two runs.
    expect(set.all.total.runs).toBe(3);
  });
});

describe('the waiting list', () => {
  it('counts the days in Copenhagen: a referral at 00.30 on 1 March in Copenhagen is on the list from 1 March', () => {
    const late = wait('x', '2026-03-01', '2026-03-11', { receivedAt: zonedToInstant('2026-03-01', '00:30'), createdAt: zonedToInstant('2026-03-01', '00:30') });
    expect(waitingSpell(late)).toEqual({ from: '2026-03-01', until: '2026-03-11' });
  });

  it('splits a wait at month boundaries, across the leap day 2028-02-29', () => {
    const spell = waitingSpell(wait('x', '2028-01-31', '2028-03-01'));
    const days = spellMonthDays(spell, 2028, '2028-12-31');
    expect(days.slice(0, 4)).toEqual([1, 29, 0, 0]);
    expect(daysCounted(2028, 2, '2028-12-31')).toBe(29);
    expect(spellWaitInYear(spell, 2028, '2028-12-31')).toBe(30);
    // Five children on the list all of February 2028: the February average is exactly five.
    const set = memoFigures({
      year: 2028, now: new Date('2028-12-31T12:00:00Z'), groups: [GIRLS], courses: [], contacts: [],
      waits: Array.from({ length: 5 }, (_, i) => wait(`w${i}`, '2028-02-01', '2028-03-01')),
    });
    expect(set.all.total.waitingAverage[1]).toBe(5);
    expect(set.all.total.waitingAverage[0]).toBe(0);
    expect(set.all.total.longestWaitDays).toBe(29);
  });

  it('a child waiting across the year end counts in both years: to New Year in the first, to the start in the second', () => {
    const w = wait('x', '2026-12-01', '2027-02-01');
    const in2026 = memo({ waits: [w], now: new Date('2027-06-01T10:00:00Z') });
    expect(in2026.all.total.waitingChildDays[11]).toBe(31);
    expect(in2026.all.total.longestWaitDays).toBe(31);
    const in2027 = memoFigures({ year: 2027, now: new Date('2027-06-01T10:00:00Z'), groups: [GIRLS], courses: [], contacts: [], waits: [w] });
    expect(in2027.all.total.waitingChildDays.slice(0, 3)).toEqual([31, 0, 0]);
    expect(in2027.all.total.longestWaitDays).toBe(62);
    // Not on the list on any day of 2028.
    expect(spellWaitInYear(waitingSpell(w), 2028, '2028-06-01')).toBeNull();
  });

  it('a child still waiting counts up to today; months ahead have no average; a closed referral leaves the list the day it closed', () => {
    const now = new Date('2026-11-23T09:00:00Z'); // 10.00 on 23 November in Copenhagen
    const still = wait('s', '2026-11-01', null);
    const declined = wait('d', '2026-10-01', null, { state: 'declined', updatedAt: zonedToInstant('2026-10-11', '09:00') });
    const set = memo({ now, waits: [still, declined] });
    expect(set.all.total.waitingChildDays[10]).toBe(23); // 1-23 November, today included
    expect(set.all.total.waitingChildDays[9]).toBe(10); // 1-10 October
    expect(set.all.total.waitingAverage[10]).toBe(1);
    expect(set.all.total.waitingAverage[11]).toBeNull();
    expect(set.all.total.longestWaitDays).toBe(22);
    // Averages under five read "under 5" in the table and are not drawn.
    const table = memoTables(set).find((t) => t.key === 'venteliste');
    const total = table?.rows.find((r) => r[0] === 'Alle grupper' && r[1] === 'I alt');
    expect(total?.slice(2, 14)).toEqual([...Array(11).fill('under 5'), null]);
    expect(total?.[14]).toBe(22);
    expect(waitingSeries(set).find((s) => s.name === 'I alt')?.values.every((v) => v === null)).toBe(true);
  });

  it('a child moved to another group joins its list on the day of the move', () => {
    const moved = wait('m', '2026-01-05', null, { createdAt: zonedToInstant('2026-03-02', '10:00') });
    expect(waitingSpell(moved).from).toBe('2026-03-02');
    // A course row made after the start (copied in, say) does not move the day the child joined the list.
    expect(waitingSpell(wait('c', '2026-01-05', '2026-02-01', { createdAt: zonedToInstant('2026-06-01', '10:00') })).from).toBe('2026-01-05');
    const left = wait('o', '2026-01-05', null, { state: 'ended', endedOn: '2026-03-02' });
    expect(waitingSpell(left)).toEqual({ from: '2026-01-05', until: '2026-03-02' });
  });
});

describe('counts kept after a purge', () => {
  it('adds kept families, runs, waiting days and progress, and keeps the longest wait as a maximum', () => {
    const retained: RetainedCountRow[] = [
      { groupId: GIRLS.id, municipality: 'vallensbaek', metric: 'families', value: 5 },
      // A family is kept per group and once for all groups: the per-group rows never add to the all-groups total.
      { groupId: '', municipality: 'vallensbaek', metric: 'families', value: 4 },
      { groupId: GIRLS.id, municipality: 'vallensbaek', metric: 'run:2026-04-01', value: 2 },
      { groupId: GIRLS.id, municipality: 'ishoj', metric: 'run:2026-04-01', value: 1 },
      { groupId: GIRLS.id, municipality: 'vallensbaek', metric: 'waitlist_days_02', value: 140 },
      { groupId: GIRLS.id, municipality: 'vallensbaek', metric: 'waitlist_longest', value: 90 },
      { groupId: GIRLS.id, municipality: 'ishoj', metric: 'waitlist_longest', value: 10 },
      { groupId: GIRLS.id, municipality: 'vallensbaek', metric: 'progress_up', value: 5 },
    ];
    const set = memo({ courses: [course('a', { startDate: '2026-04-01' })], waits: [wait('w', '2026-01-01', '2026-01-31')], retained });
    expect(set.groups[0]?.block.byMunicipality.vallensbaek.families).toBe(5);
    expect(set.all.total.families).toBe(5);
    expect(set.all.byMunicipality.vallensbaek.families).toBe(4);
    expect(set.all.total.runs).toBe(1);
    expect(set.all.byMunicipality.vallensbaek.waitingAverage[1]).toBe(5);
    expect(set.all.total.longestWaitDays).toBe(90);
    expect(set.all.byMunicipality.ishoj.longestWaitDays).toBe(30);
    const progress = progressFigures([GIRLS], [], retained);
    expect(progress.all.byMunicipality.vallensbaek.up).toBe(5);
    expect(progressTable(progress).rows[1]).toEqual(['Pigegruppen', 'Vallensbæk', '5', 'under 5', 'under 5']);
  });
});

describe('chart bars for counts', () => {
  it('draw no bar under five and say "under 5"', () => {
    expect(countBar('Ishøj', 4)).toEqual({ label: 'Ishøj', value: null, text: 'under 5' });
    expect(countBar('Ishøj', 0)).toEqual({ label: 'Ishøj', value: null, text: 'under 5' });
    expect(countBar('Ishøj', 5)).toEqual({ label: 'Ishøj', value: 5 });
  });
});
