import { describe, expect, it } from 'vitest';
import { parseForm } from '../../src/lib/forms';
import { DEFAULT_GROUPS, groupFormSchema, groupFormValues } from '../../src/features/groups/groups';
import { describeMeetingRule, generateOccurrences } from '../../src/features/schedule/schedule';

function validForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    name: 'Pigegruppen',
    slug: 'pigegruppen',
    kind: 'girls',
    minAge: '7',
    maxAge: '15',
    girlsOnly: 'on',
    capacity: '10',
    place: 'Familiecentret, Ishøj',
    intakeRule: 'open',
    maxCourseMonths: '',
    publicDescription: 'En gruppe for piger.',
    weekday: '3',
    nth: '2',
    startTime: '16.00',
    endTime: '18.00',
    onClosed: 'next_week',
    ...overrides,
  };
}

describe('the group edit form', () => {
  it('turns the typed text into a group with its meeting rule', () => {
    const result = parseForm(groupFormSchema, validForm({ leaderIds: 'u1' }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.data).toMatchObject({
      name: 'Pigegruppen',
      minAge: 7,
      maxAge: 15,
      girlsOnly: true,
      capacity: 10,
      maxCourseMonths: null,
      leaderIds: ['u1'],
      rule: { weekday: 3, nth: 2, startTime: '16:00', endTime: '18:00', onClosed: 'next_week' },
    });
  });

  it('reads an unticked girls-only box as no, and a max course length in months', () => {
    const form = validForm({ maxCourseMonths: ' 12 ' });
    delete form['girlsOnly'];
    const result = parseForm(groupFormSchema, form);
    expect(result.ok && result.data.girlsOnly).toBe(false);
    expect(result.ok && result.data.maxCourseMonths).toBe(12);
  });

  it('says there must be at least one place when capacity is 0', () => {
    const result = parseForm(groupFormSchema, validForm({ capacity: '0' }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors['capacity']).toBe('Der skal være mindst én plads.');
  });

  it('refuses more than 40 places and a capacity that is not a whole number', () => {
    const tooMany = parseForm(groupFormSchema, validForm({ capacity: '41' }));
    const fraction = parseForm(groupFormSchema, validForm({ capacity: '2,5' }));
    expect(!tooMany.ok && tooMany.errors['capacity']).toMatch(/højst være 40 pladser/);
    expect(!fraction.ok && fraction.errors['capacity']).toMatch(/helt tal/);
  });

  it('puts an upside-down age band on the highest age', () => {
    const result = parseForm(groupFormSchema, validForm({ minAge: '15', maxAge: '7' }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual({ maxAge: 'Den højeste alder skal være mindst den laveste.' });
  });

  it('shows the age band message even when another field is wrong too', () => {
    const result = parseForm(groupFormSchema, validForm({ minAge: '15', maxAge: '7', name: '' }));
    expect(!result.ok && result.errors['maxAge']).toBe('Den højeste alder skal være mindst den laveste.');
    expect(!result.ok && result.errors['name']).toBe('Skriv gruppens navn.');
  });

  it('accepts a one-year band and keeps ages inside 3-25', () => {
    expect(parseForm(groupFormSchema, validForm({ minAge: '13', maxAge: '13' })).ok).toBe(true);
    const young = parseForm(groupFormSchema, validForm({ minAge: '2' }));
    const old = parseForm(groupFormSchema, validForm({ maxAge: '26' }));
    expect(!young.ok && young.errors['minAge']).toMatch(/mindst 3 år/);
    expect(!old.ok && old.errors['maxAge']).toMatch(/højst være 25 år/);
  });

  it('rejects a time that is not a time, on the field', () => {
    const result = parseForm(groupFormSchema, validForm({ startTime: '25.00' }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors)).toEqual(['startTime']);
  });

  it('rejects an end time before the start time', () => {
    const result = parseForm(groupFormSchema, validForm({ startTime: '18.00', endTime: '16.00' }));
    expect(!result.ok && result.errors['endTime']).toBeTruthy();
  });

  it('accepts only lowercase a-z, digits and single hyphens in the slug', () => {
    for (const bad of ['Pigegruppen', 'pige gruppen', 'søskende', '-pige', 'pige--gruppe', 'pige_gruppe']) {
      const result = parseForm(groupFormSchema, validForm({ slug: bad }));
      expect(!result.ok && result.errors['slug'], bad).toMatch(/små bogstaver/);
    }
    expect(parseForm(groupFormSchema, validForm({ slug: 'soeskendegruppen-boern-2' })).ok).toBe(true);
    const empty = parseForm(groupFormSchema, validForm({ slug: '' }));
    expect(!empty.ok && empty.errors['slug']).toMatch(/adressenavn/);
  });

  it('requires a name and a place, and limits the public description to 2000 characters', () => {
    const result = parseForm(groupFormSchema, validForm({ name: '  ', place: '', publicDescription: 'x'.repeat(2001) }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['name', 'place', 'publicDescription']);
    expect(parseForm(groupFormSchema, validForm({ publicDescription: 'x'.repeat(2000) })).ok).toBe(true);
  });

  it('allows an empty max course length but not 0 or 37 months', () => {
    for (const bad of ['0', '37', 'et år']) {
      const result = parseForm(groupFormSchema, validForm({ maxCourseMonths: bad }));
      expect(!result.ok && result.errors['maxCourseMonths'], bad).toMatch(/1 til 36/);
    }
  });

  it('refuses an unknown intake rule or kind', () => {
    const result = parseForm(groupFormSchema, validForm({ intakeRule: 'weekly', kind: 'boys' }));
    expect(!result.ok && Object.keys(result.errors).sort()).toEqual(['intakeRule', 'kind']);
  });
});

describe('the default groups', () => {
  it('are the three groups of the source with their age bands and intake rules', () => {
    expect(DEFAULT_GROUPS.map((g) => [g.slug, g.minAge, g.maxAge, g.intakeRule, g.maxCourseMonths])).toEqual([
      ['pigegruppen', 7, 15, 'open', null],
      ['soeskendegruppen-boern', 9, 12, 'quarterly', 12],
      ['soeskendegruppen-unge', 13, 18, 'quarterly', 12],
    ]);
    const girls = DEFAULT_GROUPS[0];
    expect(girls?.girlsOnly).toBe(true);
    expect(girls?.capacity).toBe(10);
  });

  it('each pass their own edit form unchanged', () => {
    for (const group of DEFAULT_GROUPS) {
      const result = parseForm(groupFormSchema, groupFormValues(group));
      expect(result.ok, group.slug).toBe(true);
      if (result.ok) expect(result.data).toEqual({ ...group, leaderIds: [] });
    }
  });

  it('meet on different days, two hours each', () => {
    const descriptions = DEFAULT_GROUPS.map((g) => describeMeetingRule(g.rule, 'da'));
    expect(new Set(descriptions).size).toBe(3);
    for (const group of DEFAULT_GROUPS) {
      const [first] = generateOccurrences({ rule: group.rule, from: '2027-02-01', to: '2027-02-28', closedPeriods: [] });
      expect(first && first.endsAt.getTime() - first.startsAt.getTime(), group.slug).toBe(2 * 60 * 60 * 1000);
    }
  });
});
