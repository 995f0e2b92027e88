import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { z } from 'astro/zod';

// Texts a coordinator edits without touching code: one Markdown file per group per language
// (src/content/groups/<language>/<group address>.md) and the centre's own details (src/content/centre/).
// Facts that change (ages, meeting times, places, dates, capacity) come from the database, not from here.

const groups = defineCollection({
  loader: glob({ pattern: '*/*.md', base: './src/content/groups' }),
  schema: z.object({
    /** The heading of the group's page, in this language. */
    title: z.string().min(1),
    /** One or two short sentences: the first thing a parent reads (page and front-page card). */
    summary: z.string().min(1),
  }),
});

const centre = defineCollection({
  loader: glob({ pattern: '*.md', base: './src/content/centre' }),
  schema: z.object({
    /** The centre's name as parents know it. */
    name: z.string().min(1),
    /** Contact details: only in da.md; the other languages use the Danish file's. */
    address: z.string().optional(),
    phone: z.string().optional(),
    email: z.email().optional(),
    /** Who answers questions about personal data (the municipality's data protection officer). */
    privacyEmail: z.email().optional(),
    /** The authority responsible for the personal data (dataansvarlig). */
    dataController: z.string().optional(),
    /** How many months after a course ends the family's personal data is deleted. */
    retentionMonths: z.number().int().positive().optional(),
    /** When the accessibility statement was last checked, 'YYYY-MM-DD'. */
    accessibilityReviewed: z.string().optional(),
  }),
});

export const collections = { groups, centre };
