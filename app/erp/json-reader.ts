import { DocumentError } from './errors.js';
import { jsonErrorOffset } from './json-position.js';
import { emptyFields, type RawRecord } from './record.js';

const LIST_KEYS = ['termekek', 'termek', 'kategoriak', 'kategoria', 'rendelesek', 'rendeles', 'records', 'items'];

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return `line ${line}, column ${position - before.lastIndexOf('\n')}`;
}

// A JSON number with more significant digits than a double keeps (a 20-digit code) would lose
// digits in JSON.parse: such literals are read as their exact text instead.
const TOKENS = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
const significantDigits = (literal: string) => literal.replace(/[eE].*$/, '').replace(/[-.]/g, '').replace(/^0+/, '').length;

function keepLongNumbersExact(text: string): string {
  // The shortcut: a literal of 16 or more significant digits has 16 digits with at most a decimal
  // point among them (12345678.123456789 has no run of 16 digits, yet would lose its last one).
  if (!/\d(?:\.?\d){15}/.test(text)) return text;
  return text.replace(TOKENS, (t) => (t[0] !== '"' && significantDigits(t) > 15 ? `"${t}"` : t));
}

/** A JSON number as an ERP writes it: plain decimal notation (1e-7 → "0.0000001"). */
function numberText(v: number): string {
  const s = String(v);
  if (!/e/i.test(s)) return s;
  return v.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20, maximumSignificantDigits: 21 });
}

/** An array of records, or an object holding one under termekek / kategoriak. */
export function readJsonRecords(text: string): RawRecord[] {
  let doc: unknown;
  try {
    doc = JSON.parse(keepLongNumbersExact(text));
  } catch (err) {
    const offset = jsonErrorOffset(text);
    const where = offset >= 0 ? ` at ${lineAndColumn(text, offset)}` : '';
    const message = (err as Error).message.replace(/ in JSON at position \d+.*$/, '').replace(/, ".*" is not valid JSON$/, '');
    throw new DocumentError(400, `malformed JSON${where}: ${message}`);
  }
  let list: unknown = doc;
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
    const key = LIST_KEYS.find((k) => Object.hasOwn(doc as object, k));
    if (!key) throw new DocumentError(400, `malformed JSON: expected an array of records or an object with "termekek", "kategoriak" or "rendelesek"`);
    list = (doc as Record<string, unknown>)[key];
  }
  if (!Array.isArray(list)) throw new DocumentError(400, 'malformed JSON: the records must be an array');
  return list.map((item, i) => {
    if (!item || typeof item !== 'object' || Array.isArray(item))
      throw new DocumentError(400, `malformed JSON: record ${i + 1} is not an object`);
    const fields = emptyFields();
    for (const [k, v] of Object.entries(item as Record<string, unknown>)) {
      if (v === null || v === undefined) fields[k] = '';
      else if (typeof v === 'object') throw new DocumentError(400, `malformed JSON: record ${i + 1} field "${k}" is not a plain value`);
      else fields[k] = typeof v === 'number' ? numberText(v) : String(v);
    }
    return { seq: i + 1, line: i + 1, fields };
  });
}
