// The charset of an ERP body: where it is read from, the names it goes by, and the exact byte or
// character a refusal points at, whole and piece by piece.
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { charsetFromContentType, charsetFromXmlDeclaration, createDecoder, decodeBody } from '../../app/erp/charset.js';
import { DocumentError } from '../../app/erp/errors.js';
import { thrown } from '../support/thrown.js';

const refusal = (f: () => unknown): string => {
  const e = thrown(f, DocumentError);
  return `${e.status} ${e.message}`;
};
const utf8Refusal = (offset: number) => `400 the body is not valid UTF-8 (first bad byte at offset ${offset}); declare charset=windows-1250 or iso-8859-2 if that is what the ERP sends`;

describe('where the charset is named', () => {
  it('the Content-Type\'s charset parameter, quoted or not, in any case', () => {
    expect(charsetFromContentType('text/xml; charset=ISO-8859-2')).toBe('iso-8859-2');
    expect(charsetFromContentType('text/csv;charset="windows-1250"; header=present')).toBe('windows-1250');
    expect(charsetFromContentType('text/csv ; CHARSET = utf-8')).toBe('utf-8');
    expect(charsetFromContentType('text/xml')).toBeUndefined();
    expect(charsetFromContentType(undefined)).toBeUndefined();
  });

  it('the XML declaration at the very start (after a byte order mark), in single or double quotes', () => {
    expect(charsetFromXmlDeclaration(Buffer.from('<?xml version="1.0" encoding="ISO-8859-2"?><a/>'))).toBe('iso-8859-2');
    expect(charsetFromXmlDeclaration(Buffer.from("\uFEFF <?xml version='1.0' encoding = 'Windows-1250' ?><a/>"))).toBe('windows-1250');
    expect(charsetFromXmlDeclaration(Buffer.from('<a/><?xml version="1.0" encoding="ISO-8859-2"?>'))).toBeUndefined();
    expect(charsetFromXmlDeclaration(Buffer.from('<?xml version="1.0"?><a encoding="latin2"/>'))).toBeUndefined();
  });
});

describe('decoding a whole body', () => {
  it('knows each charset by its usual names; UTF-8 when none is named', () => {
    const names: Array<[string, string]> = [['utf-8', 'utf-8'], ['utf8', 'utf-8'], ['us-ascii', 'utf-8'], ['ascii', 'utf-8'], ['iso-8859-2', 'iso-8859-2'], ['iso8859_2', 'iso-8859-2'],
      ['iso_8859-2', 'iso-8859-2'], ['latin2', 'iso-8859-2'], ['l2', 'iso-8859-2'], ['windows-1250', 'windows-1250'], ['cp1250', 'windows-1250'], ['x-cp1250', 'windows-1250']];
    for (const [alias, charset] of names) expect(decodeBody(iconv.encode('ő', charset), alias), alias).toEqual({ text: 'ő', charset });
    expect(decodeBody(Buffer.from('ő'), undefined)).toEqual({ text: 'ő', charset: 'utf-8' });
    expect(createDecoder('l2').charset).toBe('iso-8859-2');
  });

  it('refuses a charset it does not know with 415, listing those it does, before reading anything', () => {
    const message = '415 unsupported charset "koi8-r" (supported: utf-8, iso-8859-2, windows-1250)';
    expect(refusal(() => decodeBody(Buffer.from('a'), 'koi8-r'))).toBe(message);
    expect(refusal(() => createDecoder('koi8-r'))).toBe(message);
  });

  it('drops a UTF-8 byte order mark, even one an exporter wrote twice, so it never sticks to the first field name', () => {
    expect(decodeBody(Buffer.from('\uFEFFkod'), 'utf-8').text).toBe('kod');
    expect(decodeBody(Buffer.from('\uFEFF\uFEFFkod'), 'utf-8').text).toBe('kod');
    expect(refusal(() => decodeBody(Buffer.from([0xef, 0xbb, 0x41]), undefined))).toBe(utf8Refusal(0));
  });

  it.each([
    ['a lone continuation byte', [0x41, 0x80, 0x41], 1],
    ['a lead byte cut short', [0x41, 0x42, 0xc5, 0x41], 2],
    ['an overlong lead byte', [0xc0, 0xaf], 0],
    ['a three-byte sequence cut short', [0x41, 0xe2, 0x82, 0x41], 1],
    ['a four-byte sequence cut short', [0xf0, 0x9f, 0x98, 0x41, 0x41], 0],
    ['a byte above F4', [0x41, 0xf5, 0x80, 0x80, 0x80], 1],
    ['a bad byte after good multi-byte characters', [0xc5, 0x91, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xff], 9],
  ])('points at the first bad UTF-8 byte: %s', (_what, bytes, offset) => {
    expect(refusal(() => decodeBody(Buffer.from(bytes), 'utf-8'))).toBe(utf8Refusal(offset));
  });

  it('refuses a byte Windows-1250 or ISO-8859-2 does not define, counting characters from 1', () => {
    expect(refusal(() => decodeBody(Buffer.from([0x41, 0x42, 0x98]), 'windows-1250'))).toBe('400 the body has a byte that windows-1250 does not define (character 3)');
  });
});

describe('decoding piece by piece', () => {
  const pieces = (bytes: number[], size: number) => Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => Buffer.from(bytes.slice(i * size, i * size + size)));
  const decodeAll = (charset: string | undefined, parts: Buffer[]) => {
    const d = createDecoder(charset);
    return parts.map((p) => d.write(p)).join('') + d.end();
  };

  it('gives the whole text however the body is cut, characters split across pieces included', () => {
    const bytes = [...Buffer.from('ő€😀x')];
    for (const size of [1, 2, 3, 4, 5]) expect(decodeAll('utf-8', pieces(bytes, size)), `size ${size}`).toBe('ő€😀x');
  });

  it('a body ending inside a character is refused at that character\'s first byte', () => {
    const bytes = [...Buffer.from('abő'), 0xe2, 0x82];
    for (const size of [1, 2, 3, 10]) expect(refusal(() => decodeAll('utf-8', pieces(bytes, size))), `size ${size}`).toBe(utf8Refusal(4));
  });

  it('a bad byte in a later piece is counted from the start of the body', () => {
    const bytes = [...Buffer.from('abcdőfgh'), 0xff, 0x41];
    for (const size of [1, 3, 4, 7]) expect(refusal(() => decodeAll('utf-8', pieces(bytes, size))), `size ${size}`).toBe(utf8Refusal(9));
    const cut = [...Buffer.from('abcd'), 0xe2, 0x82, 0x41];
    for (const size of [1, 2, 5, 6]) expect(refusal(() => decodeAll('utf-8', pieces(cut, size))), `size ${size}`).toBe(utf8Refusal(4));
  });

  it('Windows-1250 piece by piece: the bad byte\'s character counted over the pieces before', () => {
    const bytes = [...iconv.encode('őű', 'windows-1250'), 0x41, 0x42, 0x98];
    expect(decodeAll('windows-1250', pieces(bytes.slice(0, 4), 2))).toBe('őűAB');
    expect(refusal(() => decodeAll('windows-1250', pieces(bytes, 2)))).toBe('400 the body has a byte that windows-1250 does not define (character 5)');
  });
});
