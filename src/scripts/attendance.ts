// The attendance sheet's behaviour, an Alpine component (`x-data="attendanceSheet"`, CSP build: no eval).
// One tap per child cycles the mark and saves it at once; "Fortryd" takes back the last tap or "Alle mødt".
// Marks wait in localStorage until the server has them ("Ikke gemt endnu"), so a dropped connection or a reload
// loses nothing; each carries a mutation id, the time of the tap and the mark the leader saw, so a resend is applied
// once, between two leaders the later tap wins, and a family's afbud that arrived meanwhile is never overwritten.
// The sheet asks the server for the stored marks now and then, so such an afbud shows up while the page is open.

type Mark = 'unregistered' | 'present' | 'absent' | 'excused';
interface Pending {
  enrollmentId: string;
  mark: Mark;
  reason: string | null;
  mutationId: string;
  clientTime: string;
  expected: Mark;
  allPresent?: boolean;
}
interface ServerMark { enrollmentId: string; mark: Mark; reason: string | null; source: 'leader' | 'family' | null }
interface Undo { text: string; changes: { enrollmentId: string; mark: Mark }[] }

const CYCLE: readonly Mark[] = ['unregistered', 'present', 'absent', 'excused'];
const LABELS: Record<Mark, string> = { unregistered: 'ikke registreret', present: 'mødt', absent: 'udeblevet', excused: 'afbud' };
const WAITING = 'Ikke gemt endnu';
/** How often an open sheet asks for marks made elsewhere (a family's afbud, another leader). */
const REFRESH_MS = 20_000;

/** randomUUID needs a secure context; an intranet host on plain http may not be one. */
function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

interface AttendanceSheet {
  marks: Record<string, Mark>;
  states: Record<string, string>;
  names: Record<string, string>;
  familyAfbud: Record<string, boolean>;
  offline: boolean;
  undoText: string;
  undoChanges: Undo['changes'];
  endpoint: string;
  storeKey: string;
  sending: boolean;
  /** Alpine's root element of the component. */
  $el?: HTMLElement;
  init(): void;
  markOf(id: string): Mark;
  labelOf(id: string): string;
  stateOf(id: string): string;
  rowClass(id: string): string;
  isFamilyAfbud(id: string): boolean;
  count(mark: Mark): number;
  tap(id: string): void;
  allPresent(): void;
  undo(): void;
  offerUndo(text: string, changes: Undo['changes']): void;
  reasonOf(id: string): string | null;
  load(): Pending[];
  store(queue: Pending[]): void;
  enqueue(change: Omit<Pending, 'mutationId' | 'clientTime'>): void;
  apply(marks: readonly ServerMark[], sent: ReadonlySet<string>): void;
  refresh(): Promise<void>;
  flush(): Promise<void>;
}

