// The background image downloads (app/sync/image-downloads.ts) called directly on each database,
// fetching from a real HTTP server on 127.0.0.1: which mappings are taken (pending, with a URL,
// lowest product first, up to the limit), what a download writes (the file under the shop's image
// folder, the product's image and date, the mapping's status), and each way one fails (status,
// type, size declared or streamed, no answer in time, no server), with the reason recorded. The
// mapping rows are written by hand; push-full-sync and images reach the module through a push.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_IMAGE_BYTES, downloadPendingImages } from '../../app/sync/image-downloads.js';
import { now } from '../../app/util/time.js';
import { TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { addProduct, product, uniqueCode } from '../support/shop.js';
import { pngBytes } from '../support/pictures.js';

const PNG = pngBytes(8, 8);
const OLD = '2026-01-01 10:00:00';

describe.each(TARGETS)('image downloads on $name', (target) => {
  let env: TargetEnv;
  let server: http.Server;
  let base: string;
  let dir: string;
  /** Called by the server for /hook (a test's own answer). */
  let hook: (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void> = (_q, res) => void res.writeHead(500).end();
  const db = () => env.ctx.db;
  const map = () => db().knex(db().own('product_map'));
  /** A product and its mapping row (as a full-sync push leaves it). */
  const pending = async (url: string | null, status: string | null = 'pending') => {
    const id = await addProduct(db(), { model: uniqueCode('IM') });
    await map().insert({ product_id: id, erp_code: `E${id}`, unit: '', image_url: url, image_status: status, image_error: null, updated_at: OLD });
    return id;
  };
  const mapping = async (id: number) => {
    const r = await map().where({ product_id: id }).first();
    return { url: r.image_url, status: r.image_status, error: r.image_error, updated: String(r.updated_at) };
  };
  const image = async (id: number) => {
    const p = await product(db(), id);
    return { image: p.image, modified: String(p.date_modified) };
  };
  const files = () => (existsSync(path.join(dir, 'catalog/erp-bridge')) ? readdirSync(path.join(dir, 'catalog/erp-bridge')).sort() : []);

  beforeAll(async () => {
    env = await openTarget(target);
    const big = Buffer.alloc(MAX_IMAGE_BYTES + 1, 7);
    server = http.createServer((req, res) => {
      const url = req.url ?? '';
      if (url === '/a.png') return void res.writeHead(200, { 'Content-Type': 'image/png' }).end(PNG);
      if (url === '/a.jpg') return void res.writeHead(200, { 'Content-Type': ' Image/JPEG ; charset=binary' }).end('jpeg bytes');
      if (url === '/a.gif') return void res.writeHead(200, { 'Content-Type': 'image/gif' }).end('gif bytes');
      if (url === '/a.webp') return void res.writeHead(200, { 'Content-Type': 'image/webp' }).end('webp bytes');
      if (url === '/moved') return void res.writeHead(302, { Location: '/a.png' }).end();
      if (url === '/page') return void res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html></html>');
      if (url === '/untyped') return void res.writeHead(200).end('bytes');
      if (url === '/long-type') return void res.writeHead(200, { 'Content-Type': `x/${'y'.repeat(300)}` }).end('bytes');
      if (url === '/gone') return void res.writeHead(410).end();
      if (url === '/exact') return void res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': String(MAX_IMAGE_BYTES) }).end(big.subarray(0, MAX_IMAGE_BYTES));
      if (url === '/exact-streamed') {
        res.writeHead(200, { 'Content-Type': 'image/png', 'Transfer-Encoding': 'chunked' });
        res.write(big.subarray(0, 1000));
        return void res.end(big.subarray(1000, MAX_IMAGE_BYTES));
      }
      if (url === '/declared-big') {
        // Declares one byte too many, sends a few and waits: refused on the header alone.
        res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': String(MAX_IMAGE_BYTES + 1) });
        return void res.write(big.subarray(0, 10));
      }
      if (url === '/streamed-big') {
        res.writeHead(200, { 'Content-Type': 'image/png', 'Transfer-Encoding': 'chunked' });
        res.write(big.subarray(0, 1000));
        return void res.end(big.subarray(1000));
      }
      if (url === '/silent') return; // never answers
      if (url === '/slow') return void setTimeout(() => res.writeHead(200, { 'Content-Type': 'image/gif' }).end('late gif'), 300);
      if (url.startsWith('/hook')) return void hook(req, res);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await env?.cleanup();
  });
  beforeEach(async () => {
    // Every test starts with no mapping at all: the downloads take any pending row of the shop.
    await map().del();
    dir = mkdtempSync(path.join(os.tmpdir(), 'erpb-imgdl-'));
    return () => rmSync(dir, { recursive: true, force: true });
  });

  it('downloads each image type into catalog/erp-bridge/<product>.<ext>, sets the product\'s image and date, and marks the mapping done', async () => {
    const urls = ['/a.png', '/a.jpg', '/a.gif', '/a.webp', '/moved'].map((u) => base + u);
    const ids: number[] = [];
    for (const u of urls) ids.push(await pending(u));
    const other = await addProduct(db(), { model: uniqueCode('IM') });
    const before = now();
    expect(await downloadPendingImages(db(), dir)).toEqual({ done: 5, failed: 0 });
    const after = now();
    const exts = ['png', 'jpg', 'gif', 'webp', 'png'];
    expect(files()).toEqual(ids.map((id, i) => `${id}.${exts[i]}`).sort());
    const bodies = [PNG, Buffer.from('jpeg bytes'), Buffer.from('gif bytes'), Buffer.from('webp bytes'), PNG];
    for (const [i, id] of ids.entries()) {
      const rel = `catalog/erp-bridge/${id}.${exts[i]}`;
      expect(readFileSync(path.join(dir, rel))).toEqual(bodies[i]);
      const img = await image(id);
      expect(img.image).toBe(rel);
      expect(img.modified >= before && img.modified <= after).toBe(true);
      const m = await mapping(id);
      expect(m).toMatchObject({ url: urls[i], status: 'done', error: null });
      expect(m.updated >= before && m.updated <= after).toBe(true);
    }
    expect(await image(other)).toEqual({ image: '', modified: OLD });
    // Nothing pending is left.
    expect(await downloadPendingImages(db(), dir)).toEqual({ done: 0, failed: 0 });
  });

  it('takes only pending mappings with a URL, lowest product first, up to the limit given (50 unless said)', async () => {
    const done = await pending(`${base}/a.png`, 'done');
    const failed = await pending(`${base}/a.png`, 'failed');
    const noUrl = await pending(null);
    const ids: number[] = [];
    for (let i = 0; i < 52; i++) ids.push(await pending(`${base}/gone`));
    // The lowest product's mapping written last: the lowest product still goes first.
    await map().where({ product_id: ids[0] }).del();
    await map().insert({ product_id: ids[0], erp_code: `E${ids[0]}`, unit: '', image_url: `${base}/a.gif`, image_status: 'pending', image_error: null, updated_at: OLD });
    expect(await downloadPendingImages(db(), dir, { limit: 1 })).toEqual({ done: 1, failed: 0 });
    expect(files()).toEqual([`${ids[0]}.gif`]);
    expect(await downloadPendingImages(db(), dir)).toEqual({ done: 0, failed: 50 });
    expect((await mapping(ids[50]!)).status).toBe('failed');
    expect((await mapping(ids[51]!)).status).toBe('pending');
    expect(await downloadPendingImages(db(), dir)).toEqual({ done: 0, failed: 1 });
    expect(await Promise.all([done, failed, noUrl].map(async (id) => (await mapping(id)).status))).toEqual(['done', 'failed', 'pending']);
    expect(await Promise.all([done, failed, noUrl].map(async (id) => (await image(id)).image))).toEqual(['', '', '']);
  });

  it('records why a download failed, keeps the product as it was and writes no file', async () => {
    const cases: Array<[string, string]> = [
      ['/missing.jpg', 'HTTP 404'],
      ['/gone', 'HTTP 410'],
      ['/page', 'not an image (text/html)'],
      ['/untyped', 'not an image (no content type)'],
      ['/long-type', `not an image (x/${'y'.repeat(300)})`.slice(0, 255)],
    ];
    const ids: number[] = [];
    for (const [u] of cases) ids.push(await pending(base + u));
    const before = now();
    expect(await downloadPendingImages(db(), dir)).toEqual({ done: 0, failed: cases.length });
    const after = now();
    for (const [i, id] of ids.entries()) {
      const m = await mapping(id);
      expect(m).toMatchObject({ status: 'failed', error: cases[i]![1] });
      expect(m.updated >= before && m.updated <= after).toBe(true);
      expect(await image(id)).toEqual({ image: '', modified: OLD });
    }
    expect(files()).toEqual([]);
  });

  it('takes an image of exactly 10 MB, declared or streamed, and refuses one byte more either way', async () => {
    const ids = [await pending(`${base}/exact`), await pending(`${base}/exact-streamed`), await pending(`${base}/declared-big`), await pending(`${base}/streamed-big`)];
    expect(await downloadPendingImages(db(), dir)).toEqual({ done: 2, failed: 2 });
    expect(await Promise.all(ids.map(mapping))).toMatchObject([
      { status: 'done', error: null }, { status: 'done', error: null },
      { status: 'failed', error: 'larger than 10 MB' }, { status: 'failed', error: 'larger than 10 MB' },
    ]);
    expect(readFileSync(path.join(dir, `catalog/erp-bridge/${ids[0]}.png`)).length).toBe(MAX_IMAGE_BYTES);
    expect(readFileSync(path.join(dir, `catalog/erp-bridge/${ids[1]}.png`)).length).toBe(MAX_IMAGE_BYTES);
    expect(files()).toEqual([`${ids[0]}.png`, `${ids[1]}.png`].sort());
  });

  it('gives up on a server that does not answer in time, names one that refuses the connection, and waits 20 s unless told', async () => {
    const silent = await pending(`${base}/silent`);
    // A port nothing listens on: a server just closed.
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const refused = await pending(`http://127.0.0.1:${port}/a.png`);
    const started = Date.now();
    expect(await downloadPendingImages(db(), dir, { timeoutMs: 200 })).toEqual({ done: 0, failed: 2 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await mapping(silent)).toMatchObject({ status: 'failed', error: 'no answer in time' });
    expect(await mapping(refused)).toMatchObject({ status: 'failed', error: `connect ECONNREFUSED 127.0.0.1:${port}` });
    // An answer after 300 ms comes in time without a timeout given.
    const slow = await pending(`${base}/slow`);
    expect(await downloadPendingImages(db(), dir)).toEqual({ done: 1, failed: 0 });
    expect(await image(slow)).toMatchObject({ image: `catalog/erp-bridge/${slow}.gif` });
  });

  it('leaves the mapping pending when a newer push changed its URL during the download', async () => {
    const ids: number[] = [];
    hook = async (req, res) => {
      // A push sets another URL for this product while its image is on the way.
      const id = Number(req.url!.split('/')[2]);
      await map().where({ product_id: id }).update({ image_url: `${base}/newer/${id}` });
      if (req.url!.endsWith('/ok')) res.writeHead(200, { 'Content-Type': 'image/png' }).end(PNG);
      else res.writeHead(404).end();
    };
    const okId = await pending(`${base}/a.png`);
    await map().where({ product_id: okId }).update({ image_url: `${base}/hook/${okId}/ok` });
    const badId = await pending(`${base}/a.png`);
    await map().where({ product_id: badId }).update({ image_url: `${base}/hook/${badId}/bad` });
    ids.push(okId, badId);
    expect(await downloadPendingImages(db(), dir)).toEqual({ done: 1, failed: 1 });
    expect(await mapping(okId)).toMatchObject({ url: `${base}/newer/${okId}`, status: 'pending', error: null, updated: OLD });
    expect(await mapping(badId)).toMatchObject({ url: `${base}/newer/${badId}`, status: 'pending', error: null, updated: OLD });
    // The file it got is the product's image until the newer one comes.
    expect((await image(okId)).image).toBe(`catalog/erp-bridge/${okId}.png`);
  });
});
