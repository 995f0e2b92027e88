import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CANCELLED_PREFIX,
  calendarLinks,
  conversationEvent,
  feedEvents,
  freePlaces,
  freePlacesText,
  isShownInFeed,
  isWellFormedFeedToken,
  newestChange,
  meetingEvent,
  staffFeedPath,
  type FeedConversation,
  type FeedMeeting,
} from '../../src/features/feeds/feeds';
import { conditionalResponse, publicCacheControl } from '../../src/lib/http-cache';
import { strongEtag } from '../../src/lib/server/etag';
import { renderCalendar } from '../../src/lib/server/ical';
import { sha256Hex } from '../../src/lib/server/tokens';

const DAY = 24 * 60 * 60 * 1000;
const now = new Date('2026-03-10T09:30:00.000Z');

function meeting(overrides: Partial<FeedMeeting> = {}): FeedMeeting {
  return {
    id: 's-1',
    groupName: 'Pigegruppen',
    startsAt: new Date('2026-04-08T14:00:00.000Z'),
    endsAt: new Date('2026-04-08T16:00:00.000Z'),
    place: 'Familiecentret, Ishøj',
    status: 'planned',
    sequence: 0,
    updatedAt: new Date('2026-01-05T08:15:30.250Z'),
    ...overrides,
  };
}

function conversation(overrides: Partial<FeedConversation> = {}): FeedConversation {
  return {
    id: 'c-1',
    kind: 'intake',
    groupName: 'Pigegruppen',
    childFirstName: 'Freja',
    startsAt: new Date('2026-03-20T13:00:00.000Z'),
    endsAt: new Date('2026-03-20T14:00:00.000Z'),
    place: 'Familiecentret, Ishøj',
    status: 'booked',
    sequence: 0,
    updatedAt: new Date('2026-02-01T10:00:00.000Z'),
    ...overrides,
  };
}

function headers(values: Record<string, string>): Headers {
  return new Headers(values);
}

afterEach(() => {
  vi.useRealTimers();
});

describe('which meetings a feed holds', () => {
  it('reaches two months back and twelve months ahead', () => {
    const at = (iso: string) => isShownInFeed({ startsAt: new Date(iso), cancelled: false }, now);
    expect(at('2026-01-11T09:30:00.000Z')).toBe(true); // 2 months back minus a day
    expect(at('2026-01-09T09:30:00.000Z')).toBe(false); // 2 months back plus a day
    expect(at('2027-03-09T09:30:00.000Z')).toBe(true); // 12 months ahead minus a day
    expect(at('2027-03-11T09:30:00.000Z')).toBe(false); // 12 months ahead plus a day
  });

  it('shows a cancelled meeting, marked AFLYST, until two weeks after its date, then drops it', () => {
    const cancelled = meeting({ id: 'gone-soon', status: 'cancelled', startsAt: new Date(now.getTime() - 13 * DAY), endsAt: new Date(now.getTime() - 13 * DAY + 2 * 3600_000) });
    const [event] = feedEvents([cancelled], [], now);
    expect(event?.cancelled).toBe(true);
    expect(event?.summary).toBe('AFLYST: Pigegruppen – Gruppemøde');

    const later = new Date(now.getTime() + 2 * DAY); // now 15 days after the meeting
    expect(feedEvents([cancelled], [], later)).toEqual([]);
    // A held meeting of the same age stays: only cancelled ones vanish early.
    expect(feedEvents([{ ...cancelled, status: 'planned' }], [], later)).toHaveLength(1);
  });

  it('keeps a cancelled meeting that has not happened yet', () => {
    const events = feedEvents([meeting({ status: 'cancelled' })], [], now);
    expect(events.map((e) => e.summary)).toEqual([`${CANCELLED_PREFIX}Pigegruppen – Gruppemøde`]);
  });

  it('orders events by start, the same way every time', () => {
    const a = meeting({ id: 'b', startsAt: new Date('2026-05-13T14:00:00Z'), endsAt: new Date('2026-05-13T16:00:00Z') });
    const b = meeting({ id: 'a', startsAt: new Date('2026-04-08T14:00:00Z') });
    const c = conversation();
    const order = feedEvents([a, b], [c], now).map((e) => e.uid);
    expect(order).toEqual(['samtale-c-1@gruppeforloeb', 'a@gruppeforloeb', 'b@gruppeforloeb']);
    expect(feedEvents([b, a], [c], now).map((e) => e.uid)).toEqual(order);
  });
});

