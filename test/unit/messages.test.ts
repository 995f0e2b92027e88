import { describe, expect, it } from 'vitest';
import {
  CONSENT_TEXT, FAMILY_LINK_SLOT, UNSUBSCRIBE_TEXT, caseworkerNotices, fillFamilyLink, consentSchema, fitSms, htmlPart, isQuietTime, messageIdFor, nextDaytime, normaliseDanishPhone,
  plainText, reminderSettingSchema, reminderTime, renderMessage, retryDelayMs, smsSegments, smsText, type CaseworkerEvent,
  type MessagePayload,
} from '../../src/features/messages/messages';

/** LIX = words per sentence + 100 × share of words longer than six letters (as the parent pages are tested). */
function lix(text: string): number {
  const sentences = text.split(/[.!?:]+/).filter((s) => s.trim().length > 0).length;
  const words = text.split(/\s+/).map((w) => w.replace(/[^\p{L}]/gu, '')).filter((w) => w.length > 0);
  const long = words.filter((w) => w.length > 6).length;
  return words.length / sentences + (100 * long) / words.length;
}

const START = '2026-12-09T15:00:00.000Z'; // onsdag 9. december 2026 kl. 16.00 in Copenhagen
const END = '2026-12-09T17:00:00.000Z';
const URL_ = 'https://gruppeforlob.example/familie/abc';

const EVENTS: CaseworkerEvent[] = ['intake_booked', 'waiting', 'admitted', 'declined', 'closing_booked', 'ended'];

/** One payload of every kind (and every caseworker step), as the services write them. */
const PAYLOADS: MessagePayload[] = [
  { kind: 'meeting_changed', change: 'moved', audience: 'family', groupName: 'Pigegruppen', startsAt: START, endsAt: END, place: 'Lokale 3', reason: 'Vi får en større sal' },
  { kind: 'meeting_changed', change: 'cancelled', audience: 'family', groupName: 'Pigegruppen', startsAt: START, endsAt: END, place: 'Lokale 3', reason: 'Sygdom' },
  { kind: 'meeting_changed', change: 'restored', audience: 'family', groupName: 'Pigegruppen', startsAt: START, endsAt: END, place: 'Lokale 3', reason: null },
  { kind: 'reminder', groupName: 'Pigegruppen', firstName: 'Sofie', startsAt: START, endsAt: END, place: 'Familiecentret' },
  { kind: 'afbud', groupName: 'Pigegruppen', items: [{ firstName: 'Sofie', startsAt: START, message: 'Syg' }, { firstName: 'Maja', startsAt: START, message: null }] },
  { kind: 'family_link', firstName: 'Sofie', url: URL_ },
  { kind: 'parent_request_receipt', groupName: 'Pigegruppen', firstName: 'Sofie' },
];
const STAFF_PAYLOADS: MessagePayload[] = [
  { kind: 'staff_link', purpose: 'setup', name: 'Lars Leder', url: URL_ },
  { kind: 'staff_link', purpose: 'reset', name: 'Lars Leder', url: URL_ },
  { kind: 'referral_receipt', reference: 'H-2026-0001', groupName: 'Pigegruppen', firstName: 'Sofie' },
  ...EVENTS.map((event): MessagePayload => ({
    kind: 'caseworker_update', event, reference: 'H-2026-0001', groupName: 'Pigegruppen', firstName: 'Sofie', startsAt: START, endsAt: END,
    place: 'Familiecentret', reason: event === 'declined' || event === 'ended' ? 'Gruppen passer ikke' : null, window: event === 'waiting' ? 'januar 2027' : null,
  })),
  { kind: 'summary_ready', reference: 'H-2026-0001', groupName: 'Pigegruppen', firstName: 'Sofie', commented: false, url: URL_ },
  { kind: 'summary_ready', reference: 'H-2026-0001', groupName: 'Pigegruppen', firstName: 'Sofie', commented: true, url: URL_ },
];

