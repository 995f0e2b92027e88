// The attendance sheet in the browser: one tap per child cycles the mark and saves it at once.
// Plain DOM code, no framework: Alpine's CSP build alone is 23.8 KB gzipped, over the page's 20 KB budget.
// Marks wait in localStorage until the server has them ("Ikke gemt endnu"), so a dropped connection or a reload
// loses nothing; each carries a mutation id and the time of the tap, so a resend is applied once and, between two
// leaders, the later tap wins.

type Mark = 'unregistered' | 'present' | 'absent' | 'excused';
interface Pending { enrollmentId: string; mark: Mark; reason: string | null; mutationId: string; clientTime: string }
interface ServerMark { enrollmentId: string; mark: Mark; reason: string | null }

const CYCLE: Mark[] = ['unregistered', 'present', 'absent', 'excused'];
const LABELS: Record<Mark, string> = { unregistered: 'ikke registreret', present: 'mødt', absent: 'udeblevet', excused: 'afbud' };

/** randomUUID needs a secure context; an intranet host on plain http may not be one. */
function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const form = document.querySelector<HTMLFormElement>('[data-attendance]');
if (form) start(form);

function start(root: HTMLFormElement): void {
  const endpoint = root.dataset['endpoint'] ?? '';
  const storeKey = `fremmoede:${root.dataset['session'] ?? ''}`;
  const rows = new Map<string, HTMLElement>();
  for (const row of root.querySelectorAll<HTMLElement>('[data-row]')) rows.set(row.dataset['enrollment'] ?? '', row);
  const offlineNote = root.querySelector<HTMLElement>('[data-offline]');
  let sending = false;

  root.classList.add('att-js');
  for (const el of root.querySelectorAll<HTMLElement>('[data-js-only], [data-tap]')) el.hidden = false;

  const load = (): Pending[] => {
    try {
      const parsed: unknown = JSON.parse(localStorage.getItem(storeKey) ?? '[]');
      return Array.isArray(parsed) ? (parsed as Pending[]) : [];
    } catch {
      return [];
    }
  };
  const store = (queue: Pending[]): void => {
    try {
      localStorage.setItem(storeKey, JSON.stringify(queue));
    } catch {
      // Private mode without storage: the marks still go out while the page is open.
    }
  };

  function show(row: HTMLElement, mark: Mark, state: string): void {
    row.dataset['mark'] = mark;
    row.className = `att-row mark-${mark}`;
    const label = row.querySelector('[data-mark-label]');
    if (label) label.textContent = LABELS[mark];
    const stateEl = row.querySelector('[data-state]');
    if (stateEl) stateEl.textContent = state;
    row.classList.toggle('is-pending', state === 'Ikke gemt endnu');
  }

  function recount(): void {
    const counts: Record<Mark, number> = { unregistered: 0, present: 0, absent: 0, excused: 0 };
    for (const row of rows.values()) counts[(row.dataset['mark'] as Mark | undefined) ?? 'unregistered'] += 1;
    for (const el of root.querySelectorAll<HTMLElement>('[data-count]')) el.textContent = String(counts[el.dataset['count'] as Mark]);
  }

  function enqueue(enrollmentId: string, mark: Mark, reason: string | null): void {
    // Only the newest change per child needs to travel; older ones it replaces were never sent or are already in.
    const queue = load().filter((p) => p.enrollmentId !== enrollmentId);
    queue.push({ enrollmentId, mark, reason, mutationId: newId(), clientTime: new Date().toISOString() });
    store(queue);
    const row = rows.get(enrollmentId);
    if (row) show(row, mark, 'Ikke gemt endnu');
    recount();
  }

  async function flush(): Promise<void> {
    const batch = load();
    if (sending || batch.length === 0) return;
    sending = true;
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ marks: batch }),
        credentials: 'same-origin',
      });
      if (!(response.headers.get('content-type') ?? '').includes('application/json')) throw new Error('signed out');
      const answer = (await response.json()) as { marks?: ServerMark[]; error?: string };
      if (!response.ok) {
        // Refused for good (no access, a child no longer on the list): drop the batch and show the server's list.
        if (response.status >= 400 && response.status < 500) store(load().filter((p) => !batch.some((b) => b.mutationId === p.mutationId)));
        throw new Error(answer.error ?? 'refused');
      }
      const sent = new Set(batch.map((b) => b.mutationId));
      const left = load().filter((p) => !sent.has(p.mutationId));
      store(left);
      for (const m of answer.marks ?? []) {
        const row = rows.get(m.enrollmentId);
        if (row && !left.some((p) => p.enrollmentId === m.enrollmentId)) {
          show(row, m.mark, batch.some((b) => b.enrollmentId === m.enrollmentId) ? 'Gemt' : '');
          const reason = row.querySelector<HTMLInputElement>('[data-reason]');
          if (reason && document.activeElement !== reason) reason.value = m.mark === 'excused' ? (m.reason ?? '') : '';
        }
      }
      if (offlineNote) offlineNote.hidden = true;
      recount();
      if (left.length > 0) {
        sending = false;
        await flush();
      }
    } catch {
      if (offlineNote) offlineNote.hidden = navigator.onLine;
    } finally {
      sending = false;
    }
  }

  root.addEventListener('click', (event) => {
    const target = event.target as Element;
    const tap = target.closest<HTMLElement>('[data-tap]');
    if (tap) {
      const row = tap.closest<HTMLElement>('[data-row]');
      const current = (row?.dataset['mark'] as Mark | undefined) ?? 'unregistered';
      const next = CYCLE[(CYCLE.indexOf(current) + 1) % CYCLE.length] ?? 'unregistered';
      if (row) enqueue(row.dataset['enrollment'] ?? '', next, next === 'excused' ? (row.querySelector<HTMLInputElement>('[data-reason]')?.value ?? null) : null);
      void flush();
      return;
    }
    if (target.closest('[data-all-present]')) {
      event.preventDefault();
      for (const [id, row] of rows) if (row.dataset['mark'] === 'unregistered') enqueue(id, 'present', null);
      void flush();
    }
  });

  // A reason is saved when the leader leaves the field.
  root.addEventListener('change', (event) => {
    const input = event.target as HTMLInputElement;
    if (!input.matches('[data-reason]')) return;
    const row = input.closest<HTMLElement>('[data-row]');
    if (row?.dataset['mark'] === 'excused') {
      enqueue(row.dataset['enrollment'] ?? '', 'excused', input.value.trim() || null);
      void flush();
    }
  });

  root.addEventListener('submit', (event) => event.preventDefault());
  window.addEventListener('online', () => void flush());
  window.addEventListener('offline', () => {
    if (offlineNote && load().length > 0) offlineNote.hidden = false;
  });

  // Marks from before a reload that the server has not confirmed: show them as waiting and send them.
  for (const p of load()) {
    const row = rows.get(p.enrollmentId);
    if (row) show(row, p.mark, 'Ikke gemt endnu');
  }
  recount();
  void flush();
}
