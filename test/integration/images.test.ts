import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadPendingImages } from '../../app/sync/image-downloads.js';
import { createApp } from '../../app/web/server.js';
import { DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { KEY, pushXml, uniqueCode } from '../support/shop.js';

// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

describe.each(DIALECT_TARGETS)('product images on $name', (target) => {
  let env: TargetEnv;
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    env = await openTarget(target);
    await env.ctx.settings.update({ import_password: KEY, sync_type: 'full' });
    server = http.createServer((req, res) => {
      if (req.url === '/ok.png') return void res.writeHead(200, { 'Content-Type': 'image/png' }).end(PNG);
      if (req.url === '/page.html') return void res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html></html>');
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await env?.cleanup();
  });

  it('downloads image URLs into the shop image folder, type- and status-checked', async () => {
    const codes = [uniqueCode('IMG'), uniqueCode('IMG'), uniqueCode('IMG')];
    await pushXml(createApp(env.ctx), 'prices', [
      { termekkod: codes[0]!, ar: 1, nev: 'Kép', kep: `${base}/ok.png` },
      { termekkod: codes[1]!, ar: 1, nev: 'Nem kép', kep: `${base}/page.html` },
      { termekkod: codes[2]!, ar: 1, nev: 'Nincs', kep: `${base}/missing.jpg` },
    ]);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'erpb-img-'));
    expect(await downloadPendingImages(env.ctx.db, dir)).toEqual({ done: 1, failed: 2 });
    const db = env.ctx.db;
    const ids = await Promise.all(codes.map(async (c) => Number((await db.knex(db.t('product')).where({ model: c }).first('product_id')).product_id)));
    const p0 = await db.knex(db.t('product')).where({ product_id: ids[0] }).first('image');
    expect(p0.image).toBe(`catalog/erp-bridge/${ids[0]}.png`);
    expect(readFileSync(path.join(dir, p0.image))).toEqual(PNG);
    const maps = await db.knex(db.own('product_map')).whereIn('product_id', ids).orderBy('product_id').select('image_status', 'image_error');
    expect(maps.map((m) => m.image_status)).toEqual(['done', 'failed', 'failed']);
    expect(maps[1].image_error).toMatch(/not an image \(text\/html\)/);
    expect(maps[2].image_error).toMatch(/HTTP 404/);
    expect(existsSync(path.join(dir, `catalog/erp-bridge/${ids[1]}.png`))).toBe(false);
    // Nothing pending is left to do.
    expect(await downloadPendingImages(env.ctx.db, dir)).toEqual({ done: 0, failed: 0 });
  });
});
