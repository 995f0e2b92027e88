import { z } from 'astro/zod';
import { ValidationError, type FieldErrors } from './errors';

export type FormValues = Record<string, string>;

export type FormParse<T> =
  | { ok: true; data: T; values: FormValues }
  | { ok: false; errors: FieldErrors; values: FormValues };

/**
 * NUL characters are never meaningful in typed text, and PostgreSQL refuses them in text columns and parameters
 * (a 500 instead of an answer): they are dropped from everything read from a form.
 */
export function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
}

/** Every submitted field as text (last value wins; files ignored), so a form can be shown again as typed. */
export function formValues(form: FormData): FormValues {
  const values: FormValues = {};
  for (const [key, value] of form.entries()) {
    if (typeof value === 'string') values[withoutNul(key)] = withoutNul(value);
  }
  return values;
}

/** Validates form input with a zod schema; errors are keyed by the first path segment (the field name). */
export function parseForm<S extends z.ZodType>(schema: S, form: FormData | FormValues): FormParse<z.output<S>> {
  const values = form instanceof FormData ? formValues(form) : form;
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data, values };
  return { ok: false, errors: fieldErrors(result.error), values };
}

/** A service's input check: the parsed input, or a ValidationError with one message per field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(fieldErrors(result.error));
}

/** The first message for each field, keyed by the first path segment (the field name); '_form' for the whole. */
function fieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) errors[String(issue.path[0] ?? '_form')] ??= issue.message;
  return errors;
}

/** Checkbox lists: every value submitted under one name. */
export function formList(form: FormData, name: string): string[] {
  return form.getAll(name).filter((v): v is string => typeof v === 'string').map(withoutNul);
}

/**
 * A required text field that `parse` reads (a date, a clock time): `missing` when it is empty, `malformed` when
 * `parse` cannot read it.
 */
export function parsedField<T>(parse: (text: string) => T | null, missing: string, malformed: string) {
  return z
    .string({ error: missing })
    .trim()
    .transform((v, ctx): T => {
      const value = v === '' ? null : parse(v);
      if (value === null) {
        ctx.addIssue({ code: 'custom', message: v === '' ? missing : malformed });
        return z.NEVER;
      }
      return value;
    });
}
