// A small RFC 4180 CSV writer for exports that leave the system and get opened in spreadsheets.
//   - fields containing a comma, a double quote, CR or LF are quoted; quotes are doubled;
//   - records end with CRLF (RFC 4180 §2.1), the header row included;
//   - text starting with = + - @ TAB or CR gets a leading single quote, so a spreadsheet shows
//     it as text instead of evaluating it as a formula (OWASP "CSV injection");
//   - dates are ISO 8601 in UTC (2025-01-31T12:00:00.000Z), empty cells for null.
// UTF-8 throughout. The export adds a byte-order mark by default (CSV_BOM): without it Excel
// reads UTF-8 files as the local 8-bit code page and mangles every non-ASCII name. Programs
// that do not want it can ask for an export without (?bom=false).

export const CSV_BOM = '\uFEFF';
export const CSV_EOL = '\r\n';

export type CsvValue = string | number | boolean | Date | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** Text that a spreadsheet would evaluate is prefixed with a single quote. */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  // Numbers, booleans and dates are written by us, never typed by a visitor: only text is
  // neutralised (a negative count must stay a number).
  const text =
    value instanceof Date ? value.toISOString() : typeof value === 'string' ? neutralizeFormula(value) : String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: readonly CsvValue[]): string {
  return values.map(csvCell).join(',') + CSV_EOL;
}
