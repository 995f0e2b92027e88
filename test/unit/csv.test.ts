import { describe, expect, it } from 'vitest';
import { attachmentHeader, csvDate, excelCsvField, toExcelCsv } from '../../src/lib/csv';

describe('CSV for Danish Excel', () => {
  it('starts with a byte order mark, separates with semicolons and ends lines with CRLF', () => {
    const text = toExcelCsv(['Gruppe', 'Forløb'], [['Pigegruppen', 12], ['Søskende', 3]]);
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text.slice(1)).toBe('Gruppe;Forløb\r\nPigegruppen;12\r\nSøskende;3\r\n');
    expect(Buffer.from(text, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('writes a decimal comma and no thousands separator', () => {
    expect(excelCsvField(87.5)).toBe('87,5');
    expect(excelCsvField(1234.25)).toBe('1234,25');
    expect(excelCsvField(-3)).toBe('-3');
    expect(excelCsvField(0)).toBe('0');
    expect(excelCsvField(Number.NaN)).toBe('');
    expect(excelCsvField(null)).toBe('');
  });

  it('writes dates dd.mm.åååå', () => {
    expect(excelCsvField(csvDate('2026-04-08'))).toBe('08.04.2026');
  });

  it('quotes fields holding a separator, a quote or a line break, doubling quotes', () => {
    expect(excelCsvField('a;b')).toBe('"a;b"');
    expect(excelCsvField('hun sagde "nej"')).toBe('"hun sagde ""nej"""');
    expect(excelCsvField('to\nlinjer')).toBe('"to\nlinjer"');
    expect(excelCsvField(' mellemrum')).toBe('" mellemrum"');
    expect(excelCsvField('1,5')).toBe('1,5');
  });

  it('defuses text Excel would run as a formula', () => {
    expect(excelCsvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(excelCsvField('+45 12 34')).toBe("'+45 12 34");
    expect(excelCsvField('-1')).toBe("'-1");
    expect(excelCsvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(excelCsvField('\tx')).toBe("'\tx");
    expect(excelCsvField('Pigegruppen')).toBe('Pigegruppen');
  });

  it('names the download for any browser', () => {
    expect(attachmentHeader('tal-forløb-2026.csv')).toBe(
      `attachment; filename="tal-forl_b-2026.csv"; filename*=UTF-8''tal-forl%C3%B8b-2026.csv`,
    );
  });
});
