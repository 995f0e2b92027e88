// The one wrapper around the `qrcode` package: a QR code as an SVG data: URL for an <img> (the CSP allows img data:,
// and no script or inline style is needed to show it).
import QRCode from 'qrcode';

/** Public pages show the same few codes (one per group and language) again and again: drawn once each. */
const drawn = new Map<string, string>();
const DRAWN_MAX = 64;

/** The same code for the same text, kept: for public addresses only, never for a secret link. */
export async function publicQrCodeDataUrl(text: string): Promise<string> {
  const kept = drawn.get(text);
  if (kept) return kept;
  const url = await qrCodeDataUrl(text);
  if (drawn.size >= DRAWN_MAX) drawn.clear();
  drawn.set(text, url);
  return url;
}

export async function qrCodeDataUrl(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}
