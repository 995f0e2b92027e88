// The one wrapper around the `qrcode` package: a QR code as an SVG data: URL for an <img> (the CSP allows img data:,
// and no script or inline style is needed to show it).
import QRCode from 'qrcode';

export async function qrCodeDataUrl(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}
