import { describe, expect, it } from 'vitest';
import { parseForm } from '../../src/lib/forms';
import {
  acceptsParentRequests,
  ageBandIssue,
  ageWarning,
  checkFormTime,
  formatReference,
  isBotSubmission,
  parentRequestSchema,
  referenceNumber,
  referralSchema,
  signFormTime,
  type ReferralGroup,
} from '../../src/features/referrals/referrals';

const GIRLS: ReferralGroup = {
  id: 'g-girls', slug: 'pigegruppen', name: 'Pigegruppen', kind: 'girls', minAge: 7, maxAge: 15, girlsOnly: true, intakeRule: 'open',
};
const SIBLINGS: ReferralGroup = {
  id: 'g-sib', slug: 'soeskendegruppen-boern', name: 'Søskendegruppen (børn)', kind: 'siblings', minAge: 9, maxAge: 12, girlsOnly: false,
  intakeRule: 'quarterly',
};
const GROUPS = [GIRLS, SIBLINGS];
const TODAY = '2026-11-23';

const VALID: Record<string, string> = {
  idempotencyKey: '5b0c8f1e-2a3d-4c5b-9e8f-0a1b2c3d4e5f',
  groupId: GIRLS.id,
  firstName: 'Sara',
  lastName: 'Hansen',
  birthDate: '2016-02-29',
  gender: 'girl',
  municipality: 'ishoj',
  g1Name: 'Mette Hansen',
  g1Phone: '20 30 40 50',
  g1Email: '',
  g1Custody: 'yes',
  reason: 'Har brug for at møde andre piger.',
  consent: 'on',
};

function parseReferral(values: Record<string, string>) {
  return parseForm(referralSchema(GROUPS, TODAY), values);
}

describe('the caseworker referral form', () => {
  it('accepts a complete referral, leap-day birth date included, and types it', () => {
    const result = parseReferral(VALID);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.data.birthDate).toBe('2016-02-29');
    expect(result.data.guardians).toEqual([
      { name: 'Mette Hansen', phone: '20 30 40 50', email: null, hasCustody: true, needsInterpreter: false, interpreterLanguage: null },
    ]);
    expect(result.data.idempotencyKey).toBe(VALID['idempotencyKey']);
    expect(result.data.siblingDisability).toBe(false);
  });

  it('refuses without the custody holders’ agreement, at the consent field', () => {
    const { consent: _omit, ...rest } = VALID;
    const result = parseReferral(rest);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors)).toEqual(['consent']);
    expect(result.errors['consent']).toMatch(/enige/);
  });

  it('asks for the language when an interpreter is needed', () => {
    const result = parseReferral({ ...VALID, g1Interpreter: 'on', g1Language: '' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors['g1Language']).toBe('Skriv hvilket sprog tolken skal tale.');
    const fixed = parseReferral({ ...VALID, g1Interpreter: 'on', g1Language: 'arabisk' });
    expect(fixed.ok && fixed.data.guardians[0]?.interpreterLanguage).toBe('arabisk');
  });

  it('refuses a boy for the girls’ group, at the gender field, but takes him in the siblings group', () => {
    const result = parseReferral({ ...VALID, gender: 'boy' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors['gender']).toMatch(/kun for piger/);
    const siblings = parseReferral({ ...VALID, gender: 'boy', groupId: SIBLINGS.id, siblingDisability: 'on' });
    expect(siblings.ok).toBe(true);
  });

  it('needs the sibling tick for a siblings group only', () => {
    const result = parseReferral({ ...VALID, groupId: SIBLINGS.id });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors)).toEqual(['siblingDisability']);
    // A tick sent for the girls' group is not stored as a fact about the child.
    const girls = parseReferral({ ...VALID, siblingDisability: 'on' });
    expect(girls.ok && girls.data.siblingDisability).toBe(false);
  });

  it.each([
    ['', 'Skriv barnets fødselsdato.'],
    ['2015-02-29', 'Skriv en rigtig dato, fx 2016-02-29.'],
    ['29-02-2016', 'Skriv en rigtig dato, fx 2016-02-29.'],
    ['2026-11-24', 'Fødselsdatoen kan ikke ligge i fremtiden.'],
    ['1990-01-01', 'Barnet kan højst være 25 år. Tjek årstallet.'],
  ])('refuses the birth date %j in Danish', (birthDate, message) => {
    const result = parseReferral({ ...VALID, birthDate });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors['birthDate']).toBe(message);
  });

  it('refuses a birth date of today: a baby is below every group\'s age band', () => {
    const result = parseReferral({ ...VALID, birthDate: TODAY });
    expect(!result.ok && result.errors['birthDate']).toBe('Barnet er 0 år. Pigegruppen er for 7-15 år. Tjek datoen, eller vælg en anden gruppe.');
  });

  it('names every missing field, and an unknown group', () => {
    const result = parseReferral({ groupId: 'nope' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(
      ['birthDate', 'consent', 'firstName', 'g1Custody', 'g1Name', 'g1Phone', 'gender', 'groupId', 'lastName', 'municipality', 'reason'].sort(),
    );
  });

  it('checks a second guardian only when something is written for them', () => {
    expect(parseReferral({ ...VALID, g2Name: '', g2Phone: '' }).ok).toBe(true);
    const half = parseReferral({ ...VALID, g2Name: 'Ali Hansen' });
    expect(half.ok).toBe(false);
    if (half.ok) return;
    expect(Object.keys(half.errors).sort()).toEqual(['g2Custody', 'g2Phone']);
    const full = parseReferral({ ...VALID, g2Name: 'Ali Hansen', g2Email: 'Ali@Mail.dk', g2Custody: 'no' });
    expect(full.ok && full.data.guardians[1]).toEqual({
      name: 'Ali Hansen', phone: null, email: 'ali@mail.dk', hasCustody: false, needsInterpreter: false, interpreterLanguage: null,
    });
  });

  it('limits the reason to 1000 characters and says how many were written', () => {
    const result = parseReferral({ ...VALID, reason: 'x'.repeat(1001) });
    expect(!result.ok && result.errors['reason']).toBe('Skriv højst 1000 tegn. Du har skrevet 1001.');
    expect(parseReferral({ ...VALID, reason: 'x'.repeat(1000) }).ok).toBe(true);
  });

  it('drops an idempotency key that is not shaped like ours', () => {
    const result = parseReferral({ ...VALID, idempotencyKey: 'x' });
    expect(result.ok && result.data.idempotencyKey).toBe(null);
  });
});

