import { z } from 'astro/zod';
import type { MeetingRule } from '../schedule/schedule';
import { meetingRuleSchema } from '../schedule/schedule';

// Groups: who a group is for, how many it takes, where and when it meets. Pure: no I/O.

export type GroupKind = 'girls' | 'siblings';
/** open: a new member starts when there is a place; quarterly: new members start once a quarter. */
export type IntakeRule = 'open' | 'quarterly';

export interface Group {
  id: string;
  slug: string;
  name: string;
  kind: GroupKind;
  minAge: number;
  maxAge: number;
  girlsOnly: boolean;
  capacity: number;
  place: string;
  intakeRule: IntakeRule;
  /** null: no fixed maximum (the girls' group). */
  maxCourseMonths: number | null;
  publicDescription: string;
  rule: MeetingRule;
  leaderIds: string[];
}

/** What the edit form (or the seed) gives to create or change a group. */
export type GroupInput = Omit<Group, 'id'>;

export interface StaffMember {
  id: string;
  displayName: string;
}

export const KIND_LABELS: Record<GroupKind, string> = {
  girls: 'Pigegruppe',
  siblings: 'Søskendegruppe',
};

export const INTAKE_RULE_LABELS: Record<IntakeRule, string> = {
  open: 'Løbende optag (når der er en ledig plads)',
  quarterly: 'Optag én gang i kvartalet',
};

export const AGE_LIMITS = { min: 3, max: 25 } as const;
export const CAPACITY_LIMITS = { min: 1, max: 40 } as const;
export const COURSE_MONTHS_LIMITS = { min: 1, max: 36 } as const;
export const PUBLIC_DESCRIPTION_MAX = 2000;

/** "7-15 år". */
export function ageBandText(group: Pick<Group, 'minAge' | 'maxAge'>): string {
  return `${group.minAge}-${group.maxAge} år`;
}

// ---------------------------------------------------------------------------------------------
// The edit form. Fields arrive as text from an HTML form; numbers may also come as numbers (seed, tests).

interface WholeNumberMessages {
  required: string;
  notWhole: string;
  tooSmall: string;
  tooLarge: string;
}

function wholeNumber(min: number, max: number, messages: WholeNumberMessages) {
  return z.union([z.string(), z.number()], { error: messages.required }).transform((value, ctx): number => {
    const text = String(value).trim();
    if (text === '') {
      ctx.addIssue({ code: 'custom', message: messages.required });
      return z.NEVER;
    }
    if (!/^-?\d+$/.test(text)) {
      ctx.addIssue({ code: 'custom', message: messages.notWhole });
      return z.NEVER;
    }
    const n = Number(text);
    if (n < min) {
      ctx.addIssue({ code: 'custom', message: messages.tooSmall });
      return z.NEVER;
    }
    if (n > max) {
      ctx.addIssue({ code: 'custom', message: messages.tooLarge });
      return z.NEVER;
    }
    return n;
  });
}

function requiredText(max: number, required: string, tooLong: string) {
  return z
    .string({ error: required })
    .trim()
    .min(1, required)
    .max(max, tooLong);
}

const ageMessages: WholeNumberMessages = {
  required: 'Skriv en alder.',
  notWhole: 'Skriv alderen som et helt tal, fx 9.',
  tooSmall: `Alderen skal være mindst ${AGE_LIMITS.min} år.`,
  tooLarge: `Alderen må højst være ${AGE_LIMITS.max} år.`,
};

/** A checkbox: present ('on', 'ja', 'true', '1') means yes; missing means no. */
const checkbox = z
  .union([z.boolean(), z.string()])
  .optional()
  .transform((v) => v === true || (typeof v === 'string' && ['on', 'ja', 'true', '1'].includes(v.trim().toLowerCase())));

/** Checkbox lists arrive as an array (formList) or, with one box ticked, as one string. */
const idList = z
  .union([z.array(z.string()), z.string()])
  .optional()
  .transform((v) => {
    const list = v === undefined ? [] : typeof v === 'string' ? [v] : v;
    return [...new Set(list.map((s) => s.trim()).filter((s) => s !== ''))];
  });

