// What every part of the case page is drawn from: the case as getCase reads it, the form state after a post
// (handleForms), and today's date. Each step's component takes the same props, so the page lists them one a line.
import { NEXT_STEP_LABELS, NEXT_STEPS } from '../../../features/lifecycle/lifecycle';
import type { CaseView } from '../../../features/enrollment/enrollment.service';
import type { FormState } from '../../../lib/page-form';
import type { IsoDate } from '../../../lib/time';

export interface CaseStepProps {
  view: CaseView;
  form: FormState;
  today: IsoDate;
}

/** "Hvad sker der nu?" after a course: the choices of the two forms that end one. */
export const NEXT_STEP_OPTIONS = [{ value: '', label: 'Vælg …' }, ...NEXT_STEPS.map((s) => ({ value: s, label: NEXT_STEP_LABELS[s] }))];
