import { z } from 'astro/zod';
import type { Locale } from '../../lib/time';

// The secret family link: /familie/<token>. Pure rules and words; no I/O.
// The token is 24 random bytes in base32 (generateSecret), only its SHA-256 is stored, a new link revokes the old,
// and the token is never written to a log (the audit trail names the link's id, never the token).

/** 24 random bytes in lower-case base32 without padding: 39 characters. */
const FAMILY_TOKEN = /^[a-z2-7]{39}$/;

export function isWellFormedFamilyToken(token: string | undefined): token is string {
  return token !== undefined && FAMILY_TOKEN.test(token);
}

export function familyPagePath(token: string): string {
  return `/familie/${token}`;
}

export function familyFeedPath(token: string): string {
  return `/familie/${token}/kalender.ics`;
}

/** Family pages per address: generous for a family, far too few to guess a 192-bit token. */
export const FAMILY_RATE_LIMIT = { max: 300, windowSeconds: 15 * 60, blockSeconds: 15 * 60 };

export function familyRateLimitKey(ip: string | null): string {
  return `familie:ip:${ip ?? 'ukendt'}`;
}

/** The centre's phone when the content file has none. */
export const FALLBACK_CENTRE_PHONE = '43 57 00 00';

export const ABSENCE_MESSAGE_MAX = 200;

export const absenceSchema = z.object({
  meetingId: z.string().min(1).max(100),
  message: z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim())
    .pipe(z.string().max(ABSENCE_MESSAGE_MAX, `Skriv højst ${ABSENCE_MESSAGE_MAX} tegn.`)),
});

export function pickLocale(value: string | null): Locale {
  return value === 'en' ? 'en' : 'da';
}