describe('message words', () => {
  const ctx = { phone: '43 57 00 00', unsubscribeUrl: 'https://gruppeforlob.example/beskeder/afmeld/x' };

  it('every message to a family reads plainly in Danish (LIX ≤ 35) and in English, with the first name only', () => {
    for (const payload of PAYLOADS) {
      for (const language of ['da', 'en'] as const) {
        const message = renderMessage(payload, { ...ctx, language });
        const text = message.paragraphs.filter((p) => !p.startsWith('http')).join(' ');
        if (language === 'da') expect(lix(text), `${payload.kind}: ${text}`).toBeLessThanOrEqual(35);
        expect(message.subject.length).toBeGreaterThan(0);
        expect(message.subject).not.toMatch(/Sofie|Maja/);
        expect(text).not.toMatch(/\bbarnet\b|udsat|handicap/i);
      }
    }
  });

  it('staff and caseworker messages are plain too and name the child by first name and reference only', () => {
    for (const payload of STAFF_PAYLOADS) {
      const message = renderMessage(payload, { ...ctx, language: 'da', unsubscribeUrl: null });
      const text = message.paragraphs.filter((p) => !p.startsWith('http')).join(' ');
      expect(lix(text), `${payload.kind}: ${text}`).toBeLessThanOrEqual(35);
      expect(message.subject).not.toMatch(/Sofie/);
    }
  });

  it('a moved meeting says the new date, time, place and reason; the HTML part links the URL and escapes text', () => {
    const message = renderMessage(PAYLOADS[0] as MessagePayload, { ...ctx, language: 'da' });
    expect(message.subject).toBe('Ny tid: Pigegruppen onsdag 9. december 2026');
    expect(plainText(message)).toContain('Ny tid: onsdag 9. december 2026 kl. 16.00-18.00.');
    expect(plainText(message)).toContain('Sted: Lokale 3.');
    expect(plainText(message)).toContain('Grunden: Vi får en større sal');
    expect(plainText(message)).toContain(ctx.unsubscribeUrl);
    const html = htmlPart(renderMessage({ ...(PAYLOADS[0] as Extract<MessagePayload, { kind: 'meeting_changed' }>), reason: '<b>&' }, { ...ctx, language: 'da' }), 'da');
    expect(html).toContain('Grunden: &lt;b&gt;&amp;');
    expect(html).toContain(`<a href="${ctx.unsubscribeUrl}">`);
    expect(html).toContain('<html lang="da">');
  });

  it('the caseworker hears each step: intake booked (welcome to join), waiting list window, admitted with the first meeting, declined with the reason, closing booked, ended', () => {
    const texts = STAFF_PAYLOADS.filter((p) => p.kind === 'caseworker_update').map((p) => plainText(renderMessage(p, { ...ctx, language: 'da', unsubscribeUrl: null })));
    expect(texts[0]).toContain('Du er velkommen til at komme med.');
    expect(texts[0]).toContain('onsdag 9. december 2026 kl. 16.00-18.00, Familiecentret.');
    expect(texts[1]).toContain('Vi venter at kunne give en plads fra januar 2027.');
    expect(texts[2]).toContain('Første møde: onsdag 9. december 2026');
    expect(texts[3]).toContain('Grunden: Gruppen passer ikke');
    expect(texts[4]).toContain('sidste samtale');
    expect(texts[5]).toContain('er færdig i Pigegruppen');
  });

  it('the lifecycle\'s steps decide what the caseworker hears: holding the intake alone says nothing, its outcome does', () => {
    expect(caseworkerNotices(['hold_intake', 'place_on_waiting_list'])).toEqual(['waiting']);
    expect(caseworkerNotices(['hold_intake', 'decline'])).toEqual(['declined']);
    expect(caseworkerNotices(['move_band'])).toEqual([]);
    expect(caseworkerNotices(['start'])).toEqual(['admitted']);
  });
});

describe('the family link in a message', () => {
  const ctx = { phone: '43 57 00 00', unsubscribeUrl: null };
  const moved = PAYLOADS[0] as MessagePayload;

  it('is only a mark in what is stored, and the link (or a plain sentence) as it is sent', () => {
    const rendered = renderMessage(moved, { ...ctx, language: 'da' });
    const body = { channel: 'email' as const, text: plainText(rendered), html: htmlPart(rendered, 'da') };
    expect(body.text).toContain(FAMILY_LINK_SLOT);
    const filled = fillFamilyLink(body, URL_, 'da');
    expect(filled.text).toContain(`Du kan se alle møder på din side:\n\n${URL_}`);
    expect(filled.html).toContain(`<p><a href="${URL_}">${URL_}</a></p>`);
    expect(`${filled.text}${filled.html}`).not.toContain(FAMILY_LINK_SLOT);
    const none = fillFamilyLink(body, null, 'da');
    expect(none.text).toContain('Brug linket, du har fået fra os.');
    expect(none.html).toContain('<p>Brug linket, du har fået fra os.</p>');
  });

  it('in an SMS the text with the link still fits two parts', () => {
    const long = { ...(moved as Extract<MessagePayload, { kind: 'meeting_changed' }>), reason: 'Vi skal bruge salen til noget andet den dag, så vi mødes i lokale 3 i stedet' };
    const text = smsText(renderMessage(long, { ...ctx, language: 'da' }));
    const filled = fillFamilyLink({ channel: 'sms', text, html: null }, `${URL_}${'x'.repeat(30)}`, 'da');
    expect(smsSegments(filled.text)).toBeLessThanOrEqual(2);
  });
});

