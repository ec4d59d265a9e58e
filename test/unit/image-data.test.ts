import { describe, expect, it } from 'vitest';
import { ImageDataError, parseImageData } from '../../app/erp/image-data.js';
import { pngBytes } from '../support/pictures.js';

describe('kep as picture data', () => {
  const png = pngBytes();

  it('reads a data URI and raw base64 alike, typed by the bytes, named by content', () => {
    const a = parseImageData(`data:image/png;base64,${png.toString('base64')}`)!;
    const b = parseImageData(png.toString('base64').replace(/(.{60})/g, '$1\n'))!;
    expect(a.ext).toBe('png');
    expect(a.data.equals(png)).toBe(true);
    expect(b.hash).toBe(a.hash);
    expect(parseImageData(`data:image/png;base64,${pngBytes(40, 40).toString('base64')}`)!.hash).not.toBe(a.hash);
  });

  it('recognises JPEG, GIF and WebP by their magic bytes', () => {
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(300)]);
    const gif = Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.alloc(300)]);
    const webp = Buffer.concat([Buffer.from('RIFF', 'latin1'), Buffer.alloc(4), Buffer.from('WEBP', 'latin1'), Buffer.alloc(300)]);
    expect(parseImageData(jpeg.toString('base64'))!.ext).toBe('jpg');
    expect(parseImageData(gif.toString('base64'))!.ext).toBe('gif');
    expect(parseImageData(webp.toString('base64'))!.ext).toBe('webp');
  });

  it('leaves URLs and image paths to the other kep handling', () => {
    expect(parseImageData('https://erp.example.hu/kep/123.jpg')).toBeNull();
    expect(parseImageData('catalog/termekek/kes.png')).toBeNull();
    expect(parseImageData('abc')).toBeNull();
  });

  it('refuses data that is no accepted picture, too large, or labelled as something else', () => {
    const text = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'.repeat(10));
    expect(() => parseImageData(text.toString('base64'))).toThrow(/not a JPEG, PNG, GIF or WebP/);
    expect(() => parseImageData(`data:image/svg+xml;base64,${text.toString('base64')}`)).toThrow(/not a JPEG, PNG, GIF or WebP/);
    expect(() => parseImageData(`data:text/html;base64,${png.toString('base64')}`)).toThrow(/labelled text\/html/);
    expect(() => parseImageData(`data:image/png;base64,${png.toString('base64')}`, 100)).toThrow(ImageDataError);
    expect(() => parseImageData(`data:image/png;base64,${png.toString('base64').slice(0, -3)}`)).toThrow(/not valid base64/);
  });

  // Each signature with one byte changed, padded to a picture's size: none is a picture.
  it('refuses a file whose signature is one byte off', () => {
    const pad = (head: Buffer) => Buffer.concat([head, Buffer.alloc(300)]).toString('base64');
    const offByOne = [
      [0x00, 0xd8, 0xff], [0xff, 0x00, 0xff], [0xff, 0xd8, 0x00],
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0b],
    ].map((b) => Buffer.from(b));
    const text = ['GIF89b', 'GIF88a', 'RIFX\0\0\0\0WEBP', 'RIFF\0\0\0\0WAVE', '\0\0\0\0\0\0\0\0WEBP'].map((t) => Buffer.from(t, 'latin1'));
    for (const head of [...offByOne, ...text]) expect(() => parseImageData(pad(head)), head.toString('hex')).toThrow(/not a JPEG, PNG, GIF or WebP/);
  });

  it('types data that is nothing but a whole signature', () => {
    const uri = (type: string, b: Buffer) => `data:image/${type};base64,${b.toString('base64')}`;
    expect(parseImageData(uri('jpeg', Buffer.from([0xff, 0xd8, 0xff])))!.ext).toBe('jpg');
    expect(parseImageData(uri('png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))!.ext).toBe('png');
    expect(parseImageData(uri('gif', Buffer.from('GIF89a', 'latin1')))!.ext).toBe('gif');
    expect(parseImageData(uri('webp', Buffer.from('RIFF\0\0\0\0WEBP', 'latin1')))!.ext).toBe('webp');
  });

  it('leaves a URL or path as long as picture data to the other kep handling', () => {
    expect(parseImageData(`https://erp.example.hu/kep/${'a'.repeat(200)}.jpg`)).toBeNull();
    expect(parseImageData(`catalog/${'b'.repeat(200)}.png`)).toBeNull();
  });

  it('refuses a label that only contains a picture type', () => {
    for (const label of ['ximage/png', 'image/pngx']) expect(() => parseImageData(`data:${label};base64,${png.toString('base64')}`), label).toThrow(`labelled ${label}`);
  });
});
