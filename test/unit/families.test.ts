import { describe, expect, it } from 'vitest';
import { FAMILY_TEXT, absenceSchema, familyFeedPath, familyPagePath, isWellFormedFamilyToken, pickLocale } from '../../src/features/families/families';
import { generateSecret } from '../../src/lib/server/tokens';

/** LIX = words per sentence + 100 × share of words longer than six letters. */
function lix(text: string): number {
  const sentences = text.split(/[.!?:]+/).filter((s) => s.trim().length > 0).length;
  const words = text.split(/\s+/).map((w) => w.replace(/[^\p{L}]/gu, '')).filter((w) => w.length > 0);
  const long = words.filter((w) => w.length > 6).length;
  return words.length / sentences + (100 * long) / words.length;
}

describe('family link tokens', () => {
  it('accepts exactly what generateSecret makes and nothing else', () => {
    const token = generateSecret();
    expect(isWellFormedFamilyToken(token)).toBe(true);
    expect(isWellFormedFamilyToken(token.toUpperCase())).toBe(false);
    expect(isWellFormedFamilyToken(token.slice(1))).toBe(false);
    expect(isWellFormedFamilyToken(`${token.slice(1)}1`)).toBe(false);
    expect(isWellFormedFamilyToken(undefined)).toBe(false);
    expect(familyPagePath(token)).toBe(`/familie/${token}`);
    expect(familyFeedPath(token)).toBe(`/familie/${token}/kalender.ics`);
  });
});

describe('the afbud form', () => {
  it('takes an optional message, trimmed, at most 200 characters', () => {
    expect(absenceSchema.parse({ meetingId: 's1' }).message).toBe('');
    expect(absenceSchema.parse({ meetingId: 's1', message: '  Syg  ' }).message).toBe('Syg');
    expect(absenceSchema.safeParse({ meetingId: 's1', message: 'x'.repeat(201) }).success).toBe(false);
    expect(absenceSchema.safeParse({ message: 'Syg' }).success).toBe(false);
  });
});

describe('words for parents', () => {
  it('Danish by default, English only when asked', () => {
    expect(pickLocale(null)).toBe('da');
    expect(pickLocale('fr')).toBe('da');
    expect(pickLocale('en')).toBe('en');
  });

  it('the Danish texts read plainly (LIX ≤ 35) and say "dit barn", never "barnet"', () => {
    const da = FAMILY_TEXT.da;
    const text = [
      da.intro('Ida', 'Pigegruppen'), da.notStarted('Ida', 'Pigegruppen'), da.noMeetings, da.cancelledText, da.absenceSent,
      da.calendarText, da.secret, da.callUs('43 57 00 00'), da.saved, da.withdrawn, da.goneText, da.goneCall('43 57 00 00'), da.tooMany,
    ].join(' ');
    expect(lix(text)).toBeLessThanOrEqual(35);
    expect(text.toLowerCase()).not.toContain('barnet');
    expect(da.title).toContain('barn');
  });
});
