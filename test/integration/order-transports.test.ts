// The export's push transports (app/sync/order-transports.ts) on their own: the HTTP POST to the
// ERP (a real server on 127.0.0.1: what is sent, the ERP's document id read from its answer,
// which failures are retried, timeouts and unreachable hosts named without a stack), the file
// drop (written under a temporary name, then renamed; the name made safe; errors named), and
// which transports the settings choose. No database.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderDocument } from '../../app/erp/order-document.js';
import { sampleOrderDocument } from '../support/order-document.js';
import { ordersToXml } from '../../app/erp/order-formats.js';
import { DEFAULTS, type Settings } from '../../app/settings/schema.js';
import { fileTransport, httpTransport, pushTransports } from '../../app/sync/order-transports.js';
import { startFakeServer, type FakeServer, type Reply } from '../support/fake-http.js';

const doc = sampleOrderDocument;
const settings = (over: Partial<Settings> = {}): Settings => ({ ...structuredClone(DEFAULTS), webshop_id: 'bolt1', password: 'erp-pw', ...over });

describe('the HTTP transport', () => {
  let erp: FakeServer;
  let reply: (n: number) => Reply = () => ({ status: 201 });
  const url = () => `${erp.origin}/erp/orders?x=1`;
  const deliver = (over: Partial<Settings> = {}, d = doc(7), timeoutMs?: number) => httpTransport(settings({ export_url: url(), ...over }), timeoutMs).deliver(d);
  const answer = (r: Reply) => { reply = () => r; };

  beforeAll(async () => {
    erp = await startFakeServer((_req, n) => reply(n));
  });
  afterAll(async () => erp?.close());

  it('POSTs the order as XML once, with the webshop\'s credentials and an idempotency key per order', async () => {
    answer({ status: 201 });
    const before = erp.seen.length;
    const t = httpTransport(settings({ export_url: url() }));
    expect(t.name).toBe('http');
    expect(await t.deliver(doc(7))).toEqual({ ok: true, erpDocumentId: null });
    expect(erp.seen.length - before).toBe(1);
    const r = erp.seen.at(-1)!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/erp/orders?x=1');
    expect(r.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(r.headers.authorization).toBe('Basic ' + Buffer.from('bolt1:erp-pw').toString('base64'));
    expect(r.headers['idempotency-key']).toBe('erp-bridge-bolt1-order-7');
    expect(r.body).toBe(ordersToXml([doc(7)]));
    // Without a webshop id the key still names the order.
    await deliver({ webshop_id: '' }, doc(8));
    expect(erp.seen.at(-1)!.headers['idempotency-key']).toBe('erp-bridge-shop-order-8');
    expect(erp.seen.at(-1)!.headers.authorization).toBe('Basic ' + Buffer.from(':erp-pw').toString('base64'));
  });

  it('reads the ERP\'s document id from the X-Document-Id header first, cut to 128 characters', async () => {
    answer({ status: 200, headers: { 'X-Document-Id': 'HDR-1' }, body: '{"erpDocumentId":"BODY-1"}' });
    expect(await deliver()).toEqual({ ok: true, erpDocumentId: 'HDR-1' });
    answer({ status: 200, headers: { 'X-Document-Id': 'H'.repeat(200) } });
    expect(await deliver()).toEqual({ ok: true, erpDocumentId: 'H'.repeat(128) });
  });

  it('reads it from a JSON answer: erpDocumentId, documentId, bizonylatszam, id in that order, skipping null ones', async () => {
    const id = async (body: unknown) => {
      answer({ status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      const r = await deliver();
      expect(r.ok).toBe(true);
      return (r as { erpDocumentId: string | null }).erpDocumentId;
    };
    expect(await id({ id: 5, bizonylatszam: 'B-1', documentId: 'D-1', erpDocumentId: 'E-1' })).toBe('E-1');
    expect(await id({ id: 5, bizonylatszam: 'B-1', documentId: 'D-1' })).toBe('D-1');
    expect(await id({ id: 5, bizonylatszam: 'B-1', documentId: null })).toBe('B-1');
    expect(await id({ id: 5 })).toBe('5');
    expect(await id({ erpDocumentId: 0, id: 5 })).toBe('0');
    expect(await id({ erpDocumentId: null, documentId: undefined, id: false })).toBe('false');
    expect(await id({ bizonylatszam: 'X'.repeat(300) })).toBe('X'.repeat(128));
    expect(await id({ other: 'x' })).toBeNull();
    expect(await id(null)).toBeNull();
    expect(await id([])).toBeNull();
  });

  it('reads it from an XML answer (bizonylatszam, documentId or id), or none', async () => {
    const id = async (body: string) => {
      answer({ status: 201, headers: { 'Content-Type': 'application/xml' }, body });
      return ((await deliver()) as { erpDocumentId: string | null }).erpDocumentId;
    };
    expect(await id('<valasz><bizonylatszam>VR-77</bizonylatszam></valasz>')).toBe('VR-77');
    expect(await id('<a><documentId>D 9</documentId></a>')).toBe('D 9');
    expect(await id('<a><id>42</id><bizonylatszam>B</bizonylatszam></a>')).toBe('42');
    expect(await id('<a><bizonylatszam></bizonylatszam></a>')).toBeNull();
    expect(await id(`<a><id>${'9'.repeat(128)}</id></a>`)).toBe('9'.repeat(128));
    expect(await id(`<a><id>${'9'.repeat(129)}</id></a>`)).toBeNull();
    expect(await id('<a><szam>1</szam></a>')).toBeNull();
    expect(await id('<a><id>1')).toBeNull();
    expect(await id('')).toBeNull();
  });

  it('a refusal is not retried; 5xx, 408 and 429 are; the ERP\'s answer is quoted on one line, cut to 300 characters', async () => {
    const cases: Array<[number, boolean]> = [[500, true], [503, true], [599, true], [408, true], [429, true], [400, false], [404, false], [409, false], [422, false], [499, false]];
    for (const [status, retry] of cases) {
      answer({ status, body: 'unknown\n  article \t SKU-1 ' });
      expect(await deliver(), String(status)).toEqual({ ok: false, retry, error: `HTTP ${status}: unknown article SKU-1 ` });
    }
    answer({ status: 500, body: 'y'.repeat(400) });
    expect(await deliver()).toEqual({ ok: false, retry: true, error: `HTTP 500: ${'y'.repeat(300)}` });
    // A redirect is not followed into a success.
    answer({ status: 302, headers: { Location: '/elsewhere' }, body: 'moved' });
    const r = await deliver();
    expect(r.ok).toBe(false);
  });

  it('an ERP that does not answer in time is retried, named by host and seconds', async () => {
    answer('hang');
    const r = await deliver({}, doc(7), 250);
    expect(r).toEqual({ ok: false, retry: true, error: `cannot reach 127.0.0.1:${erp.port}: no answer within 0.25 s` });
  });

  it('an unreachable ERP is retried, named by host and the network\'s reason, without a stack', async () => {
    const closed = await startFakeServer(() => ({ status: 200 }));
    const port = closed.port;
    await closed.close();
    const r = await httpTransport(settings({ export_url: `http://127.0.0.1:${port}/x` })).deliver(doc(7));
    expect(r).toEqual({ ok: false, retry: true, error: `cannot reach 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}` });
    // A failure without a cause (credentials in the address: fetch refuses it) is named by its own message.
    const own = await httpTransport(settings({ export_url: `http://u:p@127.0.0.1:${port}/x` })).deliver(doc(7));
    expect(own.ok).toBe(false);
    expect(own).toMatchObject({ retry: true });
    expect((own as { error: string }).error).toMatch(new RegExp(`^cannot reach 127\\.0\\.0\\.1:${port}: Request cannot be constructed from a URL that includes credentials`));
    expect((own as { error: string }).error).not.toMatch(/\n\s+at /);
  });
});

describe('the file transport', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'erpb-transport-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes the order\'s XML into the folder (made with its parents), named by a safe order number, leaving no temporary file', async () => {
    const dir = path.join(root, 'a', 'b', 'drop');
    const t = fileTransport(settings({ export_dir: dir }));
    expect(t.name).toBe('file');
    const d = doc(9, 'INV/2026 9:á*x.y-z_1');
    expect(await t.deliver(d)).toEqual({ ok: true, erpDocumentId: null });
    expect(readdirSync(dir)).toEqual(['order-INV_2026_9___x.y-z_1.xml']);
    expect(readFileSync(path.join(dir, 'order-INV_2026_9___x.y-z_1.xml'), 'utf8')).toBe(ordersToXml([d]));
    // Again into the existing folder: replaced whole.
    const d2 = { ...d, internalNote: 'második' };
    expect(await t.deliver(d2)).toEqual({ ok: true, erpDocumentId: null });
    expect(readdirSync(dir)).toEqual(['order-INV_2026_9___x.y-z_1.xml']);
    expect(readFileSync(path.join(dir, 'order-INV_2026_9___x.y-z_1.xml'), 'utf8')).toBe(ordersToXml([d2]));
  });

  it('writes under the hidden temporary name first: when that name cannot be written, the final name never appears', async () => {
    const dir = path.join(root, 'tmp-blocked');
    mkdirSync(path.join(dir, '.order-INV-5.xml.tmp'), { recursive: true });
    const r = await fileTransport(settings({ export_dir: dir })).deliver(doc(5));
    expect(r).toEqual({ ok: false, retry: true, error: `cannot write into ${dir}: EISDIR` });
    expect(readdirSync(dir)).toEqual(['.order-INV-5.xml.tmp']);
  });

  it('a folder that cannot be made is retried with the system\'s code; a document that cannot be written, with its message', async () => {
    const file = path.join(root, 'a-file');
    writeFileSync(file, 'x');
    const r = await fileTransport(settings({ export_dir: path.join(file, 'sub') })).deliver(doc(5));
    expect(r).toEqual({ ok: false, retry: true, error: `cannot write into ${path.join(file, 'sub')}: ENOTDIR` });
    const dir = path.join(root, 'bad-doc');
    const broken = { ...doc(6), customer: null } as unknown as OrderDocument;
    const b = await fileTransport(settings({ export_dir: dir })).deliver(broken);
    expect(b).toEqual({ ok: false, retry: true, error: `cannot write into ${dir}: Cannot read properties of null (reading 'key')` });
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('the transports the settings choose', () => {
  const names = (over: Partial<Settings>) => pushTransports(settings(over)).map((t) => t.name);

  it('HTTP with an address, the file drop with a folder, both in that order; the feed alone pushes nothing', () => {
    expect(names({ export_transport: ['feed'], export_url: 'http://erp.test/o', export_dir: '/tmp/x' })).toEqual([]);
    expect(names({ export_transport: ['http'], export_url: 'http://erp.test/o', export_dir: '/tmp/x' })).toEqual(['http']);
    expect(names({ export_transport: ['http'], export_url: '' })).toEqual([]);
    expect(names({ export_transport: ['file'], export_url: 'http://erp.test/o', export_dir: '/tmp/x' })).toEqual(['file']);
    expect(names({ export_transport: ['file'], export_dir: '' })).toEqual([]);
    expect(names({ export_transport: ['file', 'http', 'feed'], export_url: 'http://erp.test/o', export_dir: '/tmp/x' })).toEqual(['http', 'file']);
    expect(names({ export_transport: ['http', 'file'], export_url: '', export_dir: '/tmp/x' })).toEqual(['file']);
  });

  it('hands its timeout to the HTTP transport', async () => {
    const erp = await startFakeServer(() => 'hang');
    try {
      const [t] = pushTransports(settings({ export_transport: ['http'], export_url: `${erp.origin}/o` }), 200);
      expect(await t!.deliver(doc(1))).toEqual({ ok: false, retry: true, error: `cannot reach 127.0.0.1:${erp.port}: no answer within 0.2 s` });
    } finally {
      await erp.close();
    }
  });
});
