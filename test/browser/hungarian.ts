// "No English word in the Hungarian UI": the words only the English catalogue uses are the
// suspects; a Hungarian page's visible text must contain none of them. The allow-list holds
// proper nouns and technical names a Hungarian shop owner reads as they are; each says why.
import { catalogue } from '../../app/web/i18n/messages.js';

export const ALLOWED: Record<string, string> = {
  erp: 'the system being connected; Hungarian says ERP too',
  bridge: 'part of the product name erp-bridge',
  opencart: 'the webshop software, a proper noun',
  url: 'technical term used as is in Hungarian',
  csv: 'file format name',
  xml: 'file format name',
  json: 'file format name',
  http: 'protocol name (status codes are shown as "HTTP 401")',
  https: 'protocol name',
  english: 'the language switch names its target language in that language, so an English reader finds it',
  sku: 'OpenCart field name (Cikkszám (SKU))',
  ean: 'barcode standard name',
  upc: 'barcode standard name',
  jan: 'barcode standard name',
  isbn: 'book number standard name',
  mpn: 'manufacturer part number, OpenCart field name',
  jpeg: 'picture format name',
  png: 'picture format name',
  gif: 'picture format name',
  webp: 'picture format name',
  base64: 'encoding name',
  shop_image_dir: 'an environment variable name',
  vat_map: 'a setting key quoted in a message',
};

/** Lower-case words of at least three letters (hyphens and digits split words). */
export function words(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}_]{3,}/gu) ?? []).filter((w) => !/^_+$/.test(w));
}

const vocabulary = (lang: 'hu' | 'en') => new Set(Object.values(catalogue(lang)).flatMap((s) => words(s.replace(/\{\w+\}/g, ' '))));

/** Words the English catalogue uses and the Hungarian one never does (minus the allow-list). */
export function englishOnlyWords(): Set<string> {
  const hu = vocabulary('hu');
  return new Set([...vocabulary('en')].filter((w) => !hu.has(w) && !(w in ALLOWED)));
}

/** The English-only words in a text, each once. */
export function englishIn(text: string, suspects = englishOnlyWords()): string[] {
  return [...new Set(words(text).filter((w) => suspects.has(w)))];
}