const groupFieldsSchema = z
  .object({
    name: requiredText(80, 'Skriv gruppens navn.', 'Navnet må højst være 80 tegn.'),
    slug: z
      .string({ error: 'Skriv et kort adressenavn, fx pigegruppen.' })
      .trim()
      .min(1, 'Skriv et kort adressenavn, fx pigegruppen.')
      .max(60, 'Adressenavnet må højst være 60 tegn.')
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Brug kun små bogstaver a-z, tal og bindestreg, fx soeskendegruppen-unge.'),
    kind: z.enum(['girls', 'siblings'], { error: 'Vælg hvilken slags gruppe det er.' }),
    minAge: wholeNumber(AGE_LIMITS.min, AGE_LIMITS.max, ageMessages),
    maxAge: wholeNumber(AGE_LIMITS.min, AGE_LIMITS.max, ageMessages),
    girlsOnly: checkbox,
    capacity: wholeNumber(CAPACITY_LIMITS.min, CAPACITY_LIMITS.max, {
      required: 'Skriv hvor mange pladser gruppen har.',
      notWhole: 'Skriv antallet af pladser som et helt tal, fx 10.',
      tooSmall: 'Der skal være mindst én plads.',
      tooLarge: `Der kan højst være ${CAPACITY_LIMITS.max} pladser.`,
    }),
    place: requiredText(200, 'Skriv hvor gruppen mødes.', 'Stedet må højst være 200 tegn.'),
    intakeRule: z.enum(['open', 'quarterly'], { error: 'Vælg hvornår nye børn kan starte.' }),
    maxCourseMonths: z
      .union([z.string(), z.number(), z.null()])
      .optional()
      .transform((value, ctx): number | null => {
        const text = value === null || value === undefined ? '' : String(value).trim();
        if (text === '') return null;
        const n = Number(text);
        if (!/^\d+$/.test(text) || n < COURSE_MONTHS_LIMITS.min || n > COURSE_MONTHS_LIMITS.max) {
          ctx.addIssue({
            code: 'custom',
            message: `Skriv et antal måneder fra ${COURSE_MONTHS_LIMITS.min} til ${COURSE_MONTHS_LIMITS.max}, eller lad feltet stå tomt.`,
          });
          return z.NEVER;
        }
        return n;
      }),
    publicDescription: z
      .string()
      .optional()
      .transform((v) => (v ?? '').trim().replace(/\r\n/g, '\n'))
      .pipe(z.string().max(PUBLIC_DESCRIPTION_MAX, `Beskrivelsen må højst være ${PUBLIC_DESCRIPTION_MAX} tegn.`)),
    leaderIds: idList,
  })
  .refine((g) => g.maxAge >= g.minAge, {
    path: ['maxAge'],
    message: 'Den højeste alder skal være mindst den laveste.',
    // Compare only when both ages are numbers; a missing age has its own message already.
    when: (payload) => {
      const v = payload.value as { minAge?: unknown; maxAge?: unknown } | undefined;
      return typeof v?.minAge === 'number' && typeof v.maxAge === 'number';
    },
  });

/**
 * The group edit form: the group's own fields plus the meeting rule's fields (weekday, nth, startTime,
 * endTime, onClosed), which the schedule's own schema checks. Output: a GroupInput.
 */
export const groupFormSchema = z
  .intersection(groupFieldsSchema, meetingRuleSchema)
  .transform((v): GroupInput => ({
    slug: v.slug,
    name: v.name,
    kind: v.kind,
    minAge: v.minAge,
    maxAge: v.maxAge,
    girlsOnly: v.girlsOnly,
    capacity: v.capacity,
    place: v.place,
    intakeRule: v.intakeRule,
    maxCourseMonths: v.maxCourseMonths,
    publicDescription: v.publicDescription,
    leaderIds: v.leaderIds,
    rule: {
      weekday: v.weekday,
      nth: v.nth,
      startTime: v.startTime,
      endTime: v.endTime,
      onClosed: v.onClosed,
    },
  }));

