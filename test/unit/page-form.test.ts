// The pages' one way of handling forms and reads (src/lib/page-form.ts): which handler runs, what comes back to
// the page, and what a refusal does to the response.
import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../src/lib/errors';
import { handleForms, readView, shownForm } from '../../src/lib/page-form';

function post(fields: [string, string][]): Request {
  const body = new URLSearchParams(fields);
  return new Request('http://localhost/side', { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

describe('handleForms', () => {
  it('shows an empty form on a GET and runs nothing', async () => {
    let ran = false;
    const outcome = await handleForms(new Request('http://localhost/side'), { default: async () => { ran = true; return '/'; } });
    expect(ran).toBe(false);
    expect(outcome.kind === 'show' && outcome.form.intent).toBe(null);
  });

  it('runs the handler the form names, with every value of a checkbox group, and goes where it says', async () => {
    const outcome = await handleForms(post([['intent', 'save'], ['name', 'Pigegruppen'], ['leaderIds', 'a'], ['leaderIds', 'b']]), {
      save: async (values, list) => `/gemt?navn=${values['name']}&ledere=${list('leaderIds').join(',')}`,
      other: async () => '/forkert',
    });
    expect(outcome).toEqual({ kind: 'redirect', location: '/gemt?navn=Pigegruppen&ledere=a,b' });
  });

  it('keeps what was typed and puts errors at their fields, for the form that was sent only', async () => {
    const outcome = await handleForms(post([['intent', 'add'], ['name', 'Sommer'], ['leaderIds', 'a']]), {
      add: async () => { throw new ValidationError({ startDate: 'Skriv en dato.', _form: 'Ret felterne.' }); },
    });
    expect(outcome.kind).toBe('show');
    const form = outcome.kind === 'show' ? outcome.form : null;
    expect(form?.value('add', 'name')).toBe('Sommer');
    expect(form?.value('other', 'name', 'standard')).toBe('standard');
    expect(form?.error('add', 'startDate')).toBe('Skriv en dato.');
    expect(form?.failed('add')).toBe(true);
    expect(form?.failed('other')).toBe(false);
    expect(form?.formError).toBe('Ret felterne.');
    expect(form?.list('add', 'leaderIds')).toEqual(['a']);
    expect(form?.list('other', 'leaderIds', ['x'])).toEqual(['x']);
  });

  it('shows a rule that said no at the top, and an unknown form as a form error', async () => {
    const refused = await handleForms(post([['intent', 'start']]), { start: async () => { throw new ConflictError('Gruppen er fuld.'); } });
    expect(refused.kind === 'show' && refused.form.formError).toBe('Gruppen er fuld.');
    const unknown = await handleForms(post([['intent', 'hack']]), { start: async () => '/' });
    expect(unknown.kind === 'show' && unknown.form.formError).toMatch(/kendes ikke/);
  });

  it('turns a refusal of access into a problem with its status, and throws a fault on', async () => {
    const gone = await handleForms(post([]), { default: async () => { throw new NotFoundError('Perioden findes ikke.'); } });
    expect(gone).toEqual({ kind: 'problem', status: 404, message: 'Perioden findes ikke.' });
    await expect(handleForms(post([]), { default: async () => { throw new Error('disk fuld'); } })).rejects.toThrow('disk fuld');
  });
});

describe('shownForm and readView', () => {
  it('a refused form sets the status and shows its message at the top', () => {
    const response: { status?: number } = {};
    const form = shownForm({ kind: 'problem', status: 403, message: 'Kun koordinatoren.' }, response);
    expect(response.status).toBe(403);
    expect(form.formError).toBe('Kun koordinatoren.');
  });

  it('reads the view, or answers 403/404 with the service’s message; a refused form stands for the read', async () => {
    const ok: { status?: number } = {};
    expect(await readView(ok, async () => ({ name: 'Pigegruppen' }))).toEqual({ view: { name: 'Pigegruppen' }, problem: null });
    expect(ok.status).toBeUndefined();

    const forbidden: { status?: number } = {};
    expect(await readView(forbidden, async () => { throw new ForbiddenError('Ikke din gruppe.'); })).toEqual({ view: null, problem: 'Ikke din gruppe.' });
    expect(forbidden.status).toBe(403);

    let read = false;
    const after: { status?: number } = {};
    const result = await readView(after, async () => { read = true; return 1; }, { kind: 'problem', status: 404, message: 'Findes ikke.' });
    expect(result).toEqual({ view: null, problem: 'Findes ikke.' });
    expect(after.status).toBe(404);
    expect(read).toBe(false);
  });
});
