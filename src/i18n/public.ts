import type { Locale } from '../lib/time';

// The words around the public pages' content (headings, labels, calendar help), per language.
// The groups' own texts live in src/content/groups/<language>/; the facts come from the database.

export interface PublicText {
  frontTitle: string;
  frontHeading: string;
  ourGroups: string;
  readMore: (groupTitle: string) => string;
  contactHeading: string;
  contactIntro: string;
  phone: string;
  email: string;
  address: string;
  staffSignIn: string;
  forProfessionals: string;
  footerAccessibility: string;
  footerPrivacy: string;
  otherLanguage: string;
  inShort: string;
  forWhom: string;
  when: string;
  monthly: (rule: string) => string;
  noRuleYet: string;
  where: string;
  price: string;
  free: string;
  newMembersStart: (who: 'girls' | 'young' | 'children') => string;
  intakeOpen: string;
  intakeQuarterly: string;
  freePlaces: string;
  courseLength: string;
  atMostMonths: (months: number) => string;
  nextMeeting: string;
  noMeetingsYet: string;
  askForPlace: string;
  askForPlaceLink: string;
  askForPlaceContact: string;
  nextMeetings: string;
  cancelled: string;
  subscribeHeading: string;
  subscribeIntro: string;
  subscribeButton: string;
  subscribeLinkLabel: string;
  subscribeQr: string;
  subscribeQrAlt: string;
  appleHeading: string;
  appleSteps: string[];
  googleHeading: string;
  googleSteps: string[];
  notFoundTitle: string;
  notFoundText: string;
  notTranslated: string;
  /** The parents' request form and its thank-you page. */
  askTitle: string;
  askNotHere: string;
  seeOurGroups: string;
  thanksTitle: string;
  thanksHeading: string;
  thanksNext: string;
  thanksSteps: string[];
  thanksCall: string;
  backTo: string;
}