export function attendanceSheet(): AttendanceSheet {
  return {
    marks: {} as Record<string, Mark>,
    states: {} as Record<string, string>,
    names: {} as Record<string, string>,
    familyAfbud: {} as Record<string, boolean>,
    offline: false,
    undoText: '',
    undoChanges: [] as Undo['changes'],
    endpoint: '',
    storeKey: '',
    sending: false,

    init(): void {
      const root = this.$el;
      if (!root) return;
      this.endpoint = root.dataset['endpoint'] ?? '';
      this.storeKey = `fremmoede:${root.dataset['meeting'] ?? ''}`;
      root.classList.add('att-js');
      for (const el of root.querySelectorAll<HTMLElement>('[data-js-only], [data-tap]')) el.hidden = false;
      for (const row of root.querySelectorAll<HTMLElement>('[data-row]')) {
        // The mark's class comes from the component from now on (x-bind:class keeps the classes it found).
        for (const c of [...row.classList]) if (c.startsWith('mark-')) row.classList.remove(c);
        const id = row.dataset['enrollment'] ?? '';
        this.marks[id] = (row.dataset['mark'] as Mark | undefined) ?? 'unregistered';
        this.names[id] = row.dataset['name'] ?? '';
        this.familyAfbud[id] = row.dataset['family'] === '1';
        this.states[id] = '';
      }
      // Marks from before a reload that the server has not confirmed: show them as waiting and send them.
      for (const p of this.load()) {
        if (p.enrollmentId in this.marks) {
          this.marks[p.enrollmentId] = p.mark;
          this.states[p.enrollmentId] = WAITING;
        }
      }
      // A reason is saved when the leader leaves the field.
      root.addEventListener('change', (event: Event) => {
        const input = event.target as HTMLInputElement;
        if (!input.matches('[data-reason]')) return;
        const id = input.closest<HTMLElement>('[data-row]')?.dataset['enrollment'] ?? '';
        if (this.marks[id] === 'excused') {
          this.enqueue({ enrollmentId: id, mark: 'excused', reason: input.value.trim() || null, expected: 'excused' });
          void this.flush();
        }
      });
      root.addEventListener('submit', (event: Event) => {
        event.preventDefault();
        // "Alle mødt" tapped in the moment between this and Alpine binding the button's click: done here, not lost.
        if ((event as SubmitEvent).submitter?.matches('[data-all-present]')) this.allPresent();
      });
      window.addEventListener('online', () => void this.flush().then(() => this.refresh()));
      window.addEventListener('offline', () => {
        this.offline = this.load().length > 0;
      });
      window.addEventListener('focus', () => void this.refresh());
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible') void this.refresh();
      });
      window.setInterval(() => void this.refresh(), REFRESH_MS);
      void this.flush();
    },

    // ---- what the markup binds to
    markOf(id: string): Mark {
      return this.marks[id] ?? 'unregistered';
    },
    labelOf(id: string): string {
      return LABELS[this.markOf(id)];
    },
    stateOf(id: string): string {
      return this.states[id] ?? '';
    },
    rowClass(id: string): string {
      return `mark-${this.markOf(id)}${this.states[id] === WAITING ? ' is-pending' : ''}`;
    },
    isFamilyAfbud(id: string): boolean {
      return this.markOf(id) === 'excused' && this.familyAfbud[id] === true;
    },
    count(mark: Mark): number {
      return Object.values(this.marks).filter((m) => m === mark).length;
    },

    // ---- what the leader does
    tap(id: string): void {
      const before = this.markOf(id);
      const next = CYCLE[(CYCLE.indexOf(before) + 1) % CYCLE.length] ?? 'unregistered';
      this.enqueue({ enrollmentId: id, mark: next, reason: next === 'excused' ? this.reasonOf(id) : null, expected: before });
      this.offerUndo(`${this.names[id] ?? ''}: ${LABELS[next]}`, [{ enrollmentId: id, mark: before }]);
      void this.flush();
    },
    allPresent(): void {
      const changes: Undo['changes'] = [];
      for (const [id, mark] of Object.entries(this.marks)) {
        if (mark !== 'unregistered') continue;
        changes.push({ enrollmentId: id, mark });
        this.enqueue({ enrollmentId: id, mark: 'present', reason: null, expected: mark, allPresent: true });
      }
      if (changes.length > 0) this.offerUndo(`${changes.length} børn: mødt`, changes);
      void this.flush();
    },
    undo(): void {
      for (const c of this.undoChanges) {
        this.enqueue({ enrollmentId: c.enrollmentId, mark: c.mark, reason: c.mark === 'excused' ? this.reasonOf(c.enrollmentId) : null, expected: this.markOf(c.enrollmentId) });
      }
      this.undoText = '';
      this.undoChanges = [];
      void this.flush();
    },

    // ---- the queue and the server
    offerUndo(text: string, changes: Undo['changes']): void {
      this.undoText = text;
      this.undoChanges = changes;
    },
    reasonOf(id: string): string | null {
      const input = document.getElementById(`reason-${id}`) as HTMLInputElement | null;
      return input?.value.trim() || null;
    },
    load(): Pending[] {
      try {
        const parsed: unknown = JSON.parse(localStorage.getItem(this.storeKey) ?? '[]');
        return Array.isArray(parsed) ? (parsed as Pending[]) : [];
      } catch {
        return [];
      }
    },
    store(queue: Pending[]): void {
      try {
        localStorage.setItem(this.storeKey, JSON.stringify(queue));
      } catch {
        // Private mode without storage: the marks still go out while the page is open.
      }
    },
    enqueue(change: Omit<Pending, 'mutationId' | 'clientTime'>): void {
      // Only the newest change per child needs to travel; the one it replaces was never sent or is already in.
      const queue = this.load().filter((p) => p.enrollmentId !== change.enrollmentId);
      const waiting = this.load().find((p) => p.enrollmentId === change.enrollmentId);
      // A replaced change that never left keeps what the server last had as the mark the leader saw.
      const expected = waiting ? waiting.expected : change.expected;
      queue.push({ ...change, expected, mutationId: newId(), clientTime: new Date().toISOString() });
      this.store(queue);
      this.marks[change.enrollmentId] = change.mark;
      this.states[change.enrollmentId] = WAITING;
    },
    /** The server's word on the marks: shown for every child without a change still waiting. */
    apply(marks: readonly ServerMark[], sent: ReadonlySet<string>): void {
      const left = new Set(this.load().map((p) => p.enrollmentId));
      for (const m of marks) {
        if (!(m.enrollmentId in this.marks) || left.has(m.enrollmentId)) continue;
        const changed = this.marks[m.enrollmentId] !== m.mark;
        this.marks[m.enrollmentId] = m.mark;
        this.familyAfbud[m.enrollmentId] = m.mark === 'excused' && m.source === 'family';
        if (sent.has(m.enrollmentId)) this.states[m.enrollmentId] = changed && this.familyAfbud[m.enrollmentId] ? 'Afbud fra familien står' : 'Gemt';
        else if (changed) this.states[m.enrollmentId] = this.familyAfbud[m.enrollmentId] ? 'Afbud fra familien' : 'Ændret af en anden';
        const reason = document.getElementById(`reason-${m.enrollmentId}`) as HTMLInputElement | null;
        if (reason && document.activeElement !== reason) reason.value = m.mark === 'excused' ? (m.reason ?? '') : '';
      }
    },
    async refresh(): Promise<void> {
      if (this.sending || this.load().length > 0) return;
      try {
        const response = await fetch(this.endpoint, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
        if (!response.ok || !(response.headers.get('content-type') ?? '').includes('application/json')) return;
        const answer = (await response.json()) as { marks?: ServerMark[] };
        this.apply(answer.marks ?? [], new Set());
      } catch {
        // No connection: the sheet shows what it had.
      }
    },
    async flush(): Promise<void> {
      const batch = this.load();
      if (this.sending || batch.length === 0) return;
      this.sending = true;
      try {
        const response = await fetch(this.endpoint, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ marks: batch }),
          credentials: 'same-origin',
        });
        if (!(response.headers.get('content-type') ?? '').includes('application/json')) throw new Error('signed out');
        const answer = (await response.json()) as { marks?: ServerMark[]; error?: string };
        if (!response.ok) {
          // Refused for good (no access, a meeting not held yet): drop the batch and show the server's list.
          if (response.status >= 400 && response.status < 500) {
            this.store(this.load().filter((p) => !batch.some((b) => b.mutationId === p.mutationId)));
            for (const b of batch) this.states[b.enrollmentId] = answer.error ?? 'Ikke gemt';
            this.sending = false;
            await this.refresh();
          }
          throw new Error(answer.error ?? 'refused');
        }
        const sentIds = new Set(batch.map((b) => b.mutationId));
        this.store(this.load().filter((p) => !sentIds.has(p.mutationId)));
        this.apply(answer.marks ?? [], new Set(batch.map((b) => b.enrollmentId)));
        this.offline = false;
        if (this.load().length > 0) {
          this.sending = false;
          await this.flush();
        }
      } catch {
        this.offline = !navigator.onLine;
      } finally {
        this.sending = false;
      }
    },
  };
}