describe('age', () => {
  it('warns, without refusing, when the age today is outside the band', () => {
    expect(ageWarning('2016-02-29', GIRLS, TODAY)).toBeNull();
    expect(ageWarning('2020-01-01', GIRLS, TODAY)).toBe('Barnet er 6 år. Pigegruppen er for 7-15 år. Vi ser på alderen, når vi læser henvisningen.');
    expect(ageWarning('2010-11-23', GIRLS, TODAY)).toMatch(/^Barnet er 16 år/);
    expect(ageWarning('2010-11-24', GIRLS, TODAY)).toBeNull();
  });
});

describe('the group\'s age band on the referral forms', () => {
  it('refuses a 3-year-old for 9-12, and anyone older than the top age, at the birth date', () => {
    const small = parseReferral({ ...VALID, groupId: SIBLINGS.id, gender: 'boy', siblingDisability: 'on', birthDate: '2023-05-01' });
    expect(!small.ok && small.errors['birthDate']).toBe('Barnet er 3 år. Søskendegruppen (børn) er for 9-12 år. Tjek datoen, eller vælg en anden gruppe.');
    const old = parseReferral({ ...VALID, birthDate: '2003-01-01' });
    expect(!old.ok && old.errors['birthDate']).toContain('Barnet er 23 år. Pigegruppen er for 7-15 år.');
    // Everything else typed is still checked and kept: only the birth date has a message.
    expect(!old.ok && Object.keys(old.errors)).toEqual(['birthDate']);
  });

  it('takes a child who reaches the lowest age within six months, and one at the top age', () => {
    expect(ageBandIssue('2017-12-01', SIBLINGS, TODAY)).toBeNull(); // 8 now, 9 on 1 December
    expect(ageBandIssue('2018-06-01', SIBLINGS, TODAY)).not.toBeNull(); // 9 only in June 2027
    expect(ageBandIssue('2011-01-01', GIRLS, TODAY)).toBeNull(); // 15
    expect(ageBandIssue('2010-11-22', GIRLS, TODAY)).not.toBeNull(); // 16 yesterday
  });

  it('tells a parent about "din datter"', () => {
    const result = parseForm(parentRequestSchema(TODAY, GIRLS), { parentName: 'Mette', phone: '', email: 'm@mail.dk', firstName: 'Sara', birthDate: '2023-05-01', municipality: 'ishoj', message: '', custody: 'on' });
    expect(!result.ok && result.errors['birthDate']).toBe('Din datter er 3 år. Pigegruppen er for 7-15 år. Tjek datoen, eller vælg en anden gruppe.');
  });
});

