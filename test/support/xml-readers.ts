// Reading a document the ways the app does, for the XML reader tests: whole through the stream
// (the fast scanner, handing over to the general parser), and the message of a refusal.
import { DocumentError } from '../../app/erp/errors.js';
import { XmlRecordStream } from '../../app/erp/xml-reader.js';
import { thrown } from './thrown.js';

/** The records of `doc` written to the record stream at once, then ended. */
export const viaStream = (doc: string) => {
  const s = new XmlRecordStream();
  return [...s.write(doc), ...s.end()];
};

/** The message of the DocumentError `fn` must throw. */
export const refusal = (fn: () => unknown): string => thrown(fn, DocumentError).message;
