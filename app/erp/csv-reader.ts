import { parse } from 'csv-parse/sync';
import { DocumentError } from './errors.js';
import type { RawRecord } from './record.js';

/** CSV with a header row; the delimiter (; , or tab) is read off the header line. */
export function readCsvRecords(text: string): RawRecord[] {
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = [';', '\t', ','].map((d) => [d, header.split(d).length] as const).sort((a, b) => b[1] - a[1])[0]![0];
  let rows: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    rows = parse(text, { bom: true, columns: (h: string[]) => h.map((c) => c.trim()), delimiter, skip_empty_lines: true, trim: false, info: true, relax_quotes: false }) as never;
  } catch (err) {
    throw new DocumentError(400, `malformed CSV: ${(err as Error).message}`);
  }
  return rows.map((r, i) => ({ seq: i + 1, line: r.info.lines, fields: r.record }));
}
