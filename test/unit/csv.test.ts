import { describe, expect, it } from 'vitest';
import { attachmentHeader, csvDate, excelCsvField, toExcelCsv } from '../../src/lib/csv';

describe('CSV for Danish Excel', () => {
  it('starts with a byte order mark, separates with semicolons and ends lines with CRLF', () => {
    const text = toExcelCsv(['Gruppe', 'Forløb'], [['Pigegruppen', 12], ['Søskende', 3]]);
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text.slice(1)).toBe('Gruppe;Forløb\r\nPigegruppen;12\r\nSøskende;3\r\n');
    expect(Buffer.from(text, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it.each([
    [87.5, '87,5'],
    [1234.25, '1234,25'],
    [-3, '-3'],
    [0, '0'],
    [Number.NaN, ''],
    [null, ''],
  ])('writes a decimal comma and no thousands separator: %j → %j', (input, expected) => {
    expect(excelCsvField(input)).toBe(expected);
  });

  it('writes dates dd.mm.åååå', () => {
    expect(excelCsvField(csvDate('2026-04-08'))).toBe('08.04.2026');
  });

  it.each([
    ['a;b', '"a;b"'],
    ['hun sagde "nej"', '"hun sagde ""nej"""'],
    ['to\nlinjer', '"to\nlinjer"'],
    [' mellemrum', '" mellemrum"'],
    ['1,5', '1,5'],
  ])('quotes fields holding a separator, a quote or a line break, doubling quotes: %j → %j', (input, expected) => {
    expect(excelCsvField(input)).toBe(expected);
  });

  it.each([
    ['=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'],
    ['+45 12 34', "'+45 12 34"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['Pigegruppen', 'Pigegruppen'],
  ])('defuses text Excel would run as a formula: %j → %j', (input, expected) => {
    expect(excelCsvField(input)).toBe(expected);
  });

  it('names the download for any browser', () => {
    expect(attachmentHeader('tal-forløb-2026.csv')).toBe(
      `attachment; filename="tal-forl_b-2026.csv"; filename*=UTF-8''tal-forl%C3%B8b-2026.csv`,
    );
  });
});