describe('the parent request form', () => {
  const PARENT: Record<string, string> = {
    parentName: 'Mette Hansen', phone: '', email: 'mette@mail.dk', firstName: 'Sara', birthDate: '2016-02-29',
    municipality: 'vallensbaek', message: '', custody: 'on',
  };

  it('accepts a request with an e-mail only', () => {
    const result = parseForm(parentRequestSchema(TODAY, GIRLS), PARENT);
    expect(result.ok && result.data).toMatchObject({ email: 'mette@mail.dk', phone: null, municipality: 'vallensbaek' });
  });

  it('needs a phone number or an e-mail, custody and a municipality', () => {
    const result = parseForm(parentRequestSchema(TODAY, GIRLS), { ...PARENT, email: '', custody: '', municipality: '' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual({
      phone: 'Skriv dit telefonnummer eller din e-mail.',
      municipality: 'Vælg Ishøj eller Vallensbæk.',
      custody: 'Du skal have forældremyndigheden for at spørge om en plads.',
    });
  });

  it('speaks of "din datter" about a wrong birth date', () => {
    const result = parseForm(parentRequestSchema(TODAY, GIRLS), { ...PARENT, birthDate: '' });
    expect(!result.ok && result.errors['birthDate']).toBe('Skriv din datters fødselsdato.');
  });

  it('only the open girls’ group takes requests', () => {
    expect(acceptsParentRequests(GIRLS)).toBe(true);
    expect(acceptsParentRequests(SIBLINGS)).toBe(false);
    expect(acceptsParentRequests({ ...GIRLS, intakeRule: 'quarterly' })).toBe(false);
  });

  it('anything in the honeypot marks a bot', () => {
    expect(isBotSubmission({ website: '' })).toBe(false);
    expect(isBotSubmission({})).toBe(false);
    expect(isBotSubmission({ website: 'http://spam.example' })).toBe(true);
  });
});

describe('the signed form time', () => {
  const SECRET = 'a-server-secret';
  const SHOWN = new Date('2026-11-23T09:00:00Z');
  const token = signFormTime(SECRET, SHOWN);
  const after = (ms: number) => new Date(SHOWN.getTime() + ms);

  it('is ok from 3 seconds to 24 hours after the form was shown', () => {
    expect(checkFormTime(SECRET, token, after(2_999))).toBe('too_fast');
    expect(checkFormTime(SECRET, token, after(3_000))).toBe('ok');
    expect(checkFormTime(SECRET, token, after(24 * 60 * 60 * 1000))).toBe('ok');
    expect(checkFormTime(SECRET, token, after(24 * 60 * 60 * 1000 + 1))).toBe('expired');
  });

  it('refuses a forged, altered, foreign or missing stamp', () => {
    const [ms, mac] = token.split('.') as [string, string];
    expect(checkFormTime(SECRET, `${Number(ms) - 60_000}.${mac}`, after(10_000))).toBe('invalid');
    expect(checkFormTime('another-secret', token, after(10_000))).toBe('invalid');
    const flipped = `${mac.slice(0, 63)}${mac.endsWith('0') ? '1' : '0'}`;
    expect(checkFormTime(SECRET, `${ms}.${flipped}`, after(10_000))).toBe('invalid');
    expect(checkFormTime(SECRET, '', after(10_000))).toBe('invalid');
    expect(checkFormTime(SECRET, null, after(10_000))).toBe('invalid');
    expect(checkFormTime(SECRET, 'garbage', after(10_000))).toBe('invalid');
  });

  it('refuses a stamp from the future beyond a little clock skew', () => {
    expect(checkFormTime(SECRET, token, after(-120_000))).toBe('invalid');
  });
});

describe('reference numbers', () => {
  it('are H-<year>-<four digits> and grow past 9999', () => {
    expect(formatReference(2026, 42)).toBe('H-2026-0042');
    expect(formatReference(2026, 12345)).toBe('H-2026-12345');
    expect(referenceNumber('H-2026-0042', 2026)).toBe(42);
    expect(referenceNumber('H-2026-12345', 2026)).toBe(12345);
    expect(referenceNumber('H-2025-0042', 2026)).toBeNull();
    expect(referenceNumber('X-2026-0042', 2026)).toBeNull();
  });
});
