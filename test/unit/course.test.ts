import { describe, expect, it } from 'vitest';
import { cellText, draftSummary, movement, progressCheckErrors, progressCounts, readScales, type ProgressAnswer } from '../../src/features/course/course';
import { progressFigures, progressTable, type FigureProgressRow } from '../../src/features/figures/figures';
import { CLOSING_CONVERSATION, followUpFor, legalEventsIn, summaryTransition, transition } from '../../src/features/lifecycle/lifecycle';

const child = (scores: number[]): ProgressAnswer[] =>
  (['talk', 'home', 'friends', 'self'] as const).slice(0, scores.length).map((question, i) => ({ respondent: 'child', question, score: scores[i] ?? 0 }));
const parent = (scores: number[]): ProgressAnswer[] => child(scores).map((a) => ({ ...a, respondent: 'parent' }));

describe('progress: start against now', () => {
  it('moves up, stays or moves down by half a step on the mean', () => {
    expect(movement(child([2, 2, 3, 3]), child([3, 3, 3, 3]), 'child')).toBe('up'); // +2 over 4 = +0.5
    expect(movement(child([2, 2, 3, 3]), child([3, 2, 3, 3]), 'child')).toBe('same'); // +0.25
    expect(movement(child([4, 4, 4, 4]), child([3, 3, 4, 4]), 'child')).toBe('down');
  });

  it('compares only the questions answered both times, and says nothing without a pair', () => {
    expect(movement(child([1]), child([1, 5, 5, 5]), 'child')).toBe('same');
    expect(movement([], child([5, 5]), 'child')).toBeNull();
    expect(movement(child([1, 1]), child([5, 5]), 'parent')).toBeNull();
  });

  it('counts children by their own answers, by the parent\'s when the child gave none', () => {
    const counts = progressCounts([
      { start: child([2, 2, 2, 2]), end: child([4, 4, 4, 4]) },
      { start: child([3, 3]), end: child([3, 3]) },
      { start: [...child([5, 5]), ...parent([1, 1])], end: [...child([3, 3]), ...parent([5, 5])] },
      { start: parent([2, 2]), end: parent([4, 4]) },
      { start: [], end: child([4, 4]) },
    ]);
    expect(counts).toEqual({ up: 2, same: 1, down: 1 });
  });
});

describe('the small-cell rule', () => {
  it('shows counts under five as "under 5" and five or more as the number', () => {
    expect([0, 1, 4, 5, 12].map((n) => cellText(n))).toEqual(['under 5', 'under 5', 'under 5', '5', '12']);
  });
});

describe('the progress scales in a form', () => {
  it('reads answered questions, skips blanks and refuses values off the scale at their field', () => {
    const { answers, errors } = readScales({ child_talk: '4', child_home: '', parent_self: '2', parent_talk: '9' });
    expect(answers).toEqual([{ respondent: 'child', question: 'talk', score: 4 }, { respondent: 'parent', question: 'self', score: 2 }]);
    expect(Object.keys(errors)).toEqual(['parent_talk']);
  });
});

describe('the follow-up conversation', () => {
  const start = '2027-01-13';
  it('is suggested before six weeks, due from six weeks, late after eight', () => {
    expect(followUpFor('active', start, [], '2027-02-01')?.status).toBe('suggested');
    expect(followUpFor('active', start, [], '2027-02-24')).toEqual({ status: 'due', from: '2027-02-24', to: '2027-03-10', late: false });
    expect(followUpFor('active', start, [], '2027-03-11')?.late).toBe(true);
  });
  it('stops being due once held (or its time passed), booked ahead, or skipped; not for a course outside the group', () => {
    expect(followUpFor('active', start, [{ status: 'held', startsOn: '2027-02-25' }], '2027-03-20')?.status).toBe('held');
    expect(followUpFor('active', start, [{ status: 'booked', startsOn: '2027-03-01' }], '2027-02-26')?.status).toBe('booked');
    expect(followUpFor('active', start, [{ status: 'booked', startsOn: '2027-03-01' }], '2027-03-02')?.status).toBe('held');
    expect(followUpFor('active', start, [{ status: 'cancelled', startsOn: '2027-03-01' }], '2027-03-02')?.status).toBe('due');
    expect(followUpFor('active', start, [{ status: 'skipped', startsOn: '2027-02-26' }], '2027-03-20')?.status).toBe('skipped');
    expect(followUpFor('waiting', start, [], '2027-03-20')).toBeNull();
    expect(followUpFor('active', null, [], '2027-03-20')).toBeNull();
  });
});

