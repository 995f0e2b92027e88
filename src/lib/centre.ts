// The centre's own facts (phone, e-mail, address, retention, …) from src/content/centre/da.md. Contact details are
// kept in the Danish file only, so every page reads them from there, whatever its language.
import { getEntry, type CollectionEntry } from 'astro:content';

export type CentreFacts = Partial<CollectionEntry<'centre'>['data']>;

export async function centreFacts(): Promise<CentreFacts> {
  return (await getEntry('centre', 'da'))?.data ?? {};
}

/** A Danish phone number as a `tel:` link a phone can dial. */
export function telHref(phone: string): string {
  return `tel:+45${phone.replace(/\s+/g, '')}`;
}
