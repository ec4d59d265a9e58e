// Where a JSON text stops being valid (the line and column of a 400 for malformed JSON): the
// offset of the first character that cannot continue a JSON value, -1 for valid JSON.
import { describe, expect, it } from 'vitest';
import { jsonErrorOffset } from '../../app/erp/json-position.js';

describe('the offset of the first JSON error', () => {
  it.each(['{}', '[]', ' [ ] ', '{"a":1}', '[1, 2]', '\t{"a" : [true, false, null, "x\\"y", -1.5e3, 0, 0.25, 2E+2]}\r\n', '{ "a" : { "b" : [ ] } , "c" : "" }', '"\\u00e9"', '"a b"', '[1e10, 2.5E-12]'])('%j is valid', (text) =>
    expect(jsonErrorOffset(text)).toBe(-1));

  it.each([
    ['', 0], ['-', 0], ['tru', 0], ['nul', 0], ['fals', 0], ['x', 0],
    ['{"a":1,}', 7], ['[1,]', 3], ['{"a" 1}', 5], ['{a:1}', 1], ['[1 2]', 3], ['{"a":1 "b":2}', 7],
    ['"abc', 4], ['"a\u0001"', 2], ['"a\\', 4], ['01', 1], ['{"a":1} x', 8], ['{"a":1', 6], ['[', 1], ['[1', 2],
    ['{"a":-x}', 5], ['[-x1]', 1], ['{"a":1.}', 6], ['[true, nope]', 7], ['[false,fals]', 7], ['[null,nul]', 6], ['{"a":"b"]', 8], ['[1}', 2],
  ])('%j fails at %i', (text, offset) => expect(jsonErrorOffset(text)).toBe(offset));
});