describe('what an event says', () => {
  it('gives a meeting its stored identity: UID from the meeting id, SEQUENCE and times from the database', () => {
    const event = meetingEvent(meeting({ id: 'abc', sequence: 3 }));
    expect(event).toMatchObject({
      uid: 'abc@gruppeforloeb',
      sequence: 3,
      stamp: new Date('2026-01-05T08:15:30.250Z'),
      lastModified: new Date('2026-01-05T08:15:30.250Z'),
      summary: 'Pigegruppen – Gruppemøde',
      location: 'Familiecentret, Ishøj',
      cancelled: false,
    });
  });

  it("puts a child's first name only in a conversation's description, never in its title", () => {
    const event = conversationEvent(conversation({ kind: 'closing', childFirstName: 'Freja' }));
    expect(event.summary).toBe('Afsluttende samtale – Pigegruppen');
    expect(event.summary).not.toContain('Freja');
    expect(event.location).not.toContain('Freja');
    expect(event.description).toBe('Barnets fornavn: Freja');
  });

  it('marks a cancelled conversation', () => {
    const event = conversationEvent(conversation({ status: 'cancelled' }));
    expect(event.cancelled).toBe(true);
    expect(event.summary).toBe('AFLYST: Indledende samtale – Pigegruppen');
  });
});

describe('the rendered calendar', () => {
  const events = feedEvents(
    [
      meeting(),
      meeting({ id: 's-2', status: 'cancelled', sequence: 2, startsAt: new Date('2026-05-13T14:00:00Z'), endsAt: new Date('2026-05-13T16:00:00Z'), updatedAt: new Date('2026-03-01T12:00:00Z') }),
    ],
    [],
    now,
  );
  const render = () => renderCalendar({ name: 'Pigegruppen', description: 'Møder i Pigegruppen.', events });

  it('carries the calendar name, refresh interval and product id, and no METHOD', () => {
    const body = render();
    const lines = body.split('\r\n');
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines).toContain('PRODID:-//Familiecentret Ishøj-Vallensbæk//Gruppeforløb//DA');
    expect(lines).toContain('NAME:Pigegruppen');
    expect(lines).toContain('X-WR-CALNAME:Pigegruppen');
    expect(lines).toContain('REFRESH-INTERVAL;VALUE=DURATION:PT6H');
    expect(lines).toContain('X-PUBLISHED-TTL:PT6H');
    expect(body).not.toMatch(/^METHOD:/m);
    expect(body.endsWith('END:VCALENDAR\r\n')).toBe(true);
  });

  it('writes every time in UTC and stamps events with their stored change time', () => {
    const body = render();
    expect(body).toContain('DTSTART:20260408T140000Z');
    expect(body).toContain('DTEND:20260408T160000Z');
    expect(body).toContain('DTSTAMP:20260105T081530Z');
    expect(body).toContain('LAST-MODIFIED:20260301T120000Z');
    expect(body).not.toMatch(/TZID/);
    expect(body).toContain('STATUS:CANCELLED');
    expect(body).toContain('SEQUENCE:2');
  });

  it('gives the same bytes and ETag for the same data, whatever the clock says', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-03-10T09:30:00Z'));
    const first = render();
    vi.setSystemTime(new Date('2026-07-01T18:00:00Z'));
    const second = render();
    expect(second).toBe(first);
    expect(strongEtag(second)).toBe(strongEtag(first));
  });

  it('changes the ETag when one event changes', () => {
    const moved = events.map((e, i) => (i === 0 ? { ...e, sequence: e.sequence + 1 } : e));
    const other = renderCalendar({ name: 'Pigegruppen', description: 'Møder i Pigegruppen.', events: moved });
    expect(strongEtag(other)).not.toBe(strongEtag(render()));
  });

  it("takes Last-Modified from the newest stored change, and none for an empty feed", () => {
    expect(newestChange(events)).toEqual(new Date('2026-03-01T12:00:00Z'));
    expect(newestChange([])).toBeNull();
  });
});

