import type { z } from 'astro/zod';
import type { FieldErrors } from './errors';

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
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? '_form');
    errors[field] ??= issue.message;
  }
  return { ok: false, errors, values };
}

/** Checkbox lists: every value submitted under one name. */
export function formList(form: FormData, name: string): string[] {
  return form.getAll(name).filter((v): v is string => typeof v === 'string').map(withoutNul);
}
