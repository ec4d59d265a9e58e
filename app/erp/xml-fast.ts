// A fast reader for the flat shape ERPs send (<root><item><field>text</field>…</item>…</root>),
// about three times quicker than a general parser on 100k records. It accepts only what it
// fully understands — elements without attributes, text with the five predefined entities and
// character references, an XML declaration, white space between elements — and answers null
// for anything else (comments, CDATA, attributes, DOCTYPE, any malformation), so the general
// parser reads the document and reports errors with their line and column.
import { emptyFields, type RawRecord } from './record.js';

const NAME = /^[A-Za-z_][\w.-]*$/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeText(text: string): string | null {
  // XML reads every CR LF (or lone CR) in text as LF.
  const raw = text.indexOf('\r') < 0 ? text : text.replace(/\r\n?/g, '\n');
  if (raw.indexOf('&') < 0) return raw;
  let failed = false;
  const out = raw.replace(/&([^;&]{0,10});?/g, (m, name: string) => {
    if (!m.endsWith(';')) return ((failed = true), '');
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return ((failed = true), '');
      return String.fromCodePoint(code);
    }
    const e = ENTITIES[name];
    if (e === undefined) return ((failed = true), '');
    return e;
  });
  return failed ? null : out;
}

// Characters XML 1.0 does not allow anywhere: the general parser names them.
const DISALLOWED = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

export function readFlatXml(text: string): RawRecord[] | null {
  if (DISALLOWED.test(text)) return null;
  let i = 0;
  const n = text.length;
  let line = 1;
  let lineScan = 0;
  const lineAt = (pos: number) => {
    for (; lineScan < pos; lineScan++) {
      const c = text.charCodeAt(lineScan);
      if (c === 10 || (c === 13 && text.charCodeAt(lineScan + 1) !== 10)) line++;
    }
    return line;
  };
  const skipWs = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
  };
  /** Reads `<name>` (no attributes); returns the name, or null. */
  const openTag = (): string | null => {
    if (text[i] !== '<') return null;
    const end = text.indexOf('>', i);
    if (end < 0) return null;
    const name = text.slice(i + 1, end);
    if (!NAME.test(name)) return null;
    i = end + 1;
    return name;
  };
  const closeTag = (name: string): boolean => {
    if (!text.startsWith(`</${name}`, i)) return false;
    let j = i + name.length + 2;
    while (j < n && (text[j] === ' ' || text[j] === '\t' || text[j] === '\n' || text[j] === '\r')) j++;
    if (text[j] !== '>') return false;
    i = j + 1;
    return true;
  };

  if (text.charCodeAt(0) === 0xfeff) i = 1;
  skipWs();
  if (text.startsWith('<?xml', i)) {
    const end = text.indexOf('?>', i);
    if (end < 0) return null;
    i = end + 2;
  }
  skipWs();
  const root = openTag();
  if (!root) return null;
  const records: RawRecord[] = [];
  for (;;) {
    skipWs();
    if (closeTag(root)) break;
    const itemStart = i;
    const item = openTag();
    if (!item) return null;
    const fields = emptyFields();
    for (;;) {
      skipWs();
      if (closeTag(item)) break;
      const field = openTag();
      if (!field) return null;
      const end = text.indexOf('<', i);
      if (end < 0) return null;
      const raw = text.slice(i, end);
      if (raw.includes(']]>')) return null;
      const value = decodeText(raw);
      if (value === null) return null;
      i = end;
      if (!closeTag(field)) return null;
      if (field in fields) return null;
      fields[field] = value;
    }
    records.push({ seq: records.length + 1, line: lineAt(itemStart), fields });
  }
  skipWs();
  return i === n ? records : null;
}
