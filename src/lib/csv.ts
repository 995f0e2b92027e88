// CSV for Danish Excel: UTF-8 with a byte order mark (or Excel reads it as Windows-1252), ';' between fields
// (the comma is the decimal sign), decimal comma, dates dd.mm.åååå, CRLF, and text that Excel would run as a
// formula (= + - @, tab, carriage return at the start) made harmless with a leading apostrophe.
import type { IsoDate } from './time';

/** A calendar date cell, written dd.mm.åååå. */
export interface CsvDate {
  kind: 'date';
  date: IsoDate;
}
export type CsvValue = string | number | null | CsvDate;

export const CSV_BOM = '\uFEFF';
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

export function csvDate(date: IsoDate): CsvDate {
  return { kind: 'date', date };
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** One field as Excel with Danish settings reads it. */
export function excelCsvField(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '';
    // No thousands separator: Excel would read "1.234" as a date or text.
    return String(value).replace('.', ',');
  }
  if (typeof value === 'object') {
    const [y, m, d] = value.date.split('-');
    return `${d}.${m}.${y}`;
  }
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[;"\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole file: BOM, a header row, then the rows, each line ended by CRLF. */
export function toExcelCsv(headers: string[], rows: CsvValue[][]): string {
  const lines = [headers, ...rows].map((row) => row.map(excelCsvField).join(';'));
  return `${CSV_BOM}${lines.join('\r\n')}\r\n`;
}

/** A Content-Disposition header value for a download, ASCII name plus the UTF-8 form. */
export function attachmentHeader(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
