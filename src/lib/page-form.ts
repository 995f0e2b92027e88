// One way for a page to handle its forms: read the posted form, pick the handler by the form's `intent`, call it,
// and either go on (303, Post/Redirect/Get) or show the page again with the errors beside the fields, the typed
// values kept, and a domain refusal at the top. Access errors become 403/404 with the service's message.
//
// Forms post the service's own field names, so no page renames fields; `Field`'s `form` prop keeps the element ids
// apart when two forms on one page share a field name.
import { accessProblem, ConflictError, ValidationError, type FieldErrors } from './errors';
import { formList, formValues, type FormValues } from './forms';

/** A field sent more than once (a group of checkboxes): every value, in order. */
export type FormList = (name: string) => string[];

/** Runs one form's service call; returns where to go next (a path, answered with 303). */
export type IntentHandler = (values: FormValues, list: FormList) => Promise<string>;

export class FormState {
  constructor(
    /** The form that was sent (its `intent` field, or `default` when it has none); null on a GET. */
    readonly intent: string | null = null,
    readonly values: FormValues = {},
    readonly errors: FieldErrors = {},
    /** A rule of the domain said no (or the form as a whole is wrong): shown at the top of the page. */
    readonly formError: string | null = null,
    private readonly sent: FormList = () => [],
  ) {}

  /** What a field sent many times (checkboxes) shows: what was ticked when form `intent` came back, else the fallback. */
  list(intent: string, field: string, fallback: readonly string[] = []): string[] {
    return this.intent === intent ? this.sent(field) : [...fallback];
  }

  /** What a field of form `intent` shows: the value sent when that form came back, else the fallback. */
  value(intent: string, field: string, fallback = ''): string {
    return this.intent === intent ? (this.values[field] ?? '') : fallback;
  }

  error(intent: string, field: string): string | undefined {
    return this.intent === intent ? this.errors[field] : undefined;
  }

  /** Form `intent` came back with errors at its fields. */
  failed(intent: string): boolean {
    return this.intent === intent && Object.keys(this.errors).length > 0;
  }
}

/** A service refused access: the page answers 403 or 404 with the service's Danish message. */
export interface Problem {
  kind: 'problem';
  status: 403 | 404;
  message: string;
}

export type FormOutcome = { kind: 'redirect'; location: string } | { kind: 'show'; form: FormState } | Problem;

/** The default intent, for a page with one form and no `intent` field. */
export const DEFAULT_INTENT = 'default';

/**
 * A GET shows an empty form state. A POST is routed to `handlers[intent]`; an unknown intent is a form error.
 * Validation errors come back at their fields (`_form` at the top), refusals at the top, access errors as a problem;
 * anything else is a fault and is thrown on.
 */
export async function handleForms(request: Request, handlers: Record<string, IntentHandler>): Promise<FormOutcome> {
  if (request.method !== 'POST') return { kind: 'show', form: new FormState() };
  const data = await request.formData();
  const values = formValues(data);
  const list: FormList = (name) => formList(data, name);
  const intent = values['intent'] ?? DEFAULT_INTENT;
  const handler = Object.hasOwn(handlers, intent) ? handlers[intent] : undefined;
  if (!handler) return { kind: 'show', form: new FormState(intent, values, {}, 'Formularen kendes ikke. Hent siden igen og prøv igen.', list) };
  try {
    return { kind: 'redirect', location: await handler(values, list) };
  } catch (error) {
    if (error instanceof ValidationError) {
      const { _form: top, ...fields } = error.fields;
      return { kind: 'show', form: new FormState(intent, values, fields, top ?? null, list) };
    }
    if (error instanceof ConflictError) return { kind: 'show', form: new FormState(intent, values, {}, error.message, list) };
    return { kind: 'problem', ...accessProblem(error) };
  }
}

/**
 * The form state a page shows after handleForms when it did not redirect: a refused form (403/404: the thing is
 * gone, or not this person's) becomes the message at the top, and the page answers with that status.
 */
export function shownForm(outcome: Exclude<FormOutcome, { kind: 'redirect' }>, response: { status?: number }): FormState {
  if (outcome.kind === 'show') return outcome.form;
  response.status = outcome.status;
  return new FormState(null, {}, {}, outcome.message);
}

/**
 * Runs a page's read. Access refused (403/404) becomes the problem to show, with the status set on the response.
 * After handleForms, pass its outcome: a form refused for access stands for the read, and nothing more is read.
 */
export async function readView<T>(
  response: { status?: number },
  read: () => Promise<T>,
  after?: FormOutcome,
): Promise<{ view: T; problem: null } | { view: null; problem: string }> {
  let refused: { status: 403 | 404; message: string };
  if (after?.kind === 'problem') refused = after;
  else {
    try {
      return { view: await read(), problem: null };
    } catch (error) {
      refused = accessProblem(error);
    }
  }
  response.status = refused.status;
  return { view: null, problem: refused.message };
}

/** Too many tries: the page answers 429, with Retry-After in seconds. Nothing happens when `retryAfterSeconds` is null. */
export function answerTooMany(response: { status?: number; headers: Headers }, retryAfterSeconds: number | null): void {
  if (retryAfterSeconds === null) return;
  response.status = 429;
  response.headers.set('Retry-After', String(retryAfterSeconds));
}
