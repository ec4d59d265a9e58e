/** One CSV cell, ';'-separated as Hungarian spreadsheets expect: quoted when it must be. */
export function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? '' : String(v);
  return /[;"\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows to CSV text with CRLF line ends; `bom` for spreadsheet programs that need it. */
export function toCsv(rows: unknown[][], bom = false): string {
  return (bom ? '\uFEFF' : '') + rows.map((r) => r.map(csvCell).join(';')).join('\r\n') + '\r\n';
}