describe('conditional requests', () => {
  const etag = '"abc123"';
  const modified = new Date('2026-03-01T12:00:00.750Z');

  it('answers 304 when If-None-Match holds our ETag (also weak, in a list, or *)', () => {
    expect(conditionalResponse(headers({ 'if-none-match': '"abc123"' }), etag, modified)).toBe(304);
    expect(conditionalResponse(headers({ 'if-none-match': 'W/"abc123"' }), etag, modified)).toBe(304);
    expect(conditionalResponse(headers({ 'if-none-match': '"old", "abc123"' }), etag, modified)).toBe(304);
    expect(conditionalResponse(headers({ 'if-none-match': '*' }), etag, modified)).toBe(304);
  });

  it('answers 200 when the ETag differs, even if If-Modified-Since says nothing changed', () => {
    const h = headers({ 'if-none-match': '"old"', 'if-modified-since': 'Thu, 01 Jan 2099 00:00:00 GMT' });
    expect(conditionalResponse(h, etag, modified)).toBe(200);
  });

  it('falls back to If-Modified-Since, comparing whole seconds', () => {
    expect(conditionalResponse(headers({ 'if-modified-since': 'Sun, 01 Mar 2026 12:00:00 GMT' }), etag, modified)).toBe(304);
    expect(conditionalResponse(headers({ 'if-modified-since': 'Sun, 01 Mar 2026 11:59:59 GMT' }), etag, modified)).toBe(200);
    expect(conditionalResponse(headers({ 'if-modified-since': 'not a date' }), etag, modified)).toBe(200);
    expect(conditionalResponse(headers({ 'if-modified-since': 'Sun, 01 Mar 2026 12:00:00 GMT' }), etag, null)).toBe(200);
  });

  it('answers 200 to a plain request', () => {
    expect(conditionalResponse(headers({}), etag, modified)).toBe(200);
  });
});

describe('caching public pages and feeds', () => {
  it('lets shared caches keep an answer to a request without cookies, never one that carried a cookie', () => {
    expect(publicCacheControl(headers({}), 60)).toBe('public, max-age=60, must-revalidate');
    expect(publicCacheControl(headers({ cookie: 'session=abc' }), 60)).toBe('private, max-age=60, must-revalidate');
    expect(publicCacheControl(headers({}), 0)).toBe('public, max-age=0, must-revalidate');
  });
});

describe('links and tokens', () => {
  it('gives a webcal:// link beside the https one', () => {
    expect(calendarLinks('https://grupper.example.dk', '/grupper/pigegruppen.ics')).toEqual({
      https: 'https://grupper.example.dk/grupper/pigegruppen.ics',
      webcal: 'webcal://grupper.example.dk/grupper/pigegruppen.ics',
    });
  });

  it('accepts only tokens shaped like the ones we make, and stores a SHA-256 hex of them', () => {
    const token = 'abcdefghijklmnopqrstuvwxyz234567abcdefg';
    expect(isWellFormedFeedToken(token)).toBe(true);
    expect(isWellFormedFeedToken(token.slice(1))).toBe(false);
    expect(isWellFormedFeedToken(`${token.slice(1)}1`)).toBe(false);
    expect(isWellFormedFeedToken('../../etc/passwd')).toBe(false);
    expect(sha256Hex(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(sha256Hex(token)).not.toContain(token);
    expect(staffFeedPath(token)).toBe(`/kalender/personale/${token}.ics`);
  });
});

describe('free places on the public page', () => {
  it('counts capacity minus active members, never below zero', () => {
    expect(freePlaces(10, 8)).toBe(2);
    expect(freePlaces(10, 12)).toBe(0);
  });

  it('says it the way people say it', () => {
    expect(freePlacesText(2, 'da')).toBe('2 ledige pladser');
    expect(freePlacesText(1, 'da')).toBe('1 ledig plads');
    expect(freePlacesText(0, 'da')).toBe('Ingen ledige pladser lige nu');
    expect(freePlacesText(1, 'en')).toBe('1 free place');
  });
});
