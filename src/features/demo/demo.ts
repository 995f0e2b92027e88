// The demo data set: plausible groups, children, families, referrals, courses, meetings and attendance for a
// family centre, from a seed. Pure: no I/O, `now` is an argument, and the same seed gives the same rows (ids
// included), so the benchmark can rebuild the same data at any size.
//
// The story per group: a referral arrives, an intake conversation is booked and held, the child waits for an
// intake meeting (any meeting for an open group, the first meeting of a quarter for a quarterly one), attends
// the monthly meetings and ends with a closing conversation. Capacity is respected at every start.

import type { Selectable } from 'kysely';
import type {
  AttendanceTable,
  ChildrenTable,
  ClosedPeriodsTable,
  ConversationsTable,
  EnrollmentsTable,
  MeetingsTable,
  GroupsTable,
  GuardiansTable,
  IntakeWindowsTable,
  MeetingRulesTable,
  Municipality,
  ReferralsTable,
  UsersTable,
} from '../../lib/server/database';
import type { ClosedPeriod, MeetingRule } from '../schedule/schedule';
import { generateOccurrences, intakeWindows } from '../schedule/schedule';
import type { IsoDate } from '../../lib/time';
import { addDays, compareDates, daysBetween, isoDate, todayInZone, weekdayOf, zonedToInstant } from '../../lib/time';
import type { EnrollmentState } from '../lifecycle/lifecycle';
import { referralStatusFor } from '../lifecycle/lifecycle';
import { addMonths } from '../../lib/time';

/** The app_settings key that marks a database as holding the demo. */
export const DEMO_SETTING_KEY = 'demo_loaded_at';
export const DEMO_EMAIL_DOMAIN = 'demo.gruppeforloeb.dk';

export interface DemoOptions {
  seed: number;
  /** Years of past meetings (and courses) per group. */
  years: number;
  childrenPerGroup: number;
  /** At least this many groups: existing groups are used, missing ones are created. */
  groups: number;
  /** Places in the groups the demo creates (null: 10, as the centre's groups); existing groups keep theirs. */
  groupCapacity: number | null;
}

export const DEFAULT_DEMO_OPTIONS: DemoOptions = { seed: 20261123, years: 1, childrenPerGroup: 10, groups: 3, groupCapacity: null };

// ---------------------------------------------------------------------------------------------
// Input and output shapes

export interface DemoExistingMeeting {
  id: string;
  occurrenceKey: string;
  startsAt: Date;
  endsAt: Date;
  status: 'planned' | 'cancelled' | 'moved';
}

export interface DemoGroup {
  id: string;
  kind: 'girls' | 'siblings';
  minAge: number;
  maxAge: number;
  capacity: number;
  intakeRule: 'open' | 'quarterly';
  /** null: open-ended courses (the girls' group). */
  maxCourseMonths: number | null;
  rule: MeetingRule;
  place: string;
  leaderIds: string[];
  /** Closed periods that apply to this group (the centre's and its own). */
  closedPeriods: ClosedPeriod[];
  /** Meetings the app already made (typically the coming twelve months); their months are not generated again. */
  existingMeetings: DemoExistingMeeting[];
  existingIntakeWindows: { id: string; quarterStart: IsoDate; meetingId: string | null }[];
}

export interface DemoStaffRef {
  id: string;
  municipality: Municipality | null;
}

export interface DemoInput {
  seed: number;
  now: Date;
  years: number;
  childrenPerGroup: number;
  groups: DemoGroup[];
  caseworkers: DemoStaffRef[];
  /** Referral references already in use ('H-2026-0042'); new ones skip them. */
  takenReferences: string[];
}

