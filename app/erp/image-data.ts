// Kulcs-Soft-style ERPs may send the product picture itself in `kep`: base64, optionally as a
// data URI. Pure: it recognises and checks the bytes; storing them is the shop side's job.
// The type is read from the bytes (magic numbers), never trusted from the label.
import { createHash } from 'node:crypto';
import { reason, type Reason } from './reasons.js';

export const MAX_IMAGE_DATA_BYTES = 5 * 1024 * 1024;

export interface ImageData {
  ext: 'jpg' | 'png' | 'gif' | 'webp';
  data: Buffer;
  /** Content hash: the same picture sent again lands on the same file. */
  hash: string;
}

export class ImageDataError extends Error {
  constructor(readonly why: Reason) {
    super(why.reason);
  }
}

const DATA_URI = /^data:([\w/+.-]*)(;[\w=-]+)*;base64,/i;
// A picture is kilobytes; anything shorter that only has base64 letters is a path or a name.
const MIN_RAW_BASE64 = 200;

function sniff(b: Buffer): ImageData['ext'] | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpg';
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (b.length >= 6 && /^GIF8[79]a$/.test(b.subarray(0, 6).toString('latin1'))) return 'gif';
  if (b.length >= 12 && b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  return null;
}

/**
 * The picture in `kep`, or null when `kep` is not picture data (a URL or a path). Throws
 * ImageDataError with a reason for data that is not an accepted picture.
 */
export function parseImageData(value: string, maxBytes = MAX_IMAGE_DATA_BYTES): ImageData | null {
  const v = value.trim();
  const uri = DATA_URI.exec(v);
  let base64: string;
  if (uri) base64 = v.slice(uri[0].length);
  else if (v.length >= MIN_RAW_BASE64 && /^[A-Za-z0-9+/\s]+={0,2}$/.test(v)) base64 = v;
  else return null;
  base64 = base64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0) throw new ImageDataError(reason('picture_not_base64'));
  // Checked before decoding: 4 base64 letters are 3 bytes.
  if ((base64.length / 4) * 3 > maxBytes + 2) throw new ImageDataError(reason('picture_too_large', { max: Math.round(maxBytes / 1024 / 1024) }));
  const data = Buffer.from(base64, 'base64');
  if (data.length > maxBytes) throw new ImageDataError(reason('picture_too_large', { max: Math.round(maxBytes / 1024 / 1024) }));
  const ext = sniff(data);
  if (!ext) throw new ImageDataError(reason('picture_not_image'));
  if (uri && uri[1] && !/^image\/(jpe?g|png|gif|webp)$/i.test(uri[1])) throw new ImageDataError(reason('picture_labelled', { type: uri[1] }));
  return { ext, data, hash: createHash('sha256').update(data).digest('hex').slice(0, 24) };
}