describe('ending without a closing conversation', () => {
  it('is offered in the girls\' group only, and needs a reason', () => {
    expect(CLOSING_CONVERSATION).toEqual({ girls: 'offered', siblings: 'required' });
    expect(legalEventsIn('active', 'girls')).toContain('end_without_closing');
    expect(legalEventsIn('active', 'siblings')).not.toContain('end_without_closing');
    expect(transition('active', { type: 'end_without_closing', reason: ' ', closing: 'offered' })).toEqual({ ok: false, message: 'Skriv en begrundelse.' });
    expect(transition('active', { type: 'end_without_closing', reason: 'Familien flyttede', closing: 'required' }).ok).toBe(false);
    expect(transition('active', { type: 'end_without_closing', reason: 'Familien flyttede', closing: 'offered' })).toEqual({ ok: true, state: 'ended' });
    // A closing conversation was booked, and the family did not come: the girls' group may still end the course.
    expect(transition('closing_booked', { type: 'end_without_closing', reason: 'Familien kom ikke', closing: 'offered' })).toEqual({ ok: true, state: 'ended' });
    expect(transition('closing_booked', { type: 'end_without_closing', reason: 'Familien kom ikke', closing: 'required' }).ok).toBe(false);
  });
});

describe('the closing summary', () => {
  it('goes draft → with the family → accepted or commented, and is not edited after the family answered', () => {
    expect(summaryTransition('none', 'save_draft')).toEqual({ ok: true, state: 'draft' });
    expect(summaryTransition('draft', 'family_accepts').ok).toBe(false);
    expect(summaryTransition('draft', 'share_with_family')).toEqual({ ok: true, state: 'with_family' });
    expect(summaryTransition('with_family', 'save_draft')).toEqual({ ok: true, state: 'with_family' });
    expect(summaryTransition('with_family', 'family_comments')).toEqual({ ok: true, state: 'commented' });
    expect(summaryTransition('accepted', 'save_draft').ok).toBe(false);
  });

  it('drafts short sentences from the dates, the meetings and the evaluation', () => {
    const text = draftSummary({
      firstName: 'Liva', groupName: 'Pigegruppen', startDate: '2027-01-13', endedOn: '2027-12-08', meetingsHeld: 11, meetingsAttended: 9,
      evaluation: { goalsReached: 'Liva taler mere om det, der er svært.', childView: 'Det var godt.', parentView: '', nextStep: 'nothing' },
    });
    expect(text).toContain('Liva gik i Pigegruppen fra onsdag 13. januar 2027 til onsdag 8. december 2027.');
    expect(text).toContain('Gruppen holdt 11 møder i den tid. Liva var med 9 gange.');
    expect(text).toContain('Liva sagde: Det var godt.');
    expect(text).not.toContain('I sagde');
  });
});

describe('the yearly progress table', () => {
  it('counts per group and municipality, and every cell under five reads "under 5"', () => {
    const rows: FigureProgressRow[] = [];
    // Six children in Ishøj moved up, two in Vallensbæk stayed.
    for (let i = 0; i < 8; i++) {
      const municipality = i < 6 ? 'ishoj' : 'vallensbaek';
      const [start, end] = i < 6 ? [2, 4] : [3, 3];
      rows.push({ enrollmentId: `e${i}`, groupId: 'g', municipality, occasion: 'intake', respondent: 'child', question: 'talk', score: start });
      rows.push({ enrollmentId: `e${i}`, groupId: 'g', municipality, occasion: 'closing', respondent: 'child', question: 'talk', score: end });
    }
    const table = progressTable(progressFigures([{ id: 'g', name: 'Pigegruppen' }], rows));
    expect(table.headers).toEqual(['Gruppe', 'Kommune', 'Rykket op', 'Det samme', 'Rykket ned']);
    expect(table.rows.slice(0, 3)).toEqual([
      ['Pigegruppen', 'Ishøj', '6', 'under 5', 'under 5'],
      ['Pigegruppen', 'Vallensbæk', 'under 5', 'under 5', 'under 5'],
      ['Pigegruppen', 'I alt', '6', 'under 5', 'under 5'],
    ]);
  });
});

describe('a progress check in between', () => {
  const one: ProgressAnswer[] = [{ respondent: 'child', question: 'talk', score: 3 }];
  it('may be given today and on the start day, not tomorrow, not before the start, and needs one answer', () => {
    expect(progressCheckErrors('2026-11-23', one, '2026-09-02', '2026-11-23')).toEqual({});
    expect(progressCheckErrors('2026-09-02', one, '2026-09-02', '2026-11-23')).toEqual({});
    expect(Object.keys(progressCheckErrors('2026-11-24', one, '2026-09-02', '2026-11-23'))).toEqual(['answeredOn']);
    expect(Object.keys(progressCheckErrors('2026-09-01', one, '2026-09-02', '2026-11-23'))).toEqual(['answeredOn']);
    expect(progressCheckErrors('2026-11-23', [], null, '2026-11-23')).toEqual({ child_talk: 'Vælg mindst ét svar.' });
  });
});