/** The form's text values for an existing group (to fill the edit form). */
export function groupFormValues(group: GroupInput): Record<string, string> {
  return {
    name: group.name,
    slug: group.slug,
    kind: group.kind,
    minAge: String(group.minAge),
    maxAge: String(group.maxAge),
    girlsOnly: group.girlsOnly ? 'on' : '',
    capacity: String(group.capacity),
    place: group.place,
    intakeRule: group.intakeRule,
    maxCourseMonths: group.maxCourseMonths === null ? '' : String(group.maxCourseMonths),
    publicDescription: group.publicDescription,
    weekday: String(group.rule.weekday),
    nth: String(group.rule.nth),
    startTime: group.rule.startTime,
    endTime: group.rule.endTime,
    onClosed: group.rule.onClosed,
  };
}

/** The place every group meets unless someone changes it. */
export const DEFAULT_PLACE = 'Familiecentret, Ishøj';

/** What the two sibling groups share; they differ in age band, texts and meeting day. */
const SIBLING_GROUP = {
  kind: 'siblings',
  girlsOnly: false,
  capacity: 10,
  place: DEFAULT_PLACE,
  intakeRule: 'quarterly',
  maxCourseMonths: 12,
} as const;

/**
 * The three groups the centre runs (the memo's appendices 1 and 2). Created on first start; the coordinator
 * changes them from then on. Descriptions are written for parents: short sentences, everyday words.
 */
export const DEFAULT_GROUPS: readonly GroupInput[] = [
  {
    slug: 'pigegruppen',
    name: 'Pigegruppen',
    kind: 'girls',
    minAge: 7,
    maxAge: 15,
    girlsOnly: true,
    capacity: 10,
    place: DEFAULT_PLACE,
    intakeRule: 'open',
    maxCourseMonths: null,
    publicDescription: [
      'En gruppe for piger fra 7 til 15 år, som har svært ved at finde venner.',
      'Vi er højst 10 piger. Vi mødes en gang om måneden i Familiecentret.',
      'Vi snakker, leger, spiser lidt sammen og tager nogle gange på tur.',
      'Før din datter starter, holder vi en samtale med hende og jer forældre.',
      'Der kommer nye piger med, når der er en ledig plads.',
    ].join(' '),
    rule: { weekday: 3, nth: 2, startTime: '16:00', endTime: '18:00', onClosed: 'next_week' },
    leaderIds: [],
  },
  {
    slug: 'soeskendegruppen-boern',
    name: 'Søskendegruppen børn',
    ...SIBLING_GROUP,
    minAge: 9,
    maxAge: 12,
    publicDescription: [
      'En gruppe for børn fra 9 til 12 år, som har en bror eller søster med et handicap.',
      'Her møder dit barn andre børn, som kender hverdagen i sådan en familie.',
      'Vi mødes en gang om måneden i to timer, og der er noget at spise.',
      'Vi starter med en samtale med hele familien. Nye børn starter en gang i kvartalet.',
      'Et forløb varer højst et år og slutter med en samtale.',
    ].join(' '),
    rule: { weekday: 2, nth: 1, startTime: '16:30', endTime: '18:30', onClosed: 'next_week' },
    leaderIds: [],
  },
  {
    slug: 'soeskendegruppen-unge',
    name: 'Søskendegruppen unge',
    ...SIBLING_GROUP,
    minAge: 13,
    maxAge: 18,
    publicDescription: [
      'En gruppe for unge fra 13 til 18 år, som har en bror eller søster med et handicap.',
      'Her kan du tale med andre unge, som ved hvordan det er.',
      'Vi mødes en gang om måneden i to timer, og der er noget at spise.',
      'Vi starter med en samtale med hele familien. Nye unge starter en gang i kvartalet.',
      'Et forløb varer højst et år og slutter med en samtale.',
    ].join(' '),
    rule: { weekday: 4, nth: 3, startTime: '16:30', endTime: '18:30', onClosed: 'next_week' },
    leaderIds: [],
  },
];
