import { describe, expect, it } from 'vitest';
import { uuidV7 } from '../../src/lib/server/tokens';

describe('uuidV7', () => {
  it('is a version-7 UUID whose first 48 bits are the time in milliseconds', () => {
    const ms = Date.parse('2026-11-23T12:34:56.789Z');
    const id = uuidV7(ms);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(ms);
  });

  it('sorts as text in the order of time, and differs within the same millisecond', () => {
    const times = [0, 1, 255, 256, 65_535, 65_536, Date.parse('2026-03-29T01:00:00Z'), Date.parse('2100-01-01T00:00:00Z')];
    const ids = times.map((t) => uuidV7(t));
    expect([...ids].sort()).toEqual(ids);
    const same = new Set(Array.from({ length: 1000 }, () => uuidV7(1_700_000_000_000)));
    expect(same.size).toBe(1000);
  });
});
