import { describe, expect, it } from 'vitest';
import { formList, formValues, withoutNul } from '../../src/lib/forms';

// PostgreSQL refuses NUL in text: a form post with one must become an answer, not a 500 (found by the fuzz test).
describe('NUL characters in form input', () => {
  it('are dropped from field names and values, and from checkbox lists', () => {
    const form = new FormData();
    form.append('na\u0000me', 'Sof\u0000ie');
    form.append('ids', 'a\u0000');
    form.append('ids', 'b');
    expect(formValues(form)).toEqual({ name: 'Sofie', ids: 'b' });
    expect(formList(form, 'ids')).toEqual(['a', 'b']);
  });

  it('leave other text as it is', () => {
    expect(withoutNul('Ærø \u202E İ 👩‍👧')).toBe('Ærø \u202E İ 👩‍👧');
  });
});