export interface DemoData {
  meetings: Selectable<MeetingsTable>[];
  intakeWindows: Selectable<IntakeWindowsTable>[];
  children: Selectable<ChildrenTable>[];
  guardians: Selectable<GuardiansTable>[];
  referrals: Selectable<ReferralsTable>[];
  enrollments: Selectable<EnrollmentsTable>[];
  conversations: Selectable<ConversationsTable>[];
  attendance: Selectable<AttendanceTable>[];
  /** Existing intake windows whose quarter now has an earlier first meeting (one of the generated past ones). */
  intakeWindowMeetings: { id: string; meetingId: string }[];
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness

/** mulberry32: a tiny, fast 32-bit PRNG; good enough for test data, never for secrets. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** A whole number in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }
  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy;
  }
  /** A UUID v4 drawn from the seeded stream, so ids repeat with the seed. */
  uuid(): string {
    const hex = Array.from({ length: 4 }, () => Math.floor(this.next() * 4294967296).toString(16).padStart(8, '0')).join('');
    const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Calendar helpers that time.ts does not need



/** A birth date that makes the child exactly `age` on `on`, chosen evenly over the possible year. */
function birthDateFor(random: Random, age: number, on: IsoDate): IsoDate {
  const latest = addMonths(on, -12 * age);
  const earliest = addDays(addMonths(on, -12 * (age + 1)), 1);
  return addDays(earliest, random.int(0, daysBetween(earliest, latest)));
}

/** Conversations are held Monday to Thursday: the date itself or the next such day. */
function meetingDayOnOrAfter(date: IsoDate): IsoDate {
  const weekday = weekdayOf(date);
  return weekday <= 4 ? date : addDays(date, 8 - weekday);
}

/** The latest Monday-Thursday on or before a date. */
function meetingDayOnOrBefore(date: IsoDate): IsoDate {
  const weekday = weekdayOf(date);
  return weekday <= 4 ? date : addDays(date, 4 - weekday);
}

// Converting a Copenhagen wall clock to an instant goes through Intl and is the generator's hot spot at scale;
// the same few times of day recur on the same dates, so the answers are kept (a bounded, pure cache).
const instantCache = new Map<string, number>();

function at(date: IsoDate, hour: number, minute = 0): Date {
  const key = `${date}T${hour}:${minute}`;
  let ms = instantCache.get(key);
  if (ms === undefined) {
    ms = zonedToInstant(date, `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`).getTime();
    if (instantCache.size > 200_000) instantCache.clear();
    instantCache.set(key, ms);
  }
  return new Date(ms);
}

function earliest(a: Date, b: Date): Date {
  return a.getTime() <= b.getTime() ? a : b;
}

function quarterStartOf(date: IsoDate): IsoDate {
  const month = Number(date.slice(5, 7));
  return isoDate(Number(date.slice(0, 4)), month - ((month - 1) % 3), 1);
}

// ---------------------------------------------------------------------------------------------
// Words: names, reasons, themes

type Origin = {
  weight: number;
  /** The interpreter language some parents need (Danish word, lower case), or null. */
  language: string | null;
  girls: readonly string[];
  boys: readonly string[];
  women: readonly string[];
  men: readonly string[];
  surnames: readonly string[];
};

const ORIGINS: readonly Origin[] = [
  {
    weight: 55,
    language: null,
    girls: ['Emma', 'Ida', 'Clara', 'Freja', 'Alma', 'Ella', 'Sofia', 'Agnes', 'Karla', 'Laura', 'Josefine', 'Anna',
      'Olivia', 'Nora', 'Mathilde', 'Liva', 'Asta', 'Ellen', 'Marie', 'Signe', 'Frida', 'Lærke', 'Sara', 'Johanne'],
    boys: ['William', 'Noah', 'Oscar', 'Lucas', 'Carl', 'Victor', 'Malthe', 'Alfred', 'Emil', 'Oliver', 'Magnus',
      'Frederik', 'Elias', 'Aksel', 'August', 'Valdemar', 'Johan', 'Mads', 'Anton', 'Villads', 'Storm', 'Bertram'],
    women: ['Mette', 'Louise', 'Camilla', 'Maria', 'Sanne', 'Line', 'Pernille', 'Anne', 'Tina', 'Helle', 'Rikke',
      'Charlotte', 'Stine', 'Julie', 'Tanja', 'Maja'],
    men: ['Martin', 'Thomas', 'Jesper', 'Henrik', 'Michael', 'Kasper', 'Rasmus', 'Jakob', 'Morten', 'Søren', 'Anders',
      'Christian', 'Lars', 'Peter', 'Brian', 'Nikolaj'],
    surnames: ['Jensen', 'Nielsen', 'Hansen', 'Pedersen', 'Andersen', 'Christensen', 'Larsen', 'Sørensen', 'Rasmussen',
      'Jørgensen', 'Petersen', 'Madsen', 'Kristensen', 'Olsen', 'Thomsen', 'Poulsen', 'Johansen', 'Møller',
      'Mortensen', 'Holm', 'Lund', 'Bach', 'Kjær', 'Dahl', 'Frederiksen', 'Vestergaard'],
  },
  {
    weight: 12,
    language: 'arabisk',
    girls: ['Maryam', 'Fatima', 'Aya', 'Nour', 'Layla', 'Yasmin', 'Hiba', 'Salma', 'Zainab', 'Amira', 'Lina', 'Rahaf'],
    boys: ['Omar', 'Yusuf', 'Ali', 'Ahmad', 'Hassan', 'Karim', 'Adam', 'Ibrahim', 'Mahmoud', 'Zaid', 'Khalil'],
    women: ['Rania', 'Huda', 'Samira', 'Leila', 'Nadia', 'Mona', 'Dalia', 'Ghada'],
    men: ['Khaled', 'Mohammed', 'Tarek', 'Walid', 'Samir', 'Bilal', 'Jamal', 'Nabil'],
    surnames: ['Hassan', 'Ali', 'Haddad', 'Khalil', 'Saleh', 'Abbas', 'Mansour', 'El-Sayed', 'Nasser', 'Darwish',
      'Hamdan', 'Aziz'],
  },
  {
    weight: 10,
    language: 'tyrkisk',
    girls: ['Elif', 'Zeynep', 'Defne', 'Ecrin', 'Azra', 'Esma', 'Meryem', 'Nisa', 'Eylül', 'Ela'],
    boys: ['Emir', 'Yusuf', 'Mert', 'Kerem', 'Efe', 'Burak', 'Arda', 'Eren', 'Ömer', 'Alp'],
    women: ['Ayşe', 'Fatma', 'Emine', 'Hatice', 'Sevgi', 'Derya', 'Gül', 'Özlem'],
    men: ['Mehmet', 'Mustafa', 'Ahmet', 'Hüseyin', 'Murat', 'Serkan', 'Kemal', 'Cem'],
    surnames: ['Yılmaz', 'Kaya', 'Demir', 'Şahin', 'Çelik', 'Aydın', 'Öztürk', 'Arslan', 'Doğan', 'Koç', 'Kurt'],
  },
  {
    weight: 6,
    language: 'somali',
    girls: ['Hodan', 'Ifrah', 'Sagal', 'Ayaan', 'Hibaq', 'Nasra', 'Ubah', 'Deeqa', 'Naima'],
    boys: ['Abdirahman', 'Mahad', 'Liban', 'Abdi', 'Guled', 'Hamza', 'Bashir', 'Mustafe'],
    women: ['Khadra', 'Faadumo', 'Sahra', 'Halima', 'Amina', 'Hawa'],
    men: ['Abdullahi', 'Yasin', 'Mukhtar', 'Hassan', 'Said', 'Farhan'],
    surnames: ['Warsame', 'Abdi', 'Farah', 'Hussein', 'Jama', 'Osman', 'Mohamed', 'Ahmed', 'Nur', 'Ismail'],
  },
  {
    weight: 6,
    language: 'urdu',
    girls: ['Aisha', 'Hira', 'Sana', 'Iqra', 'Mahnoor', 'Zoya', 'Alina', 'Anaya'],
    boys: ['Hamza', 'Bilal', 'Rayan', 'Zayan', 'Imran', 'Ayaan', 'Faisal', 'Arham'],
    women: ['Nazia', 'Shazia', 'Rubina', 'Samina', 'Farah', 'Uzma'],
    men: ['Tariq', 'Asif', 'Naveed', 'Waseem', 'Shahid', 'Kamran'],
    surnames: ['Khan', 'Hussain', 'Ahmed', 'Malik', 'Butt', 'Chaudhry', 'Iqbal', 'Qureshi', 'Raza'],
  },
  {
    weight: 4,
    language: null,
    girls: ['Zofia', 'Maja', 'Hanna', 'Julia', 'Amelia'],
    boys: ['Jakub', 'Kacper', 'Szymon', 'Filip', 'Antoni'],
    women: ['Agnieszka', 'Katarzyna', 'Magdalena', 'Monika'],
    men: ['Piotr', 'Tomasz', 'Paweł', 'Marcin'],
    surnames: ['Nowak', 'Mazur', 'Kaczmarek', 'Krawczyk', 'Wróbel'],
  },
  {
    weight: 4,
    language: null,
    girls: ['Linh', 'Mai', 'An', 'Thu', 'Ngoc'],
    boys: ['Minh', 'Bao', 'Duc', 'Khang', 'Long'],
    women: ['Lan', 'Hoa', 'Huong', 'Thuy'],
    men: ['Tuan', 'Hung', 'Quang', 'Dung'],
    surnames: ['Nguyen', 'Tran', 'Le', 'Pham', 'Vo'],
  },
  {
    weight: 3,
    language: null,
    girls: ['Amra', 'Lejla', 'Ajla', 'Emina', 'Sara'],
    boys: ['Amar', 'Haris', 'Tarik', 'Adnan', 'Kenan'],
    women: ['Alma', 'Selma', 'Mirela', 'Jasmina'],
    men: ['Edin', 'Senad', 'Mirza', 'Nermin'],
    surnames: ['Hodžić', 'Begić', 'Kovačević', 'Delić', 'Hadžić'],
  },
];

const ORIGIN_WEIGHT_TOTAL = ORIGINS.reduce((sum, o) => sum + o.weight, 0);

function pickOrigin(random: Random): Origin {
  let roll = random.float() * ORIGIN_WEIGHT_TOTAL;
  for (const origin of ORIGINS) {
    roll -= origin.weight;
    if (roll < 0) return origin;
  }
  return ORIGINS[0] as Origin;
}

const REASONS_SIBLINGS = [
  'Barnet har en søster med et handicap og tager meget ansvar derhjemme. Har brug for et frirum med jævnaldrende.',
  'Forældrene fortæller, at barnet sjældent siger, hvordan det går. De ønsker, at barnet møder andre i samme situation.',
  'Barnet bliver tit overset, fordi broren har brug for meget hjælp. Skolen ser et barn, der trækker sig.',
  'Barnet er ofte bekymret for sin bror og sover dårligt. Familien har selv spurgt efter gruppen.',
  'Forældrene er slidte, og barnet passer meget på dem. Gruppen kan give barnet et sted, hvor det bare kan være barn.',
  'Barnet er vred og ked af det over, at familien ikke kan det samme som andre familier. Ønsker at tale med nogen, der forstår det.',
];

const REASONS_GIRLS_CASEWORKER = [
  'Pigen er stille og usikker i grupper. Skolen foreslår et sted, hvor hun kan øve sig i at være sammen med andre.',
  'Familien har haft en svær periode med sygdom. Pigen har brug for et fællesskab uden for hjemmet.',
  'Pigen er ny i skolen og har endnu ikke fundet en veninde. Hun er meget alene i fritiden.',
  'Pigen bliver ofte holdt uden for i klassen. Mor og skolen er enige om, at hun skal have et andet fællesskab.',
];

const REASONS_GIRLS_PARENT = [
  'Vores datter har svært ved at finde venner i klassen og er meget alene i frikvartererne.',
  'Min datter er ked af det, når hun kommer hjem fra skole. Hun siger, at ingen vil lege med hende.',
  'Vi er nye i kommunen, og vores datter savner nogen at være sammen med.',
  'Min datter er genert. Hun vil gerne have en veninde, men ved ikke, hvordan hun skal starte.',
];

const DECLINE_REASONS = [
  'Gruppen passer ikke til barnets behov lige nu. Familien er vejledt om et andet tilbud.',
  'Barnet ønskede ikke at gå i en gruppe. Vi har aftalt at tale sammen igen om et halvt år.',
  'Familien får allerede et tilbud, der dækker behovet.',
  'Barnet har brug for mere hjælp, end gruppen kan give. Rådgiveren er orienteret.',
];

const WITHDRAW_REASONS = [
  'Familien har meldt fra, fordi mødetiden ikke passer med barnets fritidsjob.',
  'Familien er flyttet til en anden kommune.',
  'Forældrene vil hellere vente til efter sommerferien.',
  'Barnet vil hellere bruge tiden på sin sport.',
];

const EARLY_END_REASONS = [
  'Familien er flyttet.',
  'Barnet ønskede selv at stoppe.',
  'Barnet er startet i et andet tilbud.',
  'Barnet har det bedre og har selv valgt at stoppe.',
];

const FULL_END_REASON_SIBLINGS = 'Forløbet er slut efter planen.';

const END_REASONS_GIRLS = [
  'Pigen har fået nye venner og har selv valgt at stoppe.',
  'Forløbet er afsluttet efter aftale med familien.',
];

const CANCEL_REASONS = [
  'Begge gruppeledere var syge.',
  'Vandskade i mødelokalet.',
  'Snestorm: kommunen lukkede institutionerne.',
  'For mange havde meldt afbud.',
];

const THEMES_COMMON = ['Følelser og grænser', 'At sige til og fra', 'Vi laver mad sammen', 'Tur i skoven', 'Skole og fritid'];
const THEMES_GIRLS = ['Venskaber', 'At være en god veninde', 'Selvværd', 'Drillerier og mobning', 'At være ny', 'Når mor eller far er syg'];
const THEMES_SIBLINGS = ['Søskenderoller', 'Når min bror eller søster får mest opmærksomhed', 'Min familie', 'Jalousi og retfærdighed',
  'Når mor eller far er trætte', 'Hvad jeg siger til mine venner'];

const MEETING_NOTES = [
  'Vi spiste sammen og snakkede om ugen.',
  'God snak om at sige fra. Alle var med.',
  'Vi var ude at gå en tur og sluttede med kage.',
  'Stille gruppe i dag. Vi tager emnet op igen næste gang.',
];

const EXCUSE_REASONS = ['Syg', 'Forkølet', 'Tandlæge', 'Fødselsdag i familien', 'Fodboldkamp', 'Skolearrangement',
  'Familien er bortrejst', 'Ondt i maven'];

const CHILD_WORDS = [
  'Jeg vil gerne have nogen at snakke med.',
  'Det er rart, at de andre forstår det.',
  'Jeg glæder mig mest til maden.',
  'Jeg var nervøs, men det var sjovt.',
];

const INTAKE_NOTES = [
  'Barnet og begge forældre deltog. Vi fortalte om gruppen, og barnet vil gerne prøve.',
  'Mor og barn deltog. Barnet var genert i starten, men stillede gode spørgsmål.',
  'Samtalen blev holdt med tolk. Familien har fået folderen på deres eget sprog.',
];

const CLOSING_NOTES = [
  'Evaluering: barnet har fået et sted at tale om det svære og har fået en ven i gruppen.',
  'Evaluering: forældrene oplever et gladere barn. Barnet vil gerne holde kontakten med de andre.',
  'Evaluering: forløbet sluttede tidligere end planlagt. Familien var glad for samtalerne.',
];

const PARENT_CONVERSATION_NOTES = [
  'Forældrene ønskede en snak om, hvordan barnet har det i gruppen. Vi aftalte at holde øje sammen.',
  'Mor bad om en samtale, fordi barnet har været ked af det efter møderne. Det går bedre nu.',
];

const EMAIL_DOMAINS = ['example.org', 'example.net', 'example.com'];

/** 'Ayşe Lærke' → 'ayse.laerke', for e-mail local parts. */
function asciiSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'oe')
    .replace(/å/g, 'aa')
    .replace(/ł/g, 'l')
    .replace(/ı/g, 'i')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '.')
    .replace(/^\.+|\.+$/g, '');
}

