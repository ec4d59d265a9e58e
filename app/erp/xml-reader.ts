// Reads <termekek><termek><termekkod>…</termekkod>…</termek></termekek> (or <kategoriak>…).
// saxes is non-validating and never loads external entities; a DOCTYPE is refused outright,
// so neither entity expansion ("billion laughs") nor external entities can happen.
import { SaxesParser } from 'saxes';
import { DocumentError } from './errors.js';
import { emptyFields, type RawRecord } from './record.js';
import { readFlatXml } from './xml-fast.js';

export function readXmlRecords(text: string): RawRecord[] {
  return readFlatXml(text) ?? readXmlGeneral(text);
}

/** The general path: any well-formed document, and precise errors for the rest. */
export function readXmlGeneral(text: string): RawRecord[] {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const records: RawRecord[] = [];
  let depth = 0;
  let current: RawRecord | null = null;
  let field: string | null = null;
  let value = '';
  let failure: DocumentError | null = null;
  const fail = (message: string) => {
    failure ??= new DocumentError(400, `malformed XML at line ${parser.line}, column ${parser.column}: ${message}`);
  };
  parser.on('doctype', () => fail('a DOCTYPE is not allowed (entities are not expanded)'));
  parser.on('processinginstruction', () => {});
  parser.on('error', (err) => fail(err.message.replace(/^[^:]*:\d+:\d+: /, '')));
  parser.on('opentag', (tag) => {
    depth++;
    if (depth === 2) {
      current = { seq: records.length + 1, line: parser.line, fields: emptyFields() };
      for (const [k, v] of Object.entries(tag.attributes)) current.fields[k] = String(v);
    } else if (depth === 3) {
      field = tag.name;
      value = '';
    } else if (depth > 3) fail(`unexpected nested element <${tag.name}> inside <${field}>`);
  });
  parser.on('text', (t) => {
    if (depth === 3) value += t;
    else if (depth === 1 || depth === 2) {
      if (t.trim() !== '') fail(`unexpected text "${t.trim().slice(0, 20)}"`);
    }
  });
  parser.on('cdata', (t) => {
    if (depth === 3) value += t;
  });
  parser.on('closetag', () => {
    if (depth === 3 && current && field !== null) {
      if (field in current.fields) fail(`the field <${field}> appears twice in one record`);
      current.fields[field] = value;
      field = null;
    } else if (depth === 2 && current) {
      records.push(current);
      current = null;
    }
    depth--;
  });
  try {
    parser.write(text).close();
  } catch (err) {
    fail((err as Error).message.replace(/^[^:]*:\d+:\d+: /, ''));
  }
  if (failure) throw failure;
  return records;
}

/** The document's root element name, read without parsing it all. */
export function xmlRootName(text: string): string | undefined {
  return /<([A-Za-z_][\w.-]*)[\s>/]/.exec(text.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, ''))?.[1];
}
