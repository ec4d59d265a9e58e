/** One record of an ERP document, before validation: field name → text, and where it stood. */
export interface RawRecord {
  /** 1-based position in the document. */
  seq: number;
  /** Line of the record in the document, for messages. */
  line: number;
  fields: Record<string, string>;
}

// A record's fields inherit nothing: their prototype is an empty object whose own prototype is
// null, so a field the ERP names `constructor`, `toString` or `__proto__` is data like any other,
// never an inherited key or the prototype's setter. Made with `new`, not `Object.create(null)`:
// V8 keeps such objects in its fast mode (shared shapes), where a prototype-less object starts as
// a hash table; 100,000 records of three fields took about half the time (a micro-benchmark).
function Fields(this: Record<string, string>): void {}
// Shared by every record, so frozen: nothing can be added to it, and so inherited.
Fields.prototype = Object.freeze(Object.create(null) as object);

/** A record's fields, empty (see Fields). */
export function emptyFields(): Record<string, string> {
  return new (Fields as unknown as new () => Record<string, string>)();
}

export type DocumentFormat = 'xml' | 'json' | 'csv';

export interface ParsedDocument {
  format: DocumentFormat;
  charset: string;
  records: RawRecord[];
}
