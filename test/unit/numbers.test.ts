import { describe, expect, it } from 'vitest';
import { formatNumber } from '../../src/lib/numbers';

describe('formatNumber', () => {
  it('writes Danish numbers with a decimal comma, a thousands point and at most one decimal', () => {
    expect(formatNumber(1234.56)).toBe('1.234,6');
    expect(formatNumber(0.25)).toBe('0,3');
    expect(formatNumber(12)).toBe('12');
    expect(formatNumber(-3.04)).toBe('-3');
  });

  it('writes English numbers the English way', () => {
    expect(formatNumber(1234.56, 'en')).toBe('1,234.6');
  });
});
