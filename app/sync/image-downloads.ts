// Product images the ERP sends as URLs (full sync `kep`): downloaded into the shop's image
// folder in the background, size- and type-limited, then set as the product's image. Without
// SHOP_IMAGE_DIR they stay recorded as pending in the product mapping.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Database } from '../db/database.js';
import { now } from '../util/time.js';

const TYPES: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp' };
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

export interface ImageRun {
  done: number;
  failed: number;
}

/** Where a product's image goes under the shop's image folder (OpenCart's `catalog/…` path). */
function imagePath(productId: number, ext: string): string {
  return `catalog/erp-bridge/${productId}.${ext}`;
}

async function download(url: string, timeoutMs: number): Promise<{ ext: string; data: Buffer }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const type = String(res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const ext = TYPES[type];
  if (!ext) throw new Error(`not an image (${type || 'no content type'})`);
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > MAX_IMAGE_BYTES) throw new Error(`larger than ${MAX_IMAGE_BYTES / 1024 / 1024} MB`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > MAX_IMAGE_BYTES) throw new Error(`larger than ${MAX_IMAGE_BYTES / 1024 / 1024} MB`);
    chunks.push(Buffer.from(chunk));
  }
  return { ext, data: Buffer.concat(chunks) };
}

/** Downloads up to `limit` pending images; each success sets product.image. */
export async function downloadPendingImages(db: Database, imageDir: string, opts: { limit?: number; timeoutMs?: number } = {}): Promise<ImageRun> {
  const rows = await db.knex(db.own('product_map')).where({ image_status: 'pending' }).whereNotNull('image_url').orderBy('product_id').limit(opts.limit ?? 50).select('product_id', 'image_url');
  const out: ImageRun = { done: 0, failed: 0 };
  for (const r of rows) {
    const id = Number(r.product_id);
    const url = String(r.image_url);
    try {
      const { ext, data } = await download(url, opts.timeoutMs ?? 20_000);
      const rel = imagePath(id, ext);
      const file = path.join(imageDir, rel);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(`${file}.tmp`, data);
      await rename(`${file}.tmp`, file);
      await db.knex(db.t('product')).where({ product_id: id }).update({ image: rel, date_modified: now() });
      // Only if the URL is still the one downloaded (a newer push may have changed it).
      await db.knex(db.own('product_map')).where({ product_id: id, image_url: url }).update({ image_status: 'done', image_error: null, updated_at: now() });
      out.done++;
    } catch (err) {
      const e = err as Error;
      const reason = e.name === 'TimeoutError' ? 'no answer in time' : ((e.cause as Error | undefined)?.message ?? e.message);
      await db.knex(db.own('product_map')).where({ product_id: id, image_url: url }).update({ image_status: 'failed', image_error: reason.slice(0, 255), updated_at: now() });
      out.failed++;
    }
  }
  return out;
}
