// Literals inlined into generated SQL. Only values of a known, harmless shape are accepted, so
// statements built by string (joined updates whose bindings would land in dialect-specific
// positions) stay injection-proof.
export function sqlInt(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer: ${n}`);
  return String(n);
}

/** Dates and date-times ('2026-11-23', '2026-11-23 10:00:00'). */
export function sqlDate(s: string): string {
  if (!/^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/.test(s)) throw new Error(`not a date: ${s}`);
  return `'${s}'`;
}

export function sqlIntList(ids: number[]): string {
  if (ids.length === 0) throw new Error('empty id list');
  return ids.map(sqlInt).join(', ');
}

/** A one-column derived table of integers: (SELECT 1 AS v UNION ALL SELECT 2 …). */
export function sqlIntTable(ids: number[], column: string): string {
  return '(' + ids.map((id, i) => (i === 0 ? `SELECT ${sqlInt(id)} AS ${column}` : `SELECT ${sqlInt(id)}`)).join(' UNION ALL ') + ')';
}

/** A short literal of a harmless shape (letters, digits, spaces, `-:._`), such as '' or 'F'. */
export function sqlString(s: string): string {
  if (!/^[\w .:-]*$/.test(s)) throw new Error(`not a plain literal: ${s}`);
  return `'${s}'`;
}
