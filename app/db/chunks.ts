/**
 * Splits rows so one multi-row statement stays under the dialect's bound-parameter limit, and
 * (for knex's multi-row INSERT, a compound SELECT on SQLite) under its row limit.
 */
export function chunkRows<T>(rows: T[], columnsPerRow: number, maxBindings: number, maxRows = Infinity): T[][] {
  const size = Math.max(1, Math.min(maxRows, Math.floor(maxBindings / Math.max(1, columnsPerRow))));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
