// Decodes a body exactly: UTF-8 (strict), ISO-8859-2 and Windows-1250, from the Content-Type
// charset or, for XML, the declaration. An undecodable body is rejected, never stored as '?'.
import iconv from 'iconv-lite';
import { DocumentError } from './errors.js';

const ALIASES: Record<string, string> = {
  'utf-8': 'utf-8', utf8: 'utf-8', 'us-ascii': 'utf-8', ascii: 'utf-8',
  'iso-8859-2': 'iso-8859-2', iso8859_2: 'iso-8859-2', 'iso_8859-2': 'iso-8859-2', latin2: 'iso-8859-2', l2: 'iso-8859-2',
  'windows-1250': 'windows-1250', cp1250: 'windows-1250', 'x-cp1250': 'windows-1250',
};

export const SUPPORTED_CHARSETS = ['utf-8', 'iso-8859-2', 'windows-1250'];

export function charsetFromContentType(contentType: string | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return m?.[1]?.toLowerCase();
}

/** The encoding named in `<?xml … encoding="…"?>`, read from the ASCII-compatible start. */
export function charsetFromXmlDeclaration(body: Buffer): string | undefined {
  const head = body.subarray(0, 200).toString('latin1');
  const m = /^(?:\uFEFF|\u00EF\u00BB\u00BF)?\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/i.exec(head);
  return m?.[1]?.toLowerCase();
}

export function decodeBody(body: Buffer, declared: string | undefined): { text: string; charset: string } {
  const name = declared ? ALIASES[declared] : 'utf-8';
  if (!name) throw new DocumentError(415, `unsupported charset "${declared}" (supported: ${SUPPORTED_CHARSETS.join(', ')})`);
  if (name === 'utf-8') {
    const start = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
    try {
      return { text: new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(start)), charset: name };
    } catch {
      const offset = firstInvalidUtf8(body);
      throw new DocumentError(400, `the body is not valid UTF-8 (first bad byte at offset ${offset}); declare charset=windows-1250 or iso-8859-2 if that is what the ERP sends`);
    }
  }
  const text = iconv.decode(body, name);
  const bad = text.indexOf('\uFFFD');
  if (bad >= 0) throw new DocumentError(400, `the body has a byte that ${name} does not define (character ${bad + 1})`);
  return { text, charset: name };
}

function firstInvalidUtf8(buf: Buffer): number {
  for (let i = 0; i < buf.length; ) {
    const b = buf[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0) return i;
    for (let j = 1; j < len; j++) if (((buf[i + j] ?? 0) & 0xc0) !== 0x80) return i;
    i += len;
  }
  return buf.length;
}

export interface StreamDecoder {
  readonly charset: string;
  /** Text of the next bytes (a character cut between two pieces comes with the next). */
  write(bytes: Buffer): string;
  end(): string;
}

/** decodeBody piece by piece, with the same checks and messages (offsets count from the body's start). */
export function createDecoder(declared: string | undefined): StreamDecoder {
  const name = declared ? ALIASES[declared] : 'utf-8';
  if (!name) throw new DocumentError(415, `unsupported charset "${declared}" (supported: ${SUPPORTED_CHARSETS.join(', ')})`);
  if (name === 'utf-8') {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let offset = 0;
    let carry: Buffer = Buffer.alloc(0);
    const bad = (bytes: Buffer): never => {
      const all = carry.length ? Buffer.concat([carry, bytes]) : bytes;
      const at = offset - carry.length + firstInvalidUtf8(all);
      throw new DocumentError(400, `the body is not valid UTF-8 (first bad byte at offset ${at}); declare charset=windows-1250 or iso-8859-2 if that is what the ERP sends`);
    };
    return {
      charset: name,
      write(bytes) {
        let text: string;
        try {
          text = decoder.decode(bytes, { stream: true });
        } catch {
          return bad(bytes);
        }
        carry = incompleteTail(bytes, carry);
        offset += bytes.length;
        return text;
      },
      end() {
        try {
          return decoder.decode();
        } catch {
          const at = offset - carry.length;
          throw new DocumentError(400, `the body is not valid UTF-8 (first bad byte at offset ${at}); declare charset=windows-1250 or iso-8859-2 if that is what the ERP sends`);
        }
      },
    };
  }
  let chars = 0;
  return {
    charset: name,
    write(bytes) {
      const text = iconv.decode(bytes, name);
      const bad = text.indexOf('\uFFFD');
      if (bad >= 0) throw new DocumentError(400, `the body has a byte that ${name} does not define (character ${chars + bad + 1})`);
      chars += text.length;
      return text;
    },
    end: () => '',
  };
}

/** The bytes of a UTF-8 sequence left open at the end of `bytes` (joined to what was open before). */
function incompleteTail(bytes: Buffer, before: Buffer): Buffer {
  const all = before.length && bytes.length < 4 ? Buffer.concat([before, bytes]) : bytes;
  for (let k = 1; k <= Math.min(3, all.length); k++) {
    const b = all[all.length - k]!;
    if ((b & 0xc0) === 0x80) continue;
    const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return len > k ? Buffer.from(all.subarray(all.length - k)) : Buffer.alloc(0);
  }
  return Buffer.alloc(0);
}
