import { sha256Base64url } from './tokens';

/** A strong ETag, quotes included: a hash of the exact bytes, so the same data always gives the same tag. */
export function strongEtag(body: string): string {
  return `"${sha256Base64url(body)}"`;
}
