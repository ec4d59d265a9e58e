// The push answer and the error as XML (ERPs that speak XML read these), the reason sentences,
// and the picture data checks at their limits.
import { describe, expect, it } from 'vitest';
import { answerToXml, errorToXml } from '../../app/erp/answer.js';
import { statusAnswerToXml } from '../../app/erp/order-status-answer.js';
import { ImageDataError, parseImageData } from '../../app/erp/image-data.js';
import { fillReason, reason, ReasonError } from '../../app/erp/reasons.js';
import { thrown } from '../support/thrown.js';

describe('the push answer as XML', () => {
  it('carries the run, the counts, the fields and every record not applied, escaped', () => {
    const xml = answerToXml({
      run: 12, kind: 'prices', dryRun: false, status: 'partial', format: 'xml', charset: 'utf-8', counts: { received: 3, applied: 1, unknown: 2 } as never,
      ignoredFields: ['kep'], unknownFields: ['szin', 'a<b'], notApplied: [{ record: 2, code: 'A&1', outcome: 'unknown', reason: 'no product has model "A&1"' }, { record: 3, code: 'B', outcome: 'invalid', reason: 'ar "x" is not a number' }], durationMs: 40,
    });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<answer>\n' +
      '  <run>12</run>\n  <kind>prices</kind>\n  <status>partial</status>\n  <dryRun>false</dryRun>\n' +
      '  <counts received="3" applied="1" unknown="2"/>\n' +
      '  <ignoredFields><field>kep</field></ignoredFields>\n' +
      '  <unknownFields><field>szin</field><field>a&lt;b</field></unknownFields>\n' +
      '  <notApplied>\n' +
      '    <record n="2" code="A&amp;1" outcome="unknown">no product has model &quot;A&amp;1&quot;</record>\n' +
      '    <record n="3" code="B" outcome="invalid">ar &quot;x&quot; is not a number</record>\n' +
      '  </notApplied>\n' +
      '  <durationMs>40</durationMs>\n</answer>\n',
    );
  });

  it('the order status answer adds what the shop did with the records, before the duration', () => {
    const xml = statusAnswerToXml({
      run: 5, kind: 'order-status', dryRun: false, status: 'ok', format: 'csv', charset: 'utf-8', counts: { received: 4, applied: 4 } as never,
      ignoredFields: [], unknownFields: [], notApplied: [], shop: { applied: 2, waiting: 1, failed: 1, error: null }, durationMs: 9,
    });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<answer>\n' +
      '  <run>5</run>\n  <kind>order-status</kind>\n  <status>ok</status>\n  <dryRun>false</dryRun>\n' +
      '  <counts received="4" applied="4"/>\n' +
      '  <ignoredFields></ignoredFields>\n  <unknownFields></unknownFields>\n' +
      '  <notApplied>\n  </notApplied>\n' +
      '  <shop applied="2" waiting="1" failed="1"/>\n' +
      '  <durationMs>9</durationMs>\n</answer>\n',
    );
  });

  it('the order status answer says why the shop refused, escaped, as the JSON answer does', () => {
    const xml = statusAnswerToXml({
      run: 6, kind: 'order-status', dryRun: false, status: 'ok', format: 'xml', charset: 'utf-8', counts: { received: 1, applied: 1 } as never,
      ignoredFields: [], unknownFields: [], notApplied: [], shop: { applied: 0, waiting: 0, failed: 1, error: 'the shop answered 403: "<no> & access"' }, durationMs: 3,
    });
    expect(xml).toContain('  <shop applied="0" waiting="0" failed="1" error="the shop answered 403: &quot;&lt;no&gt; &amp; access&quot;"/>\n');
  });

  it('an error names its status, its run when there is one, and its message escaped', () => {
    expect(errorToXml(400, 'malformed XML: <x> & "y"', 7)).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<error status="400" run="7">malformed XML: &lt;x&gt; &amp; &quot;y&quot;</error>\n');
    expect(errorToXml(401, 'wrong credentials', null)).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<error status="401">wrong credentials</error>\n');
  });
});

