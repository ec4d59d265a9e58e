/** Splits rows so one multi-row statement stays under the dialect's bound-parameter limit. */
export function chunkRows<T>(rows: T[], columnsPerRow: number, maxBindings: number): T[][] {
  const size = Math.max(1, Math.floor(maxBindings / Math.max(1, columnsPerRow)));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
