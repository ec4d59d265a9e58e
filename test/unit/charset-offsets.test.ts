// Where a body stops being valid UTF-8 (or Windows-1250), as the ERP is told: the offset of the
// first bad byte, counted from the start of the whole body, after valid two- and three-byte
// characters, for stray continuation bytes and invalid lead bytes, and when the body comes in
// pieces. Cases found by mutation testing (issue 16).
import { describe, expect, it } from 'vitest';
import { createDecoder, decodeBody } from '../../app/erp/charset.js';
import { DocumentError } from '../../app/erp/errors.js';
import { thrown } from '../support/thrown.js';

const utf8Offset = (message: string) => /first bad byte at offset (\d+)\)/.exec(message)?.[1];
const whole = (bytes: number[]) => utf8Offset(thrown(() => decodeBody(Buffer.from(bytes), undefined), DocumentError).message);
const pieces = (parts: number[][], charset?: string) =>
  thrown(() => {
    const d = createDecoder(charset);
    for (const p of parts) d.write(Buffer.from(p));
    d.end();
  }, DocumentError).message;

describe('the first bad UTF-8 byte of a whole body', () => {
  it.each([
    ['after a valid two-byte character starting with C2', [0xc2, 0xa0, 0xff], '2'],
    ['after a valid three-byte character starting with E0', [0xe0, 0xa0, 0x80, 0xff], '3'],
    ['a stray continuation byte first', [0x80, 0x80, 0x80, 0x41], '0'],
    ['the lead byte C1, which UTF-8 never uses', [0xc1, 0x80, 0x80, 0x80, 0x41], '0'],
    ['a continuation byte after a letter, where a byte order mark would stand', [0x41, 0xbb, 0xbf, 0x42], '1'],
    ['EF followed by a letter, not a byte order mark', [0xef, 0x41, 0xbf, 0x42], '0'],
    ['a continuation byte third', [0x41, 0x42, 0xbf, 0x43], '2'],
  ])('%s', (_what, bytes, offset) => expect(whole(bytes)).toBe(offset));

  it('a byte order mark itself is skipped', () => {
    expect(decodeBody(Buffer.from([0xef, 0xbb, 0xbf, 0x41]), undefined).text).toBe('A');
  });
});

describe('the first bad byte of a body that comes in pieces', () => {
  it('UTF-8: counted from the body\'s start when a character was cut between the pieces before it', () => {
    expect(utf8Offset(pieces([[0xe0, 0xa0], [0x80, 0xff]]))).toBe('3');
  });

  it('UTF-8: a four-byte or three-byte character cut at the end is named where it starts', () => {
    expect(utf8Offset(pieces([[0x41], [0xf0, 0x9f, 0x98]]))).toBe('1');
    expect(utf8Offset(pieces([[0x41], [0xe0, 0xa0]]))).toBe('1');
  });

  it('Windows-1250: an undefined byte is named by its character in the whole body, also as the first character', () => {
    expect(pieces([[0x41, 0x42], [0x43, 0x98]], 'windows-1250')).toBe('the body has a byte that windows-1250 does not define (character 4)');
    expect(thrown(() => decodeBody(Buffer.from([0x98, 0x41]), 'windows-1250'), DocumentError).message).toBe('the body has a byte that windows-1250 does not define (character 1)');
  });
});

describe('the first bad UTF-8 byte, however the body is cut', () => {
  // Bodies of valid characters of one to four bytes (and a byte order mark), with a bad sequence
  // put in (a stray byte, an overlong or surrogate form, a character cut short, beyond U+10FFFF)
  // or none, then cut at every two places: the streamed answer is the whole body's, byte for byte.
  // This guards the carry of a cut character (incompleteTail) as a whole; its surviving mutants
  // only carry a complete last character as well, which moves no offset.
  const atoms = [[0x41], [0xc3, 0xa9], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x98, 0x80], [0xef, 0xbb, 0xbf]];
  const bad = [[0xff], [0x80], [0xc0, 0x80], [0xe0, 0x80, 0x80], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc3, 0x41], [0xe2, 0x41]];
  const outcome = (f: () => unknown) => {
    try {
      f();
      return 'valid';
    } catch (err) {
      return (err as Error).message;
    }
  };

  it('a body cut into three pieces anywhere names the byte the whole body names', () => {
    let seed = 12345;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    for (let t = 0; t < 400; t++) {
      const body: number[] = [];
      for (let i = 1 + next(6); i > 0; i--) body.push(...atoms[next(atoms.length)]!);
      if (next(4) > 0) body.splice(next(body.length + 1), 0, ...bad[next(bad.length)]!);
      if (next(3) === 0) body.push(...atoms[next(atoms.length)]!);
      const buf = Buffer.from(body);
      const want = outcome(() => decodeBody(buf, undefined));
      for (let a = 0; a <= buf.length; a++)
        for (let b = a; b <= buf.length; b++) {
          const got = outcome(() => {
            const d = createDecoder(undefined);
            for (const piece of [buf.subarray(0, a), buf.subarray(a, b), buf.subarray(b)]) d.write(piece);
            d.end();
          });
          if (got !== want) expect(got, `${buf.toString('hex')} cut at ${a} and ${b}`).toBe(want);
        }
    }
  });
});