function danishMobile(random: Random): string {
  return `+45${random.pick(['2', '3', '4', '5', '6', '7', '9'])}${String(random.int(0, 9_999_999)).padStart(7, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Staff, groups and closed periods for a database that has none

export interface DemoStaffMember {
  email: string;
  displayName: string;
  role: 'leader' | 'caseworker';
  municipality: Municipality | null;
}

/** Two group leaders and a caseworker in each municipality. Created without a password. */
export const DEMO_STAFF: readonly DemoStaffMember[] = [
  { email: `leder1@${DEMO_EMAIL_DOMAIN}`, displayName: 'Mette Kjær', role: 'leader', municipality: null },
  { email: `leder2@${DEMO_EMAIL_DOMAIN}`, displayName: 'Jonas Bech', role: 'leader', municipality: null },
  { email: `raadgiver.ishoj@${DEMO_EMAIL_DOMAIN}`, displayName: 'Sara Ahmed', role: 'caseworker', municipality: 'ishoj' },
  { email: `raadgiver.vallensbaek@${DEMO_EMAIL_DOMAIN}`, displayName: 'Lone Winther', role: 'caseworker', municipality: 'vallensbaek' },
];

export function demoStaffRows(members: readonly DemoStaffMember[], seed: number, now: Date): Selectable<UsersTable>[] {
  const random = new Random(seed ^ 0x5eed5);
  const created = now.toISOString();
  return members.map((m) => ({
    id: random.uuid(),
    email: m.email,
    display_name: m.displayName,
    role: m.role,
    municipality: m.municipality,
    password_hash: null,
    totp_key: null,
    totp_last_step: null,
    disabled_at: null,
    created_at: created,
    updated_at: created,
  }));
}

type GroupTemplate = Pick<DemoGroup, 'kind' | 'minAge' | 'maxAge' | 'capacity' | 'intakeRule' | 'maxCourseMonths'> & {
  slug: string;
  name: string;
  weekday: number;
  nth: number;
  startTime: string;
  endTime: string;
  description: string;
};

const GROUP_TEMPLATES: readonly GroupTemplate[] = [
  {
    slug: 'pigegruppen', name: 'Pigegruppen', kind: 'girls', minAge: 7, maxAge: 15, capacity: 10, intakeRule: 'open',
    maxCourseMonths: null, weekday: 3, nth: 2, startTime: '16:00', endTime: '18:00',
    description: 'En gruppe for piger fra 7 til 15 år, som har svært ved at finde venner. Vi mødes en gang om måneden.',
  },
  {
    slug: 'soeskendegruppen-boern', name: 'Søskendegruppen børn', kind: 'siblings', minAge: 9, maxAge: 12, capacity: 10,
    intakeRule: 'quarterly', maxCourseMonths: 12, weekday: 2, nth: 1, startTime: '16:30', endTime: '18:30',
    description: 'En gruppe for børn fra 9 til 12 år, som har en bror eller søster med et handicap. Vi mødes en gang om måneden.',
  },
  {
    slug: 'soeskendegruppen-unge', name: 'Søskendegruppen unge', kind: 'siblings', minAge: 13, maxAge: 18, capacity: 10,
    intakeRule: 'quarterly', maxCourseMonths: 12, weekday: 4, nth: 3, startTime: '16:30', endTime: '18:30',
    description: 'En gruppe for unge fra 13 til 18 år, som har en bror eller søster med et handicap. Vi mødes en gang om måneden.',
  },
];

export interface DemoGroupRows {
  group: Selectable<GroupsTable>;
  rule: Selectable<MeetingRulesTable>;
}

/**
 * `count` new groups after the `existingCount` the database has: the three kinds of the centre in turn, each
 * meeting on its own weekday and week of the month. Slugs already taken get a number.
 */
export function demoGroupRows(input: {
  seed: number;
  now: Date;
  existingCount: number;
  count: number;
  takenSlugs: string[];
  capacity?: number | null;
}): DemoGroupRows[] {
  const random = new Random(input.seed ^ 0x6a09e667);
  const taken = new Set(input.takenSlugs);
  const stamp = input.now.toISOString();
  const rows: DemoGroupRows[] = [];
  for (let i = 0; i < input.count; i++) {
    const index = input.existingCount + i;
    const template = GROUP_TEMPLATES[index % GROUP_TEMPLATES.length] as GroupTemplate;
    const round = Math.floor(index / GROUP_TEMPLATES.length);
    let number = round + 1;
    let slug = number === 1 ? template.slug : `${template.slug}-${number}`;
    while (taken.has(slug)) slug = `${template.slug}-${++number}`;
    taken.add(slug);
    const id = random.uuid();
    rows.push({
      group: {
        id,
        slug,
        name: number === 1 ? template.name : `${template.name} ${number}`,
        kind: template.kind,
        min_age: template.minAge,
        max_age: template.maxAge,
        girls_only: template.kind === 'girls' ? 1 : 0,
        capacity: input.capacity ?? template.capacity,
        place: 'Familiecentret, Ishøj',
        intake_rule: template.intakeRule,
        max_course_months: template.maxCourseMonths,
        public_description: template.description,
        archived_at: null,
        reminder_days_before: 1,
        reminder_time: '16:00',
        created_at: stamp,
        updated_at: stamp,
      },
      rule: {
        id: random.uuid(),
        group_id: id,
        // The centre's own rules for the first three; further groups spread over Monday-Thursday, weeks 1-4.
        weekday: round === 0 ? template.weekday : 1 + ((template.weekday - 1 + round) % 4),
        nth: round === 0 ? template.nth : 1 + ((template.nth - 1 + Math.floor(round / 4)) % 4),
        start_time: template.startTime,
        end_time: template.endTime,
        on_closed: 'next_week',
        updated_at: stamp,
      },
    });
  }
  return rows;
}

/** The summer and Christmas holidays of the past years, for a centre that has not entered any closed period. */
export function demoClosedPeriodRows(input: { seed: number; now: Date; years: number }): Selectable<ClosedPeriodsTable>[] {
  const random = new Random(input.seed ^ 0xc105ed);
  const today = todayInZone(input.now);
  const lastYear = Number(today.slice(0, 4));
  const rows: Selectable<ClosedPeriodsTable>[] = [];
  for (let year = lastYear - input.years - 1; year <= lastYear; year++) {
    const periods = [
      { name: `Sommerferie ${year}`, startDate: isoDate(year, 7, 1), endDate: isoDate(year, 8, 4) },
      { name: `Juleferie ${year}`, startDate: isoDate(year, 12, 22), endDate: isoDate(year + 1, 1, 1) },
    ];
    for (const p of periods) {
      if (compareDates(p.endDate, today) >= 0) continue;
      rows.push({
        id: random.uuid(),
        group_id: null,
        name: p.name,
        start_date: p.startDate,
        end_date: p.endDate,
        created_at: input.now.toISOString(),
      });
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// The generator

type Meeting = {
  id: string;
  date: IsoDate;
  startsAt: Date;
  endsAt: Date;
  cancelled: boolean;
  occurrenceKey: string;
};

type Slot = { date: IsoDate; meetingId: string; windowId: string | null };

/** A course in the making: a child who starts at a slot and leaves on `endDate` (the closing conversation). */
type Course = { start: Slot; endDate: IsoDate; early: boolean };

type PipelineRole = 'received' | 'intake_booked' | 'intake_held' | 'waiting' | 'declined' | 'withdrawn';

const PIPELINE_CYCLE: readonly PipelineRole[] = ['received', 'intake_booked', 'waiting', 'intake_held', 'declined', 'withdrawn'];

/**
 * Attendance outcomes dealt from shuffled decks rather than rolled one by one, so even a small demo shows the
 * real mix: mostly present, some excused, a few absent.
 */
const ATTENDANCE_DECK: readonly ('present' | 'excused' | 'absent')[] = [
  ...Array.from({ length: 17 }, () => 'present' as const),
  'excused', 'excused',
  'absent',
];

/** Weeks ahead within which an ending course has its closing conversation booked. */
const CLOSING_BOOKED_DAYS = 70;

export function generateDemoData(input: DemoInput): DemoData {
  const random = new Random(input.seed);
  const now = input.now;
  const nowIso = now.toISOString();
  const today = todayInZone(now);
  const historyFrom = addMonths(today, -12 * input.years);
  const out: DemoData = {
    meetings: [], intakeWindows: [], children: [], guardians: [], referrals: [], enrollments: [], conversations: [], attendance: [],
    intakeWindowMeetings: [],
  };
  // Referral references are numbered per year in the order received, after everything is generated.
  const pendingReferrals: Selectable<ReferralsTable>[] = [];
  let pipelineTurn = 0;
  let parentConversations = 0;
  let attendanceDeck: ('present' | 'excused' | 'absent')[] = [];

  const notAfterNow = (d: Date): Date => earliest(d, now);

  input.groups.forEach((group, groupIndex) => {
    const leaderId = group.leaderIds[0] ?? null;
    const themes = [...THEMES_COMMON, ...(group.kind === 'girls' ? THEMES_GIRLS : THEMES_SIBLINGS)];

    // --- Meetings: a meeting a month back to historyFrom, except months the app already has.
    const existingKeys = new Set(group.existingMeetings.map((s) => s.occurrenceKey));
    const past: Meeting[] = [];
    for (const s of group.existingMeetings) {
      if (s.endsAt.getTime() <= now.getTime()) {
        past.push({ id: s.id, date: todayInZone(s.startsAt), startsAt: s.startsAt, endsAt: s.endsAt,
          cancelled: s.status === 'cancelled', occurrenceKey: s.occurrenceKey });
      }
    }
    const occurrences = generateOccurrences({ rule: group.rule, from: historyFrom, to: today, closedPeriods: group.closedPeriods })
      .filter((o) => o.endsAt.getTime() <= now.getTime() && !existingKeys.has(o.occurrenceKey));
    for (const o of occurrences) {
      const id = random.uuid();
      const cancelled = random.chance(0.08);
      // Moved a day later by hand, when that day is past as well.
      const moved = !cancelled && random.chance(0.03) && o.endsAt.getTime() + 86_400_000 <= now.getTime();
      const startsAt = moved ? new Date(o.startsAt.getTime() + 86_400_000) : o.startsAt;
      const endsAt = moved ? new Date(o.endsAt.getTime() + 86_400_000) : o.endsAt;
      const createdAt = new Date(o.startsAt.getTime() - 120 * 86_400_000);
      const changedAt = new Date(o.startsAt.getTime() - random.int(2, 10) * 86_400_000);
      out.meetings.push({
        id,
        group_id: group.id,
        occurrence_key: o.occurrenceKey,
        starts_at: startsAt.toISOString(),
        ends_at: endsAt.toISOString(),
        place: group.place,
        status: cancelled ? 'cancelled' : moved ? 'moved' : 'planned',
        is_manual: cancelled || moved ? 1 : 0,
        theme: !cancelled && random.chance(0.45) ? random.pick(themes) : null,
        note: moved ? 'Flyttet en dag, fordi lokalet var optaget.' : !cancelled && random.chance(0.15) ? random.pick(MEETING_NOTES) : null,
        cancel_reason: cancelled ? random.pick(CANCEL_REASONS) : null,
        sequence: cancelled || moved ? 1 : 0,
        created_at: createdAt.toISOString(),
        updated_at: (cancelled || moved ? changedAt : createdAt).toISOString(),
      });
      past.push({ id, date: todayInZone(startsAt), startsAt, endsAt, cancelled, occurrenceKey: o.occurrenceKey });
    }
    past.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
    const held = past.filter((s) => !s.cancelled);

    // --- Start slots. Quarterly: the first meeting of each quarter (an intake window). Open: every meeting.
    const windowIds = new Map(group.existingIntakeWindows.map((w) => [w.quarterStart, w.id]));
    const newWindows = new Map<IsoDate, Selectable<IntakeWindowsTable>>();
    const windowFor = (quarterStart: IsoDate, meetingId: string | null): string => {
      const known = windowIds.get(quarterStart);
      if (known) return known;
      const id = random.uuid();
      const createdAt = notAfterNow(at(addDays(quarterStart, -60), 9));
      newWindows.set(quarterStart, { id, group_id: group.id, quarter_start: quarterStart, meeting_id: meetingId, places: null,
        created_at: createdAt.toISOString() });
      windowIds.set(quarterStart, id);
      return id;
    };
    let slots: Slot[];
    let futureWindowIds: string[] = [];
    if (group.intakeRule === 'quarterly') {
      const all = [
        ...past.map((s) => ({ occurrenceKey: s.occurrenceKey, date: s.date, cancelled: s.cancelled })),
        ...group.existingMeetings
          .filter((s) => s.endsAt.getTime() > now.getTime())
          .map((s) => ({ occurrenceKey: s.occurrenceKey, date: todayInZone(s.startsAt), cancelled: s.status === 'cancelled' })),
      ];
      const horizon = addMonths(quarterStartOf(today), 6);
      const windows = intakeWindows(all, historyFrom, addDays(horizon, -1));
      const meetingIdByKey = new Map([
        ...past.map((s) => [s.occurrenceKey, s.id] as const),
        ...group.existingMeetings.map((s) => [s.occurrenceKey, s.id] as const),
      ]);
      const heldKeys = new Set(held.map((s) => s.occurrenceKey));
      slots = [];
      const pastQuarters = new Set<IsoDate>();
      for (const w of windows) {
        const meetingId = meetingIdByKey.get(w.occurrenceKey) ?? null;
        if (heldKeys.has(w.occurrenceKey) && meetingId !== null) {
          const windowId = windowFor(w.quarterStart, meetingId);
          const stored = group.existingIntakeWindows.find((e) => e.id === windowId);
          if (stored && stored.meetingId !== meetingId) out.intakeWindowMeetings.push({ id: windowId, meetingId });
          slots.push({ date: w.date, meetingId, windowId });
          pastQuarters.add(w.quarterStart);
        }
      }
      // The coming intake windows (this quarter's, if its first meeting is still ahead, and the next two).
      for (let q = quarterStartOf(today); compareDates(q, horizon) < 0; q = addMonths(q, 3)) {
        if (pastQuarters.has(q)) continue;
        const upcoming = windows.find((w) => w.quarterStart === q);
        futureWindowIds.push(windowFor(q, upcoming ? (meetingIdByKey.get(upcoming.occurrenceKey) ?? null) : null));
      }
    } else {
      slots = held.map((s) => ({ date: s.date, meetingId: s.id, windowId: null }));
    }

    // --- Who the group's children are: a few in the pipeline now, some turned away over the years, the rest started.
    const n = input.childrenPerGroup;
    const pipelineCount = Math.min(Math.floor(n / 3), Math.max(2, Math.round((0.3 * n) / input.years)));
    const rejectedCount = Math.min(n - pipelineCount, Math.max(1, Math.round(0.12 * n)));
    const startedCount = n - pipelineCount - rejectedCount;

    // --- Place the started children: evenly spread wishes, first slot at or after the wish with a free place.
    const courses: (Course | null)[] = [];
    // Children in the group at each slot; wishes come in date order, so a course only ever adds to later slots.
    const load = slots.map(() => 0);
    const span = daysBetween(historyFrom, today);
    for (let i = 0; i < startedCount; i++) {
      const wish = addDays(historyFrom, Math.floor(((i + random.float()) * span) / Math.max(1, startedCount)));
      const index = slots.findIndex((s, k) => compareDates(s.date, wish) >= 0 && (load[k] ?? 0) < group.capacity);
      const slot = slots[index];
      if (!slot) {
        courses.push(null);
        continue;
      }
      let early = false;
      let endDate: IsoDate;
      if (group.maxCourseMonths !== null) {
        early = random.chance(0.2);
        endDate = early
          ? addDays(slot.date, random.int(60, 270))
          : addDays(addMonths(slot.date, group.maxCourseMonths), -random.int(0, 10));
      } else {
        endDate = addDays(slot.date, random.int(120, 540));
      }
      const course = { start: slot, endDate: meetingDayOnOrAfter(endDate), early };
      courses.push(course);
      for (let k = index; k < slots.length && compareDates((slots[k] as Slot).date, course.endDate) < 0; k++) load[k] = (load[k] ?? 0) + 1;
    }
    // Every group shows a finished course and, where courses have a fixed length, one about to close.
    const placed = courses.filter((c): c is Course => c !== null);
    const firstStarted = placed[0];
    if (!placed.some((c) => compareDates(c.endDate, today) < 0) && firstStarted && daysBetween(firstStarted.start.date, today) >= 90) {
      const latest = daysBetween(firstStarted.start.date, today) - 14;
      firstStarted.endDate = meetingDayOnOrBefore(addDays(firstStarted.start.date, random.int(60, Math.min(270, latest))));
      firstStarted.early = true;
    }
    if (group.maxCourseMonths !== null && !placed.some((c) => isClosingSoon(c.endDate, today))) {
      const candidate = placed.find((c) => compareDates(c.endDate, today) > 0 && daysBetween(c.start.date, today) >= 120);
      if (candidate) candidate.endDate = meetingDayOnOrAfter(addDays(today, random.int(7, 40)));
    }

    // A closing conversation today would be neither held nor ahead: move it to the next meeting day.
    for (const c of placed) if (c.endDate === today) c.endDate = meetingDayOnOrAfter(addDays(today, 1));

    // Places announced at each intake window: what was free before that window's starters.
    if (group.intakeRule === 'quarterly') {
      for (const [quarterStart, row] of newWindows) {
        const slot = slots.find((s) => s.windowId === row.id);
        const date = slot ? slot.date : quarterStart;
        const staying = placed.filter((c) => compareDates(c.start.date, date) < 0 && compareDates(date, c.endDate) < 0).length;
        row.places = Math.max(0, group.capacity - staying);
      }
    }

    // An intake conversation held minAgo-maxAgo days ago (Monday-Thursday), after the last meeting a new child
    // could have started on, so a child who fits but has not started is plausibly still waiting.
    const lastSlot = slots.at(-1)?.date ?? historyFrom;
    const recentIntakeDate = (minAgo: number, maxAgo: number): IsoDate => {
      const candidates = (from: IsoDate, to: IsoDate): IsoDate[] => {
        const days: IsoDate[] = [];
        for (let d = from; compareDates(d, to) <= 0; d = addDays(d, 1)) if (weekdayOf(d) <= 4) days.push(d);
        return days;
      };
      const from = compareDates(lastSlot, addDays(today, -maxAgo)) >= 0 ? addDays(lastSlot, 1) : addDays(today, -maxAgo);
      const days = candidates(from, addDays(today, -minAgo));
      const fallback = days.length > 0 ? days : candidates(from, addDays(today, -1));
      return fallback.length > 0 ? random.pick(fallback) : meetingDayOnOrBefore(addDays(today, -1));
    };

    // --- The children, one story each.
    const roles: (PipelineRole | 'started')[] = [];
    for (let i = 0; i < pipelineCount; i++) roles.push(PIPELINE_CYCLE[pipelineTurn++ % PIPELINE_CYCLE.length] as PipelineRole);
    for (let i = 0; i < rejectedCount; i++) roles.push((groupIndex + i) % 2 === 0 ? 'declined' : 'withdrawn');
    let courseIndex = 0;
    for (let i = 0; i < startedCount; i++) roles.push('started');

    roles.forEach((role, roleIndex) => {
      const historic = roleIndex >= pipelineCount && roleIndex < pipelineCount + rejectedCount;
      const course = role === 'started' ? (courses[courseIndex++] ?? null) : null;
      const family = makeFamily(random, group, nowIso);

      // Dates of the story, newest first worked backwards from the key event.
      let state: EnrollmentState;
      let receivedDate: IsoDate;
      let intake: { date: IsoDate; status: 'booked' | 'held' | 'cancelled'; fits: boolean } | null = null;
      let ageDate: IsoDate;
      let statusReason: string | null = null;
      let windowId: string | null = null;

      if (role === 'started' && course) {
        const intakeDate = meetingDayOnOrBefore(addDays(course.start.date, -random.int(7, 28)));
        receivedDate = addDays(intakeDate, -random.int(7, 35));
        intake = { date: intakeDate, status: 'held', fits: true };
        ageDate = course.start.date;
        windowId = course.start.windowId;
        state = compareDates(course.endDate, today) < 0 ? 'ended' : isClosingSoon(course.endDate, today) ? 'closing_booked' : 'active';
      } else if (role === 'started' || role === 'waiting') {
        // Waiting for a place or for the next intake window: the intake came after the last chance to start.
        const intakeDate = recentIntakeDate(10, 50);
        receivedDate = addDays(intakeDate, -random.int(7, 40));
        intake = { date: intakeDate, status: 'held', fits: true };
        windowId = futureWindowIds[0] ?? null;
        ageDate = addDays(today, 90);
        state = 'waiting';
      } else if (role === 'received') {
        receivedDate = addDays(today, -random.int(0, 9));
        ageDate = addDays(today, 90);
        state = 'referred';
      } else if (role === 'intake_booked') {
        receivedDate = addDays(today, -random.int(8, 30));
        intake = { date: meetingDayOnOrAfter(addDays(today, random.int(3, 21))), status: 'booked', fits: false };
        ageDate = addDays(today, 90);
        state = 'intake_booked';
      } else if (role === 'intake_held') {
        const intakeDate = recentIntakeDate(2, 10);
        receivedDate = addDays(intakeDate, -random.int(14, 40));
        intake = { date: intakeDate, status: 'held', fits: true };
        ageDate = addDays(today, 90);
        state = 'intake_held';
      } else {
        // Declined or withdrawn: in the last weeks (after an intake conversation), or at any time in the history.
        const intakeDate = historic
          ? meetingDayOnOrBefore(addDays(historyFrom, random.int(30, Math.max(30, daysBetween(historyFrom, today) - 30))))
          : meetingDayOnOrBefore(addDays(today, -random.int(2, 20)));
        receivedDate = addDays(intakeDate, -random.int(10, 30));
        ageDate = receivedDate;
        if (role === 'declined') {
          state = 'declined';
          statusReason = random.pick(DECLINE_REASONS);
          // Most are declined after the intake conversation; some already when the referral is read.
          if (!historic || random.chance(0.7)) intake = { date: intakeDate, status: 'held', fits: false };
        } else {
          state = 'withdrawn';
          statusReason = random.pick(WITHDRAW_REASONS);
          intake = { date: intakeDate, status: 'cancelled', fits: false };
        }
      }

      // The child: the right age on the day it matters, a girl in the girls' group.
      const child = family.child;
      const topAge = ageDate === course?.start.date ? group.maxAge : Math.max(group.minAge, group.maxAge - 1);
      child.birth_date = birthDateFor(random, random.int(group.minAge, topAge), ageDate);
      const receivedAt = notAfterNow(at(receivedDate, random.int(8, 15), random.int(0, 59)));
      child.created_at = receivedAt.toISOString();

      const caseworker = pickCaseworker(random, input.caseworkers, child.municipality);
      const fromParent = group.kind === 'girls' && random.chance(0.4);
      const referralId = random.uuid();
      const enrollmentId = random.uuid();
      const reason = fromParent
        ? random.pick(REASONS_GIRLS_PARENT)
        : random.pick(group.kind === 'girls' ? REASONS_GIRLS_CASEWORKER : REASONS_SIBLINGS);

      let lastChange = receivedAt;
      const touch = (d: Date): void => {
        const bounded = notAfterNow(d);
        if (bounded.getTime() > lastChange.getTime()) lastChange = bounded;
      };

      // --- Conversations
      if (intake) {
        const hour = random.pick([9, 10, 13, 14, 15]);
        const startsAt = at(intake.date, hour);
        const bookedAt = notAfterNow(
          new Date(Math.min(receivedAt.getTime() + random.int(1, 5) * 86_400_000, startsAt.getTime() - 86_400_000)),
        );
        const heldRow = intake.status === 'held';
        const updatedAt = heldRow ? new Date(startsAt.getTime() + 3_600_000) : intake.status === 'cancelled'
          ? new Date(startsAt.getTime() - random.int(1, 4) * 86_400_000)
          : bookedAt;
        out.conversations.push({
          id: random.uuid(),
          kind: 'intake',
          invites_caseworker: 0,
          child_id: child.id,
          group_id: group.id,
          referral_id: referralId,
          enrollment_id: enrollmentId,
          leader_id: leaderId,
          starts_at: startsAt.toISOString(),
          ends_at: new Date(startsAt.getTime() + 3_600_000).toISOString(),
          place: group.place,
          status: intake.status,
          outcome: heldRow ? (intake.fits ? 'fits' : 'does_not_fit') : null,
          outcome_reason: heldRow && !intake.fits ? statusReason : null,
          child_words: heldRow && random.chance(0.3) ? random.pick(CHILD_WORDS) : null,
          note: heldRow ? (family.interpreter ? INTAKE_NOTES[2] as string : random.pick(INTAKE_NOTES.slice(0, 2))) : null,
          sequence: intake.status === 'cancelled' ? 1 : 0,
          created_at: bookedAt.toISOString(),
          updated_at: notAfterNow(updatedAt).toISOString(),
        });
        touch(updatedAt);
      } else if (state === 'declined') {
        touch(at(addDays(receivedDate, random.int(3, 14)), 11));
      }

      let startDate: IsoDate | null = null;
      let plannedEnd: IsoDate | null = null;
      let endedOn: IsoDate | null = null;
      let endReason: string | null = null;
      if (course) {
        startDate = course.start.date;
        plannedEnd = group.maxCourseMonths === null ? null : addMonths(startDate, group.maxCourseMonths);
        touch(at(startDate, 12));
        if (state === 'ended' || state === 'closing_booked') {
          const closingStarts = at(course.endDate, random.pick([10, 14, 15]));
          const closingHeld = state === 'ended';
          const bookedAt = notAfterNow(new Date(closingStarts.getTime() - random.int(14, 30) * 86_400_000));
          out.conversations.push({
            id: random.uuid(),
            kind: 'closing',
          invites_caseworker: 0,
            child_id: child.id,
            group_id: group.id,
            referral_id: referralId,
            enrollment_id: enrollmentId,
            leader_id: leaderId,
            starts_at: closingStarts.toISOString(),
            ends_at: new Date(closingStarts.getTime() + 3_600_000).toISOString(),
            place: group.place,
            status: closingHeld ? 'held' : 'booked',
            outcome: null,
            outcome_reason: null,
            child_words: closingHeld && random.chance(0.5) ? random.pick(CHILD_WORDS) : null,
            note: closingHeld ? random.pick(course.early ? CLOSING_NOTES.slice(2) : CLOSING_NOTES.slice(0, 2)) : null,
            sequence: 0,
            created_at: bookedAt.toISOString(),
            updated_at: (closingHeld ? new Date(closingStarts.getTime() + 3_600_000) : bookedAt).toISOString(),
          });
          touch(closingHeld ? new Date(closingStarts.getTime() + 3_600_000) : bookedAt);
          if (closingHeld) {
            endedOn = course.endDate;
            endReason = course.early
              ? random.pick(EARLY_END_REASONS)
              : group.kind === 'girls' ? random.pick(END_REASONS_GIRLS) : FULL_END_REASON_SIBLINGS;
          }
        }

        // A parent conversation during some courses (at least one in the demo).
        const courseDays = daysBetween(startDate, compareDates(course.endDate, today) < 0 ? course.endDate : today);
        if (courseDays > 45 && (parentConversations === 0 || random.chance(0.1))) {
          parentConversations++;
          const date = meetingDayOnOrBefore(addDays(startDate, random.int(30, courseDays - 10)));
          const startsAt = at(date, 15);
          out.conversations.push({
            id: random.uuid(),
            kind: 'parent',
          invites_caseworker: 0,
            child_id: child.id,
            group_id: group.id,
            referral_id: referralId,
            enrollment_id: enrollmentId,
            leader_id: leaderId,
            starts_at: startsAt.toISOString(),
            ends_at: new Date(startsAt.getTime() + 45 * 60_000).toISOString(),
            place: group.place,
            status: 'held',
            outcome: null,
            outcome_reason: null,
            child_words: null,
            note: random.pick(PARENT_CONVERSATION_NOTES),
            sequence: 0,
            created_at: notAfterNow(new Date(startsAt.getTime() - 7 * 86_400_000)).toISOString(),
            updated_at: new Date(startsAt.getTime() + 45 * 60_000).toISOString(),
          });
        }

        // --- Attendance on every meeting held from the start until the closing conversation.
        for (const meeting of held) {
          if (compareDates(meeting.date, startDate) < 0 || compareDates(meeting.date, course.endDate) >= 0) continue;
          if (attendanceDeck.length === 0) attendanceDeck = random.shuffle(ATTENDANCE_DECK);
          const status = attendanceDeck.pop() ?? 'present';
          const byFamily = status === 'excused' && random.chance(0.6);
          out.attendance.push({
            meeting_id: meeting.id,
            enrollment_id: enrollmentId,
            status,
            reason: status === 'excused' ? random.pick(EXCUSE_REASONS) : null,
            source: byFamily ? 'family' : 'leader',
            recorded_by: byFamily ? null : leaderId,
            recorded_at: (byFamily
              ? new Date(meeting.startsAt.getTime() - random.int(2, 48) * 3_600_000)
              : new Date(meeting.startsAt.getTime() + 15 * 60_000)
            ).toISOString(),
          });
          touch(meeting.endsAt);
        }
      }

      const referralStatus = referralStatusFor(state);
      pendingReferrals.push({
        id: referralId,
        reference: '',
        group_id: group.id,
        child_id: child.id,
        source: fromParent ? 'parent' : 'caseworker',
        caseworker_id: fromParent ? null : caseworker,
        status: referralStatus,
        reason,
        custody_consent: 1,
        queue_rank: null,
        status_reason: statusReason,
        idempotency_key: null,
        received_at: receivedAt.toISOString(),
        updated_at: lastChange.toISOString(),
      });
      out.enrollments.push({
        id: enrollmentId,
        child_id: child.id,
        group_id: group.id,
        referral_id: referralId,
        state,
        intake_window_id: state === 'waiting' || course !== null ? windowId : null,
        start_date: startDate,
        planned_end_date: plannedEnd,
        ended_on: endedOn,
        end_reason: endReason,
        age_exception_reason: null,
        age_exception_by: null,
        age_exception_at: null,
        created_at: receivedAt.toISOString(),
        updated_at: lastChange.toISOString(),
      });
      child.updated_at = lastChange.toISOString();
      out.children.push(child);
      for (const guardian of family.guardians) {
        guardian.child_id = child.id;
        guardian.created_at = receivedAt.toISOString();
        out.guardians.push(guardian);
      }
    });

    out.intakeWindows.push(...newWindows.values());
  });

  out.referrals = numberReferrals(pendingReferrals, input.takenReferences);
  return out;
}

function isClosingSoon(endDate: IsoDate, today: IsoDate): boolean {
  return compareDates(endDate, today) > 0 && daysBetween(today, endDate) <= CLOSING_BOOKED_DAYS;
}

function pickCaseworker(random: Random, caseworkers: DemoStaffRef[], municipality: Municipality): string | null {
  const local = caseworkers.filter((c) => c.municipality === municipality);
  if (local.length > 0) return random.pick(local).id;
  return null;
}

/** 'H-2026-0042': the year it was received and a running number within that year, skipping taken ones. */
function numberReferrals(referrals: Selectable<ReferralsTable>[], taken: string[]): Selectable<ReferralsTable>[] {
  const used = new Set(taken);
  const counters = new Map<string, number>();
  const ordered = [...referrals].sort((a, b) => a.received_at.localeCompare(b.received_at) || a.id.localeCompare(b.id));
  for (const referral of ordered) {
    const year = todayInZone(new Date(referral.received_at)).slice(0, 4);
    let number = counters.get(year) ?? 0;
    let reference: string;
    do {
      number++;
      reference = `H-${year}-${String(number).padStart(4, '0')}`;
    } while (used.has(reference));
    counters.set(year, number);
    used.add(reference);
    referral.reference = reference;
  }
  return ordered;
}

const KEY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * Demo guardians' message choices, without drawing from the random stream (so the rest of the demo stays as it was):
 * the first guardian with an e-mail chose e-mail and reminders; a second guardian chose SMS when the number ends on
 * an even digit. The unsubscribe key is made from the phone number (demo data only).
 */
function demoMessageChoice(index: number, id: string, email: string | null, phone: string, stamp: string): Pick<Selectable<GuardiansTable>,
  'message_channel' | 'message_reminders' | 'message_language' | 'consent_at' | 'consent_by' | 'unsubscribe_key'> {
  const digits = phone.replace(/\D/g, '');
  const channel = index === 0 && email ? 'email' : Number(digits.slice(-1)) % 2 === 0 ? 'sms' : 'none';
  const hex = `${id.replace(/-/g, '')}${digits}`.slice(0, 39);
  return {
    message_channel: channel,
    message_reminders: channel === 'none' ? 0 : 1,
    message_language: 'da',
    consent_at: channel === 'none' ? null : stamp,
    consent_by: channel === 'none' ? null : 'demo',
    unsubscribe_key: [...hex].map((c) => KEY_ALPHABET[parseInt(c, 16)] ?? 'a').join(''),
  };
}

interface Family {
  child: Selectable<ChildrenTable>;
  guardians: Selectable<GuardiansTable>[];
  interpreter: boolean;
}

function makeFamily(random: Random, group: DemoGroup, stamp: string): Family {
  const origin = pickOrigin(random);
  const girl = group.kind === 'girls' || random.chance(0.5);
  const surname = random.pick(origin.surnames);
  const child: Selectable<ChildrenTable> = {
    id: random.uuid(),
    first_name: random.pick(girl ? origin.girls : origin.boys),
    last_name: surname,
    birth_date: '',
    gender: girl ? 'girl' : group.kind === 'siblings' && random.chance(0.03) ? 'other' : 'boy',
    municipality: random.chance(0.6) ? 'ishoj' : 'vallensbaek',
    has_sibling_with_disability: group.kind === 'siblings' ? 1 : 0,
    created_at: stamp,
    updated_at: stamp,
  };
  const needsInterpreter = origin.language !== null && random.chance(0.4);
  const guardians: Selectable<GuardiansTable>[] = [];
  const count = random.chance(0.65) ? 2 : 1;
  const firstIsMother = random.chance(0.85);
  for (let i = 0; i < count; i++) {
    const mother = i === 0 ? firstIsMother : !firstIsMother;
    const first = random.pick(mother ? origin.women : origin.men);
    const last = i === 0 && random.chance(0.25) ? random.pick(origin.surnames) : surname;
    const interpreter = needsInterpreter && (i === 0 || random.chance(0.5));
    const id = random.uuid();
    const phone = danishMobile(random);
    const email = random.chance(0.9) ? `${asciiSlug(first)}.${asciiSlug(last)}${random.int(1, 99)}@${random.pick(EMAIL_DOMAINS)}` : null;
    guardians.push({
      id,
      child_id: '',
      name: `${first} ${last}`,
      phone,
      email,
      has_custody: i === 0 || random.chance(0.9) ? 1 : 0,
      needs_interpreter: interpreter ? 1 : 0,
      interpreter_language: interpreter ? origin.language : null,
      created_at: stamp,
      ...demoMessageChoice(i, id, email, phone, stamp),
    });
  }
  return { child, guardians, interpreter: needsInterpreter };
}

// ---------------------------------------------------------------------------------------------
// The report the operator reads

export interface DemoLoadResult {
  loaded: boolean;
  /** When the demo was loaded (now, or the earlier run that already loaded it). */
  loadedAt: string | null;
  counts: Record<string, number>;
  /** The demo staff accounts: created now, or already there. None has a password. */
  staff: { email: string; role: 'leader' | 'caseworker'; created: boolean }[];
  durationMs: number;
}

const COUNT_LABELS: Record<string, string> = {
  users: 'medarbejdere',
  groups: 'grupper',
  meeting_rules: 'mødeplaner',
  group_leaders: 'gruppeledere tilknyttet',
  closed_periods: 'lukkede perioder',
  meetings: 'gruppemøder',
  intake_windows: 'optagelsesvinduer',
  children: 'børn',
  guardians: 'forældre',
  referrals: 'henvisninger',
  enrollments: 'forløb',
  conversations: 'samtaler',
  attendance: 'fremmøderegistreringer',
};

/** Danish lines for the command line. */
export function describeDemoResult(result: DemoLoadResult): string {
  if (!result.loaded) {
    return `Demodata er allerede indlæst (${result.loadedAt ?? 'tidligere'}). Intet er ændret.`;
  }
  const ms = result.durationMs;
  const took = ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1).replace('.', ',')} s`;
  const lines = [`Demodata indlæst på ${took}:`];
  for (const [table, count] of Object.entries(result.counts)) {
    if (count > 0) lines.push(`  ${String(count).padStart(7)} ${COUNT_LABELS[table] ?? table}`);
  }
  const created = result.staff.filter((s) => s.created);
  if (created.length > 0) {
    lines.push('', 'Demomedarbejdere (uden adgangskode – de kan først logge ind, når en koordinator har sendt dem et link):');
    for (const s of created) lines.push(`  ${s.email} (${s.role === 'leader' ? 'gruppeleder' : 'familierådgiver'})`);
  }
  return lines.join('\n');
}
