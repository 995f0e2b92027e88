import { describe, expect, it } from 'vitest';
import { ValidationError, ForbiddenError, NotFoundError, accessProblem } from '../../src/lib/errors';

describe('accessProblem: how a page answers a service error', () => {
  it('answers 403 and 404 with the service\'s own Danish message', () => {
    expect(accessProblem(new ForbiddenError('Du leder ikke denne gruppe.'))).toEqual({ status: 403, message: 'Du leder ikke denne gruppe.' });
    expect(accessProblem(new NotFoundError())).toEqual({ status: 404, message: 'Siden findes ikke.' });
  });

  it('throws anything else on, so a fault is never shown as "not found"', () => {
    const fault = new Error('database gone');
    expect(() => accessProblem(fault)).toThrow(fault);
    expect(() => accessProblem(new ValidationError({ name: 'Skriv navnet.' }))).toThrow(ValidationError);
  });
});