/** Every word on the family pages. Short sentences and everyday words (LIX ≤ 35); "dit barn", never "barnet". */
export const FAMILY_TEXT = {
  da: {
    title: 'Dit barns gruppe',
    intro: (name: string, group: string) => `${name} går i ${group}.`,
    notStarted: (name: string, group: string) => `${name} skal gå i ${group}. Vi skriver til dig, når det er tid at starte.`,
    nextMeetings: 'De næste møder',
    noMeetings: 'Der er ingen møder i kalenderen lige nu.',
    when: 'Hvornår',
    where: 'Hvor',
    cancelled: 'AFLYST',
    moved: 'Flyttet til ny tid',
    cancelledText: 'Mødet er aflyst.',
    cancelReason: 'Grund',
    absenceSent: 'Du har meldt afbud.',
    yourMessage: 'Din besked',
    leaderAbsence: 'Vi har skrevet afbud.',
    reportAbsence: 'Meld afbud',
    messageLabel: 'Besked til os (hvis du vil)',
    messageHint: 'Fx at dit barn er syg.',
    withdraw: 'Tag afbud tilbage',
    conversations: 'Samtaler',
    noConversations: 'Der er ingen samtaler lige nu.',
    calendarTitle: 'Få møderne i din kalender',
    calendarText: 'Tryk på linket på din telefon. Så kommer møderne ind i din kalender. Nye tider kommer med af sig selv.',
    calendarLink: 'Tilføj til kalender',
    calendarCopy: 'Virker det ikke? Kopier dette link ind i din kalender:',
    secret: 'Linket er kun til dig. Giv det ikke til andre.',
    callUs: (phone: string) => `Har du spørgsmål? Ring til os på ${phone}.`,
    switchLanguage: 'English',
    saved: 'Tak. Vi har fået dit afbud.',
    withdrawn: 'Dit afbud er taget tilbage.',
    goneTitle: 'Linket virker ikke mere',
    goneText: 'Linket er lukket, eller det er skrevet forkert.',
    goneCall: (phone: string) => `Ring til Familiecentret på ${phone}. Så får du et nyt link.`,
    tooMany: 'Du har åbnet siden mange gange. Vent lidt, og prøv igen.',
    kinds: { intake: 'Første samtale', parent: 'Samtale med forældre', follow_up: 'Samtale om de første uger', closing: 'Sidste samtale' },
    askTitle: 'Vil du tale med os?',
    askText: 'Du kan altid bede om en samtale. Så ringer vi til dig og finder en tid.',
    askLabel: 'Hvad vil du tale om? (hvis du vil)',
    askButton: 'Bed om en samtale',
    asked: 'Tak. Vi ringer til dig snart.',
    askedOpen: 'Du har bedt om en samtale. Vi ringer til dig snart.',
    summaryTitle: 'Det skrev vi om forløbet',
    summaryText: 'Læs det, vi har skrevet. Er det rigtigt? Du kan sige ja, eller du kan skrive til os. Så får rådgiveren det.',
    summaryText2: 'Rådgiveren har fået det, vi skrev.',
    accept: 'Ja, det er rigtigt',
    commentLabel: 'Din bemærkning',
    commentHint: 'Skriv, hvis noget skal med, eller hvis noget er forkert.',
    commentButton: 'Send min bemærkning',
    yourComment: 'Din bemærkning',
    summaryAnswered: 'Tak for dit svar. Nu får rådgiveren det.',
  },
  en: {
    title: "Your child's group",
    intro: (name: string, group: string) => `${name} is in ${group}.`,
    notStarted: (name: string, group: string) => `${name} will join ${group}. We will write to you when it is time to start.`,
    nextMeetings: 'The next meetings',
    noMeetings: 'There are no meetings in the calendar right now.',
    when: 'When',
    where: 'Where',
    cancelled: 'CANCELLED',
    moved: 'Moved to a new time',
    cancelledText: 'The meeting is cancelled.',
    cancelReason: 'Reason',
    absenceSent: 'You have said your child will not come.',
    yourMessage: 'Your message',
    leaderAbsence: 'We have noted that your child will not come.',
    reportAbsence: 'Say your child will not come',
    messageLabel: 'Message to us (if you like)',
    messageHint: 'For example that your child is ill.',
    withdraw: 'Undo',
    conversations: 'Conversations',
    noConversations: 'There are no conversations right now.',
    calendarTitle: 'Get the meetings in your calendar',
    calendarText: 'Tap the link on your phone. Then the meetings go into your calendar. New times come by themselves.',
    calendarLink: 'Add to calendar',
    calendarCopy: 'Does it not work? Copy this link into your calendar:',
    secret: 'This link is only for you. Do not give it to others.',
    callUs: (phone: string) => `Questions? Call us on ${phone}.`,
    switchLanguage: 'Dansk',
    saved: 'Thank you. We have your message.',
    withdrawn: 'Your message is taken back.',
    goneTitle: 'The link does not work any more',
    goneText: 'The link is closed, or it is not written right.',
    goneCall: (phone: string) => `Call the family centre on ${phone}. Then you get a new link.`,
    tooMany: 'You have opened the page many times. Wait a little and try again.',
    kinds: { intake: 'First conversation', parent: 'Conversation with parents', follow_up: 'Talk about the first weeks', closing: 'Last conversation' },
    askTitle: 'Do you want to talk to us?',
    askText: 'You can always ask for a talk. Then we call you and find a time.',
    askLabel: 'What do you want to talk about? (if you like)',
    askButton: 'Ask for a talk',
    asked: 'Thank you. We will call you soon.',
    askedOpen: 'You have asked for a talk. We will call you soon.',
    summaryTitle: 'What we wrote about the course',
    summaryText: 'Read what we wrote. Is it right? You can say yes, or you can write to us. Then the caseworker gets it.',
    summaryText2: 'The caseworker has what we wrote.',
    accept: 'Yes, it is right',
    commentLabel: 'Your note',
    commentHint: 'Write if something is missing or wrong.',
    commentButton: 'Send my note',
    yourComment: 'Your note',
    summaryAnswered: 'Thank you for your answer. Now the caseworker gets it.',
  },
} as const;
