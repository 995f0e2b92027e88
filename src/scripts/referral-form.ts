// The caseworker's referral form, a little quicker with Alpine (`x-data="referralForm"`): the child's age against
// the chosen group's band as soon as both are filled in (the same rule the server applies), and the interpreter's
// language asked only for a parent who needs an interpreter. Without JavaScript every field is shown and the server
// says the same things after sending.
import { ageBandIssue, type AgeBand } from '../features/referrals/age-band';
import { ageOn, parseIsoDate } from '../lib/time';

interface ReferralForm {
  bands: Record<string, AgeBand>;
  today: string;
  groupId: string;
  birthDate: string;
  interpreter: Record<string, boolean>;
  $el?: HTMLElement;
  init(): void;
  ageHint(): string;
  ageProblem(): boolean;
  needsLanguage(n: number): boolean;
}

export function referralForm(): ReferralForm {
  return {
    bands: {},
    today: '',
    groupId: '',
    birthDate: '',
    interpreter: { '1': false, '2': false },

    init(): void {
      const form = this.$el;
      if (!form) return;
      try {
        this.bands = JSON.parse(form.dataset['bands'] ?? '{}') as Record<string, AgeBand>;
      } catch {
        this.bands = {};
      }
      this.today = form.dataset['today'] ?? '';
      const read = (): void => {
        this.groupId = (form.querySelector<HTMLSelectElement>('[name="groupId"]')?.value ?? '');
        this.birthDate = (form.querySelector<HTMLInputElement>('[name="birthDate"]')?.value ?? '');
        for (const n of ['1', '2']) this.interpreter[n] = form.querySelector<HTMLInputElement>(`[name="g${n}Interpreter"]`)?.checked ?? false;
      };
      read();
      form.addEventListener('input', read);
      form.addEventListener('change', read);
    },
    ageHint(): string {
      const band = this.bands[this.groupId];
      const date = parseIsoDate(this.birthDate);
      if (!band || !date || date > this.today) return '';
      return ageBandIssue(date, band, this.today) ?? `Barnet er ${ageOn(date, this.today)} år. ${band.name} er for ${band.minAge}-${band.maxAge} år.`;
    },
    ageProblem(): boolean {
      const band = this.bands[this.groupId];
      const date = parseIsoDate(this.birthDate);
      return Boolean(band && date && date <= this.today && ageBandIssue(date, band, this.today));
    },
    needsLanguage(n: number): boolean {
      return this.interpreter[String(n)] === true;
    },
  };
}
