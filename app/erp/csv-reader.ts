import { parse } from 'csv-parse/sync';
import { DocumentError } from './errors.js';
import { emptyFields, type RawRecord } from './record.js';

/** CSV with a header row; the delimiter (; , or tab) is read off the header line. */
export function readCsvRecords(text: string): RawRecord[] {
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = [';', '\t', ','].map((d) => [d, header.split(d).length] as const).sort((a, b) => b[1] - a[1])[0]![0];
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    // Rows as arrays: the header's names become keys of prototype-free records below, never of a plain object.
    rows = parse(text, { bom: true, columns: false, delimiter, skip_empty_lines: true, trim: false, info: true, relax_quotes: false }) as never;
  } catch (err) {
    throw new DocumentError(400, `malformed CSV: ${(err as Error).message.slice(0, 300)}`);
  }
  const names = (rows.shift()?.record ?? []).map((c) => c.trim());
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new DocumentError(400, `malformed CSV: the column "${dup.slice(0, 60)}" appears twice in the header`);
  return rows.map((r, i) => {
    const fields = emptyFields();
    names.forEach((n, j) => (fields[n] = r.record[j] ?? ''));
    return { seq: i + 1, line: r.info.lines, fields };
  });
}
