// What each part of the family page (components/family) is drawn from: the page as openFamilyPage reads it, its language, where its
// forms post (the page's own address, with ?lang=en on the English page), and what a form sent back with errors.
import type { FamilyView } from '../../features/families/families.service';
import type { FormState } from '../../lib/page-form';

export interface FamilyPartProps {
  view: FamilyView;
  lang: 'da' | 'en';
  action: string;
  form: FormState;
}
