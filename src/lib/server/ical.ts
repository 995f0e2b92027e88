import ical, { ICalEventStatus } from 'ical-generator';

// The one place that knows ical-generator. Every time is written in UTC (DTSTART:...Z): calendar apps show
// it in the reader's own zone, and there is no VTIMEZONE to get wrong (a plain Date under a TZID would be
// written in the server's wall clock). Nothing here reads the clock: DTSTAMP and LAST-MODIFIED come from
// the caller, so the same data gives the same bytes (and the same ETag) on every request.

export const CALENDAR_PRODUCT_ID = '-//Familiecentret Ishøj-Vallensbæk//Gruppeforløb//DA';

/** How often a subscribed calendar should fetch the feed again (REFRESH-INTERVAL, X-PUBLISHED-TTL). */
export const CALENDAR_REFRESH_SECONDS = 6 * 60 * 60;

export interface CalendarEvent {
  uid: string;
  sequence: number;
  start: Date;
  end: Date;
  /** DTSTAMP. A stored timestamp, never "now". */
  stamp: Date;
  lastModified: Date;
  summary: string;
  description: string | null;
  location: string | null;
  cancelled: boolean;
}

export interface Calendar {
  name: string;
  description: string | null;
  events: readonly CalendarEvent[];
}

export function renderCalendar(calendar: Calendar): string {
  const cal = ical({
    // ical-generator writes "PRODID:-" and then this value.
    prodId: CALENDAR_PRODUCT_ID.slice(1),
    name: calendar.name,
    description: calendar.description,
    ttl: CALENDAR_REFRESH_SECONDS,
  });
  for (const event of calendar.events) {
    cal.createEvent({
      id: event.uid,
      sequence: event.sequence,
      start: event.start,
      end: event.end,
      stamp: event.stamp,
      lastModified: event.lastModified,
      summary: event.summary,
      description: event.description,
      location: event.location,
      status: event.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  // RFC 5545 ends every content line with CRLF, the last one too; ical-generator leaves it off.
  return `${cal.toString()}\r\n`;
}
