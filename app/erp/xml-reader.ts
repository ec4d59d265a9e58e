// Reads <termekek><termek><termekkod>…</termekkod>…</termek></termekek> (or <kategoriak>…).
// saxes is non-validating and never loads external entities; a DOCTYPE is refused outright,
// so neither entity expansion ("billion laughs") nor external entities can happen.
import { SaxesParser } from 'saxes';
import { DocumentError } from './errors.js';
import { emptyFields, type RawRecord } from './record.js';
import { FlatXmlScanner, readFlatXml, type ScannerRest } from './xml-fast.js';

export function readXmlRecords(text: string): RawRecord[] {
  return readFlatXml(text) ?? readXmlGeneral(text);
}

/** The general path: any well-formed document, and precise errors for the rest. */
export function readXmlGeneral(text: string): RawRecord[] {
  const g = new GeneralXmlStream();
  const records = g.write(text);
  return records.concat(g.end());
}

/**
 * The general parser, fed text piece by piece; `write` and `end` return the records completed
 * and throw the document's first error. Started with `from` (what the fast scanner could not
 * read), it reads on inside the root the scanner had opened, and reports lines and columns of
 * the whole document.
 */
export class GeneralXmlStream {
  private readonly parser = new SaxesParser({ xmlns: false, position: true });
  private records: RawRecord[] = [];
  private failure: DocumentError | null = null;
  private seq: number;
  private readonly lineOffset: number;
  private readonly columnShift: number;
  private readonly where: (message: string) => string;

  constructor(from?: ScannerRest) {
    this.seq = from?.seq ?? 0;
    this.lineOffset = from && from.root ? from.line - 1 : 0;
    const prefix = from?.root ? `<${from.root}>` : '';
    this.columnShift = from?.root ? from.column - 1 - prefix.length : 0;
    const parser = this.parser;
    let depth = 0;
    let current: RawRecord | null = null;
    let field: string | null = null;
    let value = '';
    const line = () => parser.line + this.lineOffset;
    const column = () => (parser.line === 1 ? parser.column + this.columnShift : parser.column);
    // saxes starts its messages with its own line:column; those are the document's too.
    const where = (m: string) => m.replace(/^(\d+):(\d+): /, (_, l: string, c: string) => `${Number(l) + this.lineOffset}:${Number(l) === 1 ? Number(c) + this.columnShift : c}: `);
    const fail = (message: string) => {
      message = where(message);
      this.failure ??= new DocumentError(400, `malformed XML at line ${line()}, column ${column()}: ${message}`);
    };
    parser.on('doctype', () => fail('a DOCTYPE is not allowed (entities are not expanded)'));
    parser.on('processinginstruction', () => {});
    parser.on('error', (err) => fail(err.message.replace(/^[^:]*:\d+:\d+: /, '')));
    parser.on('opentag', (tag) => {
      depth++;
      if (depth === 2) {
        current = { seq: ++this.seq, line: line(), fields: emptyFields() };
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
        this.records.push(current);
        current = null;
      }
      depth--;
    });
    this.where = where;
    if (prefix) this.feed(prefix);
    if (from) this.feed(from.text);
  }

  private feed(text: string): void {
    if (this.failure) return;
    try {
      this.parser.write(text);
    } catch (err) {
      this.failure ??= new DocumentError(400, `malformed XML at line ${this.parser.line + this.lineOffset}, column ${this.parser.column}: ${this.where((err as Error).message.replace(/^[^:]*:\d+:\d+: /, ''))}`);
    }
  }

  private take(): RawRecord[] {
    if (this.failure) throw this.failure;
    const out = this.records;
    this.records = [];
    return out;
  }

  write(text: string): RawRecord[] {
    this.feed(text);
    return this.take();
  }

  end(): RawRecord[] {
    if (!this.failure) {
      try {
        this.parser.close();
      } catch (err) {
        this.failure ??= new DocumentError(400, `malformed XML at line ${this.parser.line + this.lineOffset}, column ${this.parser.column}: ${this.where((err as Error).message.replace(/^[^:]*:\d+:\d+: /, ''))}`);
      }
    }
    return this.take();
  }
}

/**
 * XML read as it arrives: the fast scanner first, the general parser from the first record the
 * scanner cannot read. `write` and `end` return finished records; errors throw DocumentError.
 */
export class XmlRecordStream {
  private readonly fast = new FlatXmlScanner();
  private general: GeneralXmlStream | null = null;

  write(text: string): RawRecord[] {
    if (this.general) return this.general.write(text);
    const records = this.fast.write(text);
    if (records) return records;
    return this.handOver();
  }

  end(): RawRecord[] {
    if (this.general) return this.general.end();
    const records = this.fast.end();
    if (records) return records;
    return this.handOver().concat(this.general!.end());
  }

  private handOver(): RawRecord[] {
    const done = this.fast.pending;
    this.general = new GeneralXmlStream(this.fast.rest());
    return done.concat(this.general.write(''));
  }
}

/** The document's root element name, read without parsing it all. */
export function xmlRootName(text: string): string | undefined {
  return /<([A-Za-z_][\w.-]*)[\s>/]/.exec(text.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, ''))?.[1];
}