export const PUBLIC_TEXT: Record<Locale, PublicText> = {
  da: {
    frontTitle: 'Grupper for børn og unge',
    frontHeading: 'Grupper for børn og unge',
    ourGroups: 'Vores grupper',
    readMore: (title) => `Læs om ${title}`,
    contactHeading: 'Kontakt os',
    contactIntro: 'Har du spørgsmål? Ring eller skriv til os.',
    phone: 'Telefon',
    email: 'E-mail',
    address: 'Adresse',
    staffSignIn: 'Log ind for medarbejdere',
    forProfessionals: 'For fagfolk: sådan henviser du',
    footerAccessibility: 'Tilgængelighedserklæring',
    footerPrivacy: 'Sådan behandler vi dine oplysninger',
    otherLanguage: 'English',
    inShort: 'Kort fortalt',
    forWhom: 'For hvem',
    when: 'Hvornår',
    monthly: (rule) => `En gang om måneden: ${rule}`,
    noRuleYet: 'Vi har ikke fastlagt mødedagen endnu.',
    where: 'Hvor',
    price: 'Pris',
    free: 'Gratis',
    newMembersStart: (who) => `Nye ${who === 'girls' ? 'piger' : who === 'young' ? 'unge' : 'børn'} starter`,
    intakeOpen: 'Når der er en ledig plads',
    intakeQuarterly: 'En gang i kvartalet',
    freePlaces: 'Ledige pladser',
    courseLength: 'Forløbet varer',
    atMostMonths: (months) => `Højst ${months} måneder`,
    nextMeeting: 'Næste møde',
    noMeetingsYet: 'Der er ingen nye datoer endnu.',
    askForPlace: 'Spørg om en plads',
    askForPlaceLink: 'Spørg om en plads til dit barn',
    askForPlaceContact: 'Vil du spørge om en plads? Kontakt os:',
    nextMeetings: 'Næste møder',
    cancelled: 'Aflyst',
    subscribeHeading: 'Abonnér i kalender',
    subscribeIntro:
      'Få møderne ind i kalenderen på din telefon. Flytter vi et møde, kan du se det i kalenderen. Aflyser vi et møde, står der AFLYST.',
    subscribeButton: 'Abonnér i kalender',
    subscribeLinkLabel: 'Linket til kalenderen',
    subscribeQr: 'Er siden åben på en computer? Scan koden med telefonens kamera.',
    subscribeQrAlt: 'QR-kode til gruppens kalender',
    appleHeading: 'iPhone, iPad, Mac og Outlook',
    appleSteps: ['Tryk på knappen »Abonnér i kalender«.', 'Tryk på »Abonnér« for at sige ja.'],
    googleHeading: 'Google Kalender og Android',
    googleSteps: [
      'Kopiér linket til kalenderen herover.',
      'Åbn calendar.google.com på en computer.',
      'Klik på + ved »Andre kalendere«. Vælg »Fra webadresse«.',
      'Sæt linket ind. Klik på »Tilføj kalender«.',
      'Nu kommer møderne også frem på din Android-telefon. Det kan tage et par timer.',
    ],
    notFoundTitle: 'Siden findes ikke',
    notFoundText: 'Vi kan ikke finde den gruppe. Se alle vores grupper på forsiden.',
    notTranslated: 'Denne tekst findes kun på dansk.',
    askTitle: 'Ønsker du en plads?',
    askNotHere: 'Her kan du ikke spørge om en plads.',
    seeOurGroups: 'Se vores grupper',
    thanksTitle: 'Tak for dit ønske',
    thanksHeading: 'Tak. Vi har fået dit ønske',
    thanksNext: 'Det sker nu:',
    thanksSteps: [
      'Vi ringer eller skriver til dig inden for en uge.',
      'Vi aftaler en tid, hvor du og din datter kan komme og tale med os.',
      'Passer gruppen til jer, kan hun starte, når der er en plads.',
    ],
    thanksCall: 'Har du spørgsmål, så ring til os på',
    backTo: 'Tilbage til',
  },
  en: {
    frontTitle: 'Groups for children and young people',
    frontHeading: 'Groups for children and young people',
    ourGroups: 'Our groups',
    readMore: (title) => `Read about ${title}`,
    contactHeading: 'Contact us',
    contactIntro: 'Do you have a question? Call us or write to us.',
    phone: 'Phone',
    email: 'E-mail',
    address: 'Address',
    staffSignIn: 'Staff sign-in',
    forProfessionals: 'For professionals: how to refer',
    footerAccessibility: 'Accessibility statement',
    footerPrivacy: 'How we handle your data',
    otherLanguage: 'Dansk',
    inShort: 'In short',
    forWhom: 'For',
    when: 'When',
    monthly: (rule) => `Once a month: ${rule}`,
    noRuleYet: 'The meeting day is not set yet.',
    where: 'Where',
    price: 'Price',
    free: 'Free',
    newMembersStart: (who) => `New ${who === 'girls' ? 'girls' : who === 'young' ? 'members' : 'children'} start`,
    intakeOpen: 'When there is a free place',
    intakeQuarterly: 'Once every quarter',
    freePlaces: 'Free places',
    courseLength: 'The course lasts',
    atMostMonths: (months) => `At most ${months} months`,
    nextMeeting: 'Next meeting',
    noMeetingsYet: 'There are no new dates yet.',
    askForPlace: 'Ask for a place',
    askForPlaceLink: 'Ask for a place for your child',
    askForPlaceContact: 'Would you like to ask for a place? Contact us:',
    nextMeetings: 'Next meetings',
    cancelled: 'Cancelled',
    subscribeHeading: 'Add to your calendar',
    subscribeIntro:
      'Get the meetings into the calendar on your phone. If we move a meeting, your calendar shows the new time. If we cancel one, it says AFLYST (cancelled).',
    subscribeButton: 'Subscribe in calendar',
    subscribeLinkLabel: 'The calendar link',
    subscribeQr: 'Is this page open on a computer? Scan the code with your phone camera.',
    subscribeQrAlt: 'QR code for the group calendar',
    appleHeading: 'iPhone, iPad, Mac and Outlook',
    appleSteps: ['Tap the button “Subscribe in calendar”.', 'Tap “Subscribe” to say yes.'],
    googleHeading: 'Google Calendar and Android',
    googleSteps: [
      'Copy the calendar link above.',
      'Open calendar.google.com on a computer.',
      'Click + next to “Other calendars”. Choose “From URL”.',
      'Paste the link. Click “Add calendar”.',
      'The meetings now show on your Android phone too. This can take a few hours.',
    ],
    notFoundTitle: 'Page not found',
    notFoundText: 'We cannot find that group. See all our groups on the front page.',
    notTranslated: 'This text is only available in Danish.',
    askTitle: 'Would you like a place?',
    askNotHere: 'You cannot ask for a place here.',
    seeOurGroups: 'See our groups',
    thanksTitle: 'Thank you for your request',
    thanksHeading: 'Thank you. We have your request',
    thanksNext: 'What happens now:',
    thanksSteps: [
      'We will call or write to you within a week.',
      'We agree on a time when you and your daughter can come and talk with us.',
      'If the group suits you, she can start when there is a place.',
    ],
    thanksCall: 'If you have questions, call us on',
    backTo: 'Back to',
  },
};

/** '/grupper/pigegruppen' or '/en/grupper/pigegruppen'. */
export function groupPagePath(slug: string, locale: Locale): string {
  return `${locale === 'en' ? '/en' : ''}/grupper/${slug}`;
}
