// CSV for spreadsheet programs. A text cell starting with = + - @ (or a tab / carriage return)
// would run as a formula when opened, so it gets a leading apostrophe, as OWASP recommends
// against CSV injection; numbers stay numbers (a coupon line's -250 is data, not a formula).
const FORMULA_START = /^[=+\-@\t\r]/;

/** A text value as a spreadsheet will take it literally. */
export function neutraliseFormula(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}

/** One CSV cell, ';'-separated as Hungarian spreadsheets expect: quoted when it must be. */
export function csvCell(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  const s = neutraliseFormula(v === undefined || v === null ? '' : String(v));
  return /[;"\n\r,\t]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows to CSV text with CRLF line ends; `bom` for spreadsheet programs that need it. */
export function toCsv(rows: unknown[][], bom = false): string {
  return (bom ? '\uFEFF' : '') + rows.map((r) => r.map(csvCell).join(';')).join('\r\n') + '\r\n';
}