describe('SMS', () => {
  it.each([
    ['22 33 44 55', '+4522334455'],
    ['+45 22-33-44-55', '+4522334455'],
    ['004522334455', '+4522334455'],
    ['4522334455', '+4522334455'],
    ['12345678', null],
    ['2233445', null],
    ['+46 70 123 45 67', null],
    [null, null],
  ])('normalises Danish numbers to +45 and 8 digits and refuses the rest: %j → %j', (input, expected) => {
    expect(normaliseDanishPhone(input)).toBe(expected);
  });

  it('counts segments: æøå are GSM-7 (160/153), other letters make it UCS-2 (70/67)', () => {
    expect(smsSegments('æøå'.repeat(53) + 'x')).toBe(1);
    expect(smsSegments('a'.repeat(161))).toBe(2);
    expect(smsSegments('a'.repeat(307))).toBe(3);
    expect(smsSegments('€'.repeat(80))).toBe(1);
    expect(smsSegments('€'.repeat(81))).toBe(2);
    expect(smsSegments('ş'.repeat(70))).toBe(1);
    expect(smsSegments('ş'.repeat(71))).toBe(2);
  });

  it('every SMS fits in two segments, a long reason is cut at a word', () => {
    const long = { ...(PAYLOADS[0] as Extract<MessagePayload, { kind: 'meeting_changed' }>), reason: 'Vi skal bruge lokalet til noget andet '.repeat(20) };
    for (const payload of [...PAYLOADS, long]) {
      const text = smsText(renderMessage(payload, { language: 'da', phone: '43 57 00 00', unsubscribeUrl: null }));
      expect(smsSegments(text), text).toBeLessThanOrEqual(2);
    }
    expect(fitSms('ord '.repeat(100)).endsWith('…')).toBe(true);
    expect(smsSegments(fitSms('ord '.repeat(100)))).toBe(2);
  });
});

describe('timing', () => {
  it('reminders go the day before at 16.00 by default, per group setting, never 21.00-08.00, never after the meeting began', () => {
    const start = new Date(START);
    expect(reminderTime(start, { daysBefore: 1, time: '16:00' })?.toISOString()).toBe('2026-12-08T15:00:00.000Z');
    expect(reminderTime(start, { daysBefore: 2, time: '09:30' })?.toISOString()).toBe('2026-12-07T08:30:00.000Z');
    // A time in the quiet hours moves to 08.00 the next morning.
    expect(reminderTime(start, { daysBefore: 1, time: '22:00' })?.toISOString()).toBe('2026-12-09T07:00:00.000Z');
    expect(reminderTime(start, { daysBefore: 0, time: '17:00' })).toBeNull();
    // Across the change to summer time: 16.00 Copenhagen is 14.00 UTC.
    expect(reminderTime(new Date('2027-03-29T14:00:00Z'), { daysBefore: 1, time: '16:00' })?.toISOString()).toBe('2027-03-28T14:00:00.000Z');
  });

  it('knows the quiet hours in Copenhagen time', () => {
    expect(isQuietTime(new Date('2026-12-08T19:59:00Z'))).toBe(false); // 20.59
    expect(isQuietTime(new Date('2026-12-08T20:00:00Z'))).toBe(true); // 21.00
    expect(isQuietTime(new Date('2026-12-09T06:59:00Z'))).toBe(true); // 07.59
    expect(nextDaytime(new Date('2026-12-08T22:30:00Z')).toISOString()).toBe('2026-12-09T07:00:00.000Z');
    expect(nextDaytime(new Date('2026-12-08T04:00:00Z')).toISOString()).toBe('2026-12-08T07:00:00.000Z');
  });

  it('backs off 30 s, 1 min, 2 min … at most an hour', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n))).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(retryDelayMs(20)).toBe(3_600_000);
  });

  it('the reminder setting refuses quiet hours and odd input, in Danish', () => {
    expect(reminderSettingSchema.parse({ groupId: 'g', daysBefore: '1', time: '16:00' })).toEqual({ groupId: 'g', daysBefore: 1, time: '16:00' });
    expect(reminderSettingSchema.safeParse({ groupId: 'g', daysBefore: '1', time: '21:30' }).error?.issues[0]?.message).toContain('mellem kl. 21 og 8');
    expect(reminderSettingSchema.safeParse({ groupId: 'g', daysBefore: '9', time: '16:00' }).success).toBe(false);
  });
});

describe('addresses and choices', () => {
  it('a Message-ID is stable per outbox row and uses the sender\'s domain', () => {
    expect(messageIdFor('abc', 'Familiecentret <beskeder@fc.dk>')).toBe('<abc@fc.dk>');
    expect(messageIdFor('abc', 'beskeder@fc.dk')).toBe('<abc@fc.dk>');
  });

  it('the consent form takes e-mail, SMS or none, and reminders as a tick', () => {
    expect(consentSchema.parse({ guardianId: 'g', channel: 'sms', reminders: 'ja' })).toEqual({ guardianId: 'g', channel: 'sms', reminders: true });
    expect(consentSchema.parse({ guardianId: 'g', channel: 'none' }).reminders).toBe(false);
    expect(consentSchema.safeParse({ guardianId: 'g', channel: 'fax' }).error?.issues[0]?.message).toBe('Vælg e-mail, SMS eller ingen beskeder.');
  });

  it('the consent and unsubscribe words read plainly (LIX ≤ 35)', () => {
    const da = [CONSENT_TEXT.da.intro, CONSENT_TEXT.da.noEmail, CONSENT_TEXT.da.saved, UNSUBSCRIBE_TEXT.da.intro, UNSUBSCRIBE_TEXT.da.done, UNSUBSCRIBE_TEXT.da.gone].join(' ');
    expect(lix(da)).toBeLessThanOrEqual(35);
  });
});
