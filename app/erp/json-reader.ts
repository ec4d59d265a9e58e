import { DocumentError } from './errors.js';
import { jsonErrorOffset } from './json-position.js';
import type { RawRecord } from './record.js';

const LIST_KEYS = ['termekek', 'termek', 'kategoriak', 'kategoria', 'records', 'items'];

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return `line ${line}, column ${position - before.lastIndexOf('\n')}`;
}

/** An array of records, or an object holding one under termekek / kategoriak. */
export function readJsonRecords(text: string): RawRecord[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const offset = jsonErrorOffset(text);
    const where = offset >= 0 ? ` at ${lineAndColumn(text, offset)}` : '';
    const message = (err as Error).message.replace(/ in JSON at position \d+.*$/, '').replace(/, ".*" is not valid JSON$/, '');
    throw new DocumentError(400, `malformed JSON${where}: ${message}`);
  }
  let list: unknown = doc;
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
    const key = LIST_KEYS.find((k) => k in (doc as object));
    if (!key) throw new DocumentError(400, `malformed JSON: expected an array of records or an object with "termekek" or "kategoriak"`);
    list = (doc as Record<string, unknown>)[key];
  }
  if (!Array.isArray(list)) throw new DocumentError(400, 'malformed JSON: the records must be an array');
  return list.map((item, i) => {
    if (!item || typeof item !== 'object' || Array.isArray(item))
      throw new DocumentError(400, `malformed JSON: record ${i + 1} is not an object`);
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(item as Record<string, unknown>)) {
      if (v === null || v === undefined) fields[k] = '';
      else if (typeof v === 'object') throw new DocumentError(400, `malformed JSON: record ${i + 1} field "${k}" is not a plain value`);
      else fields[k] = String(v);
    }
    return { seq: i + 1, line: i + 1, fields };
  });
}
