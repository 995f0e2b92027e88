// The tests' clock: the instant most tests call "now", and the lengths of time they count in.

/** Monday 23 November 2026, 10.00 in Copenhagen (winter time, UTC+1): "now" for the tests that need no other. */
export const NOW = new Date('2026-11-23T09:00:00Z');

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
