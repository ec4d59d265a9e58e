// The readers of ERP documents (JSON, CSV) and the format chosen from the Content-Type: what each
// accepts, and the precise 400/415 it answers for what it refuses.
import { describe, expect, it } from 'vitest';
import { formatFromContentType } from '../../app/erp/document.js';
import { DocumentError } from '../../app/erp/errors.js';
import { readCsvRecords } from '../../app/erp/csv-reader.js';
import { readJsonRecords } from '../../app/erp/json-reader.js';
import { thrown } from '../support/thrown.js';

/** Every key a record's fields inherit (along the whole prototype chain): none, for fields to be data only. */
const inherited = (f: object): string[] => {
  const keys: string[] = [];
  for (let p = Object.getPrototypeOf(f); p; p = Object.getPrototypeOf(p)) keys.push(...Reflect.ownKeys(p).map(String));
  return keys;
};

const refusal = (f: () => unknown): { status: number; message: string } => {
  const e = thrown(f, DocumentError);
  return { status: e.status, message: e.message };
};

describe('the format from the Content-Type', () => {
  const none = Buffer.from('x');
  it.each([
    ['application/xml', 'xml'], ['text/xml; charset=ISO-8859-2', 'xml'], ['application/atom+xml', 'xml'], ['Text/XML', 'xml'],
    ['application/json', 'json'], ['application/vnd.erp+json; charset=utf-8', 'json'],
    ['text/csv', 'csv'], ['application/csv', 'csv'], ['text/comma-separated-values', 'csv'], [' TEXT/CSV ;header=present', 'csv'],
  ])('%s is %s, whatever the body', (type, want) => expect(formatFromContentType(type, none)).toBe(want));

  it.each([
    [undefined, '<termekek/>', 'xml'], ['', '  \n[{"a":1}]', 'json'], ['application/octet-stream', '{"termekek":[]}', 'json'], ['text/plain', '\uFEFF<termekek/>', 'xml'],
  ])('a body sent as %j is recognised by its first character', (type, body, want) => expect(formatFromContentType(type, Buffer.from(body))).toBe(want));

  it('a UTF-8 byte order mark read as Latin-1 does not hide the first character', () => {
    expect(formatFromContentType(undefined, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[{}]')]))).toBe('json');
  });

  // A byte order mark is one only as the body's first bytes. After white space U+FEFF is a
  // character (ZERO WIDTH NO-BREAK SPACE), neither white space nor the start of XML or JSON: the
  // body is not recognised (415, send a type), rather than taken for XML the parser then refuses.
  it('a byte order mark after white space hides nothing: such a body is not recognised', () => {
    for (const body of [' \uFEFF<t/>', '\n\uFEFF[{}]'])
      expect(refusal(() => formatFromContentType(undefined, Buffer.from(body))), JSON.stringify(body)).toEqual({ status: 415, message: 'unsupported content type "(none)" (send application/xml, application/json or text/csv)' });
  });

  it('refuses any other type with 415, naming it, even when the body looks like XML', () => {
    expect(refusal(() => formatFromContentType('text/html', Buffer.from('<termekek/>')))).toEqual({ status: 415, message: 'unsupported content type "text/html" (send application/xml, application/json or text/csv)' });
    expect(refusal(() => formatFromContentType(undefined, Buffer.from('kod;ar')))).toEqual({ status: 415, message: 'unsupported content type "(none)" (send application/xml, application/json or text/csv)' });
    expect(refusal(() => formatFromContentType('text/plain', Buffer.from('kod;ar'))).message).toContain('"text/plain"');
  });
});

describe('JSON records', () => {
  it('reads an array of records, or the array under termekek, kategoriak, rendelesek, records or items', () => {
    const want = [{ seq: 1, line: 1, fields: { termekkod: 'A' } }, { seq: 2, line: 2, fields: { termekkod: 'B' } }];
    expect(readJsonRecords('[{"termekkod":"A"},{"termekkod":"B"}]')).toEqual(want);
    for (const key of ['termekek', 'termek', 'kategoriak', 'kategoria', 'rendelesek', 'rendeles', 'records', 'items'])
      expect(readJsonRecords(`{"${key}":[{"termekkod":"A"},{"termekkod":"B"}]}`), key).toEqual(want);
  });

  it('spells values as text: numbers in plain decimals, true as "true", null as empty', () => {
    expect(readJsonRecords('[{"a":12.5,"b":1e-7,"c":true,"d":null,"e":1e21,"f":-3}]')[0]!.fields).toEqual({ a: '12.5', b: '0.0000001', c: 'true', d: '', e: '1000000000000000000000', f: '-3' });
  });

  it('keeps a number with more digits than a double holds exactly as written, and leaves shorter ones and strings alone', () => {
    const f = readJsonRecords('[{"code":12345678901234567890,"neg":-1234567890.1234567,"round":1000000000000000,"tiny":0.0000000000000001,"text":"12345678901234567890","ok":123456789012345}]')[0]!.fields;
    expect(f).toEqual({ code: '12345678901234567890', neg: '-1234567890.1234567', round: '1000000000000000', tiny: '0.0000000000000001', text: '12345678901234567890', ok: '123456789012345' });
  });

  it('keeps every digit of a long decimal whose point splits its digits into runs shorter than 16', () => {
    expect(readJsonRecords('[{"ar":12345678.123456789,"neg":-1234567.123456789}]')[0]!.fields).toEqual({ ar: '12345678.123456789', neg: '-1234567.123456789' });
  });

  it('beside a long code, a literal of up to 15 significant digits is still a number: zeros before the first digit and the exponent are not counted', () => {
    const f = readJsonRecords('[{"code":12345678901234567890,"ar":12.50,"half":0.50,"tiny":0.000000000000000120,"fifteen":1234567890.12340,"exp":123456789012345e10,"small":1e-7,"big":10000000000000000.1}]')[0]!.fields;
    expect(f).toEqual({
      code: '12345678901234567890', ar: '12.5', half: '0.5', tiny: '0.00000000000000012', fifteen: '1234567890.1234',
      exp: '1234567890123450000000000', small: '0.0000001', big: '10000000000000000.1',
    });
  });

  it('spells minus zero as 0', () => {
    expect(readJsonRecords('[{"a":-0,"b":-0.0}]')[0]!.fields).toEqual({ a: '0', b: '0' });
  });

  it('a field named __proto__ or constructor is data', () => {
    const f = readJsonRecords('[{"__proto__":"x","constructor":"y"}]')[0]!.fields;
    expect([f['__proto__'], f['constructor'], inherited(f)]).toEqual(['x', 'y', []]);
  });

  it.each([
    ['[\n{"a":1,}\n]', 'malformed JSON at line 2, column 8: Expected double-quoted property name'],
    ['[{"a":1}', 'malformed JSON at line 1, column 9: Expected \',\' or \']\' after array element'],
    ['[{"a":tru}]', 'malformed JSON at line 1, column 7: Unexpected token \'}\''],
    ['[{"a" 1}]', 'malformed JSON at line 1, column 7: Expected \':\' after property name'],
  ])('refuses malformed JSON %j with its line and column', (text, message) => expect(refusal(() => readJsonRecords(text))).toEqual({ status: 400, message }));

  it('a text that is not JSON from its first character is refused at line 1, column 1', () => {
    expect(refusal(() => readJsonRecords('x'))).toEqual({ status: 400, message: "malformed JSON at line 1, column 1: Unexpected token 'x'" });
    expect(refusal(() => readJsonRecords(''))).toEqual({ status: 400, message: 'malformed JSON at line 1, column 1: Unexpected end of JSON input' });
  });

  it('names no position when it cannot tell where the text went wrong (an escape JSON does not know)', () => {
    expect(refusal(() => readJsonRecords('[{"a":"\\x"}]'))).toEqual({ status: 400, message: 'malformed JSON: Bad escaped character' });
  });

  it('refuses what is not a list of flat records, naming the record and field', () => {
    expect(refusal(() => readJsonRecords('{"a":[]}')).message).toBe('malformed JSON: expected an array of records or an object with "termekek", "kategoriak" or "rendelesek"');
    expect(refusal(() => readJsonRecords('{"termekek":{"a":1}}')).message).toBe('malformed JSON: the records must be an array');
    expect(refusal(() => readJsonRecords('"x"')).message).toBe('malformed JSON: the records must be an array');
    for (const bad of ['1', 'null', '[1]', '"a"'])
      expect(refusal(() => readJsonRecords(`[{"a":1},${bad}]`)).message, bad).toBe('malformed JSON: record 2 is not an object');
    expect(refusal(() => readJsonRecords('[{"a":{"b":1}}]')).message).toBe('malformed JSON: record 1 field "a" is not a plain value');
    expect(refusal(() => readJsonRecords('[{"a":[1]}]')).message).toBe('malformed JSON: record 1 field "a" is not a plain value');
  });
});

describe('CSV records', () => {
  it('takes the delimiter the header uses most: semicolon, tab or comma', () => {
    expect(readCsvRecords('kod;nev,x\nA;B,C\n')[0]!.fields).toEqual({ kod: 'A', 'nev,x': 'B,C' });
    expect(readCsvRecords('kod\tnev,x\nA\tB,C\n')[0]!.fields).toEqual({ kod: 'A', 'nev,x': 'B,C' });
    expect(readCsvRecords('kod,nev;x,ar\nA,B;C,1\n')[0]!.fields).toEqual({ kod: 'A', 'nev;x': 'B;C', ar: '1' });
    expect(readCsvRecords('kod;ar,x\nA;1,5\n')[0]!.fields).toEqual({ kod: 'A', 'ar,x': '1,5' }); // a tie: the semicolon
  });

  it('reads the delimiter off the header line alone, whatever the rows below hold', () => {
    for (const eol of ['\n', '\r\n'])
      expect(readCsvRecords(`kod;nev${eol}A;"a,b,c,d"${eol}`), JSON.stringify(eol)).toEqual([{ seq: 1, line: 2, fields: { kod: 'A', nev: 'a,b,c,d' } }]);
  });

  it('an empty document has no records', () => {
    expect(readCsvRecords('')).toEqual([]);
  });

  it('trims the header names, keeps the cells as written, and numbers records and their lines (blank lines skipped)', () => {
    expect(readCsvRecords(' kod ; ar \n A ; 1 \n\nB;2\n')).toEqual([
      { seq: 1, line: 2, fields: { kod: ' A ', ar: ' 1 ' } },
      { seq: 2, line: 4, fields: { kod: 'B', ar: '2' } },
    ]);
  });

  it('a header column __proto__ is data', () => {
    const f = readCsvRecords('__proto__;kod\nx;A\n')[0]!.fields;
    expect([f['__proto__'], inherited(f)]).toEqual(['x', []]);
  });

  it('refuses a column given twice and a broken quote, with 400', () => {
    expect(refusal(() => readCsvRecords('kod;ar; kod\nA;1;B\n'))).toEqual({ status: 400, message: 'malformed CSV: the column "kod" appears twice in the header' });
    expect(refusal(() => readCsvRecords('kod,"nev\nA,B\n'))).toEqual({ status: 400, message: 'malformed CSV: Quote Not Closed: the parsing is finished with an opening quote at line 2' });
    expect(refusal(() => readCsvRecords('kod;ar\nA\n')).message).toMatch(/^malformed CSV: Invalid Record Length/);
  });

  it('a refusal quotes no more than 300 characters of the parser\'s message, and 60 of a column name', () => {
    const long = refusal(() => readCsvRecords(`kod;nev\nA;${'y'.repeat(400)}"z\n`)).message;
    expect([long.length, long.startsWith('malformed CSV: Invalid Opening Quote: ')]).toEqual(['malformed CSV: '.length + 300, true]);
    const name = 'x'.repeat(100);
    expect(refusal(() => readCsvRecords(`${name};${name}\nA;B\n`)).message).toBe(`malformed CSV: the column "${'x'.repeat(60)}" appears twice in the header`);
  });
});