describe('reasons', () => {
  it('fills every placeholder, an unknown one with nothing, and keeps the code and values', () => {
    expect(fillReason('{field} {value} is {field}{missing}!', { field: 'ar', value: -1 })).toBe('ar -1 is ar!');
    expect(reason('negative', { field: 'ar', value: -5 })).toEqual({ reason: 'ar -5 is negative', reasonCode: 'negative', reasonVars: { field: 'ar', value: -5 } });
    expect(reason('no_name')).toEqual({ reason: 'no nev', reasonCode: 'no_name', reasonVars: {} });
    const err = new ReasonError(reason('no_name'));
    expect([err.message, err.name, err.why.reasonCode]).toEqual(['no nev', 'ReasonError', 'no_name']);
  });
});

describe('picture data at its limits', () => {
  const jpeg = (size: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(size - 4)]);
  const refusedWith = (f: () => unknown) => thrown(f, ImageDataError).why;

  it('raw base64 counts as a picture from 200 characters; shorter is a path or a name', () => {
    const b64 = jpeg(150).toString('base64'); // 200 characters
    expect(b64).toHaveLength(200);
    expect(parseImageData(b64)!.ext).toBe('jpg');
    expect(parseImageData(b64.slice(0, 196))).toBeNull();
  });

  it('takes a picture of exactly the limit and refuses one byte more, naming the limit in MB', () => {
    const max = 3 * 1024 * 1024;
    expect(parseImageData(jpeg(max).toString('base64'), max)!.data.length).toBe(max);
    expect(refusedWith(() => parseImageData(jpeg(max + 1).toString('base64'), max))).toEqual({ reason: 'kep holds a picture larger than 3 MB', reasonCode: 'picture_too_large', reasonVars: { max: 3 } });
    expect(refusedWith(() => parseImageData(jpeg(max + 3).toString('base64'), max)).reasonCode).toBe('picture_too_large');
    // A limit of 3k + 1 bytes: the base64 of a picture of exactly the limit (two '=') stands for
    // limit + 2 bytes, the edge of the estimate made before decoding; so does that of one byte
    // more (one '='), which only the decoded length refuses.
    const odd = 2 * 1024 * 1024 + 2;
    expect(parseImageData(jpeg(odd).toString('base64'), odd)!.data.length).toBe(odd);
    expect(refusedWith(() => parseImageData(jpeg(odd + 1).toString('base64'), odd))).toEqual({ reason: 'kep holds a picture larger than 2 MB', reasonCode: 'picture_too_large', reasonVars: { max: 2 } });
  });

  it('reads a data URI with parameters and any image label case; names the hash by content, 24 hex digits', () => {
    const data = jpeg(300).toString('base64');
    const a = parseImageData(`  data:IMAGE/JPEG;charset=binary;base64,${data}  `)!;
    expect(a.ext).toBe('jpg');
    expect(a.hash).toMatch(/^[0-9a-f]{24}$/);
    expect(parseImageData(`data:;base64,${data}`)!.ext).toBe('jpg');
    expect(parseImageData(`data:image/jpg;base64,${data}`)!.ext).toBe('jpg');
    expect(refusedWith(() => parseImageData(`data:application/pdf;base64,${data}`))).toEqual({ reason: 'kep is labelled application/pdf, not a picture type', reasonCode: 'picture_labelled', reasonVars: { type: 'application/pdf' } });
  });

  it('refuses base64 with stray characters or a wrong length, and bytes too short for their magic number', () => {
    expect(refusedWith(() => parseImageData(`data:image/png;base64,${'A'.repeat(5)}`)).reasonCode).toBe('picture_not_base64');
    expect(refusedWith(() => parseImageData(`data:image/png;base64,AAAA*AAA`)).reasonCode).toBe('picture_not_base64');
    expect(refusedWith(() => parseImageData(`data:image/png;base64,${Buffer.from([0xff, 0xd8]).toString('base64')}`)).reasonCode).toBe('picture_not_image');
    expect(refusedWith(() => parseImageData(`data:image/gif;base64,${Buffer.from('GIF87b').toString('base64')}`)).reasonCode).toBe('picture_not_image');
    expect(parseImageData(`data:image/gif;base64,${Buffer.from('GIF87a').toString('base64')}`)!.ext).toBe('gif');
    const riffNotWebp = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WAVE')]);
    expect(refusedWith(() => parseImageData(`data:image/webp;base64,${riffNotWebp.toString('base64')}`)).reasonCode).toBe('picture_not_image');
  });
});
