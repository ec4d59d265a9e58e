// The push service (app/sync/push-service.ts) called directly on each database, with whole and
// streamed bodies: the answer of a product and a category push (counts, records not applied in
// record order, fields, status), what the journal keeps of it, the size limit of each kind of
// body, the refusals before anything is read, the phases and percents reported, a lease taken
// over from a dead run, and how each failure is answered and journaled (the shop already changed
// or not). The HTTP suites reach it through the web app; push-streaming drives it with big
// documents. One prefix per database (DIALECT_TARGETS), as push-streaming: the prefix is the shop
// modules' concern, and StrykerJS re-runs this file for each mutant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushError, PushService, toPushError, type PushRequest } from '../../app/sync/push-service.js';
import { DocumentError } from '../../app/erp/errors.js';
import { LeaseBusyError } from '../../app/plugin/lease.js';
import { DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { addProduct, categoryIdOf, product, specials, uniqueCode, xmlDoc } from '../support/shop.js';
import { pngBytes } from '../support/pictures.js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const MB = 1024 * 1024;

describe.each(DIALECT_TARGETS)('the push service on $name', (target) => {
  let env: TargetEnv;
  let pushes: PushService;
  const db = () => env.ctx.db;
  const runRow = async (id: number) => {
    const r = await db().knex(db().own('journal_run')).where({ id }).first();
    return {
      kind: r.kind, actor: r.actor, status: r.status, http_status: r.http_status === null ? null : Number(r.http_status), dry_run: Number(r.dry_run), message: r.message,
      counts: Object.fromEntries(['received', 'updated', 'unchanged', 'created', 'unknown', 'ambiguous', 'invalid', 'ignored'].map((c) => [c, Number(r[c])])),
    };
  };
  const items = async (id: number) => (await pushes.journal.items(id)).map((i) => [Number(i.seq), i.code, i.outcome, i.reason]);
  const xml = (records: Array<Record<string, string | number>>, kind = 'prices') => Buffer.from(xmlDoc(records, kind === 'categories' ? 'kategoriak' : 'termekek', kind === 'categories' ? 'kategoria' : 'termek'));
  const push = (req: Partial<PushRequest> & Pick<PushRequest, 'kind' | 'body'>) => pushes.push({ actor: 'test', contentType: 'application/xml', ...req });
  const refusal = (p: Promise<unknown>) => p.then(() => { throw new Error('the push was not refused'); }, (e: PushError) => e);
  const lastRun = async () => Number((await db().knex(db().own('journal_run')).max({ m: 'id' }).first())!.m);
  async function* stream(...parts: Buffer[]) {
    for (const p of parts) yield p;
  }

  beforeAll(async () => {
    env = await openTarget(target);
    await env.ctx.settings.update({ sync_type: 'stock_price', max_body_mb: '1' });
    pushes = new PushService(db(), env.ctx.settings);
  });
  afterAll(async () => env?.cleanup());

  it('answers a product push: every count, the records not applied in record order, the fields of other URLs and unknown ones, partial; the journal keeps the same', async () => {
    const [changed, same, unknown] = [uniqueCode('PS'), uniqueCode('PS'), uniqueCode('PS')];
    const ids = [await addProduct(db(), { model: changed, price: 10 }), await addProduct(db(), { model: same, price: 10 })];
    const t0 = performance.now();
    const answer = await push({
      kind: 'prices',
      body: xml([
        { termekkod: unknown, ar: 5 },
        { termekkod: changed, ar: 12, szabadraktar: 3, zizi: 'x' },
        { termekkod: same, ar: 10 },
        { termekkod: same.toLowerCase() + 'x', ar: 'sok' },
        { termekkod: changed + 'y' },
      ]),
    });
    expect(answer).toEqual({
      run: expect.any(Number), kind: 'prices', dryRun: false, status: 'partial', format: 'xml', charset: 'utf-8',
      counts: { received: 5, updated: 1, unchanged: 1, created: 0, unknown: 1, ambiguous: 0, invalid: 1, ignored: 1 },
      ignoredFields: ['szabadraktar'], unknownFields: ['zizi'],
      notApplied: [
        { record: 1, code: unknown, outcome: 'unknown', reason: `no product has model "${unknown}"` },
        { record: 4, code: same.toLowerCase() + 'x', outcome: 'invalid', reason: 'ar "sok" is not a number' },
        { record: 5, code: changed + 'y', outcome: 'ignored', reason: 'no ar: nothing to apply' },
      ],
      durationMs: expect.any(Number),
    });
    const took = performance.now() - t0;
    expect(answer.durationMs).toBeGreaterThanOrEqual(0);
    expect(answer.durationMs).toBeLessThanOrEqual(Math.ceil(took) + 1);
    expect(await Promise.all(ids.map(async (id) => Number((await product(db(), id)).price)))).toEqual([12, 10]);
    expect(await runRow(answer.run)).toEqual({ kind: 'prices', actor: 'test', status: 'partial', http_status: 200, dry_run: 0, message: null, counts: answer.counts });
    expect(await items(answer.run)).toEqual(answer.notApplied.map((n) => [n.record, n.code, n.outcome, n.reason]));
  });

  it('answers ok when every record not applied was only ignored, and a dry run says so in the journal and writes nothing', async () => {
    const code = uniqueCode('PO');
    const id = await addProduct(db(), { model: code, price: 10, quantity: 2 });
    const ok = await push({ kind: 'promo-prices', body: xml([{ termekkod: code }]) });
    expect(ok).toMatchObject({ status: 'ok', counts: { received: 1, ignored: 1, updated: 0 }, notApplied: [{ record: 1, code, outcome: 'ignored', reason: 'no arakcios: specials left alone' }] });
    expect((await runRow(ok.run)).status).toBe('ok');
    const dry = await push({ kind: 'stock', body: xml([{ termekkod: code, szabadraktar: 9 }]), dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, status: 'ok', counts: { received: 1, updated: 1 } });
    expect(await runRow(dry.run)).toMatchObject({ dry_run: 1, status: 'ok', message: 'dry run: nothing was written' });
    expect(Number((await product(db(), id)).quantity)).toBe(2);
    const promoDry = await push({ kind: 'promo-prices', body: xml([{ termekkod: code, arakcios: 5 }]), dryRun: true });
    expect(promoDry.counts).toMatchObject({ updated: 1 });
    expect(await specials(db(), id)).toEqual([]);
  });

  it('quotes what the ERP sent cut: a code at 255 characters, a field name at 64', async () => {
    const long = `L${'x'.repeat(299)}`;
    const field = `f${'y'.repeat(99)}`;
    const answer = await push({ kind: 'stock', body: xml([{ termekkod: long, szabadraktar: 1, [field]: 1 }]) });
    expect(answer.notApplied).toHaveLength(1);
    expect(answer.notApplied[0]!.code).toBe(`${long.slice(0, 255)}… (300 characters)`);
    expect(answer.unknownFields).toEqual([`${field.slice(0, 64)}… (100 characters)`]);
  });

  it('takes a whole body of exactly the limit, handed on in pieces, and refuses one byte more, whole or streamed, journaling the refusal', async () => {
    const code = uniqueCode('PL');
    const id = await addProduct(db(), { model: code, quantity: 1 });
    const doc = xml([{ termekkod: code, szabadraktar: 4 }]).toString();
    const exact = Buffer.from(doc.replace('<termekek>', `<termekek>${' '.repeat(MB - Buffer.byteLength(doc))}`));
    expect(exact.length).toBe(MB);
    expect((await push({ kind: 'stock', body: exact })).counts).toMatchObject({ received: 1, updated: 1 });
    expect(Number((await product(db(), id)).quantity)).toBe(4);
    const over = Buffer.concat([exact, Buffer.from(' ')]);
    const whole = await refusal(push({ kind: 'stock', body: over }));
    expect(whole).toMatchObject({ status: 413, message: `the document is ${MB + 1} bytes, over the limit of 1 MB (setting max_body_mb)`, run: await lastRun() });
    expect(await runRow(whole.run!)).toMatchObject({ status: 'rejected', http_status: 413, message: whole.message });
    const streamed = await refusal(push({ kind: 'stock', body: stream(over.subarray(0, 1000), over.subarray(1000)) }));
    expect(streamed).toMatchObject({ status: 413, message: 'the body is over the limit of 1 MB (setting max_body_mb)' });
    // Streamed, exactly the limit: taken.
    expect((await push({ kind: 'stock', body: stream(exact.subarray(0, 10), exact.subarray(10)) })).counts).toMatchObject({ received: 1, unchanged: 1 });
  });

  it('categories: refused with 409 in stock-and-price sync before anything is read; in full sync applied and answered with the document\'s format', async () => {
    const code = uniqueCode('PC');
    const refused = await refusal(push({ kind: 'categories', body: xml([{ kod: code, nev: 'Kat' }], 'categories') }));
    expect(refused).toMatchObject({ status: 409, message: 'category sync needs the full sync type; the sync type is "stock and price" (setting sync_type)' });
    expect(await runRow(refused.run!)).toMatchObject({ kind: 'categories', status: 'rejected', http_status: 409 });
    await env.ctx.settings.update({ sync_type: 'full' });
    try {
      const body = Buffer.from(JSON.stringify({ kategoriak: [{ kod: code, nev: 'Kat', extra: 1 }, { kod: '', nev: 'Nincs' }, { kod: uniqueCode('PC'), szulo: 'NOPE', nev: 'Árva' }] }));
      const answer = await push({ kind: 'categories', body, contentType: 'application/json' });
      expect(answer).toMatchObject({
        kind: 'categories', format: 'json', charset: 'utf-8', status: 'partial',
        counts: { received: 3, created: 1, invalid: 2, updated: 0, unchanged: 0 }, unknownFields: ['extra'], ignoredFields: [],
      });
      expect(answer.notApplied.map((n) => [n.record, n.outcome])).toEqual([[2, 'invalid'], [3, 'invalid']]);
      expect(await categoryIdOf(db(), code)).toBeGreaterThan(0);
      expect(await items(answer.run)).toHaveLength(2);
      // A category push's dry run creates nothing.
      const mapped = await db().knex(db().own('category_map')).count({ n: '*' }).first();
      const dryCode = uniqueCode('PC');
      const dry = await push({ kind: 'categories', body: xml([{ kod: dryCode, nev: 'Száraz' }], 'categories'), dryRun: true });
      expect(dry).toMatchObject({ dryRun: true, counts: { received: 1, created: 1 } });
      expect(await db().knex(db().own('category_map')).count({ n: '*' }).first()).toEqual(mapped);
      expect(await categoryIdOf(db(), dryCode)).toBeUndefined();
    } finally {
      await env.ctx.settings.update({ sync_type: 'stock_price' });
    }
  });

  it('full sync: a kat the ERP never sent refuses the record, a known one is taken', async () => {
    await env.ctx.settings.update({ sync_type: 'full' });
    try {
      const cat = uniqueCode('PK');
      await push({ kind: 'categories', body: xml([{ kod: cat, nev: 'Ismert' }], 'categories') });
      const [a, b, c] = [uniqueCode('PK'), uniqueCode('PK'), uniqueCode('PK')];
      const answer = await push({ kind: 'prices', body: xml([{ termekkod: a, nev: 'A', ar: 1, kat: cat }, { termekkod: b, nev: 'B', ar: 1, kat: 'SOHA' }, { termekkod: c, nev: 'C', ar: 1 }]) });
      expect(answer.counts).toMatchObject({ received: 3, created: 2, invalid: 1 });
      expect(answer.notApplied).toEqual([{ record: 2, code: b, outcome: 'invalid', reason: 'kat "SOHA" is not a category the ERP has sent (push the categories first)' }]);
      const made = await db().knex(db().t('product')).whereIn('model', [a, b, c]).orderBy('model').pluck('model');
      expect(made).toEqual([a, c].sort());
    } finally {
      await env.ctx.settings.update({ sync_type: 'stock_price' });
    }
  });

  it('full sync: stores pictures sent as data in the shop\'s image folder before the products point at them, never in a dry run', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'erpb-pics-'));
    await env.ctx.settings.update({ sync_type: 'full' });
    try {
      const withDir = new PushService(db(), env.ctx.settings, { imageDir: dir });
      const picture = `data:image/png;base64,${pngBytes(4, 4).toString('base64')}`;
      const [dry, real] = [uniqueCode('PI'), uniqueCode('PI')];
      const dryAnswer = await withDir.push({ kind: 'prices', actor: 'test', contentType: 'application/xml', dryRun: true, body: xml([{ termekkod: dry, nev: 'Kép', ar: 1, kep: picture }]) });
      expect(dryAnswer.counts).toMatchObject({ created: 1, invalid: 0 });
      expect(existsSync(path.join(dir, 'catalog'))).toBe(false);
      const answer = await withDir.push({ kind: 'prices', actor: 'test', contentType: 'application/xml', body: xml([{ termekkod: real, nev: 'Kép', ar: 1, kep: picture }]) });
      expect(answer.counts).toMatchObject({ created: 1, invalid: 0 });
      const image = String((await db().knex(db().t('product')).where({ model: real }).first('image')).image);
      expect(image).toMatch(/^catalog\/erp-bridge\/.+\.png$/);
      expect(existsSync(path.join(dir, image))).toBe(true);
      // Without the folder, a picture sent as data is refused.
      const none = await push({ kind: 'prices', body: xml([{ termekkod: uniqueCode('PI'), nev: 'Kép', ar: 1, kep: picture }]) });
      expect(none.counts).toMatchObject({ created: 0, invalid: 1 });
    } finally {
      await env.ctx.settings.update({ sync_type: 'stock_price' });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports reading (with the percent of the size given), matching and writing to 100% in the journal', async () => {
    const code = uniqueCode('PP');
    await addProduct(db(), { model: code, quantity: 1 });
    const seen: Array<[string | undefined, number, number | undefined]> = [];
    const original = pushes.journal.progress.bind(pushes.journal);
    pushes.journal.progress = async (run, n, phase, percent) => {
      seen.push([phase, n, percent]);
      await original(run, n, phase, percent);
    };
    try {
      const body = xml([{ termekkod: code, szabadraktar: 5 }, { termekkod: uniqueCode('PP'), szabadraktar: 1 }]);
      await push({ kind: 'stock', body, size: body.length * 4 });
      expect(seen).toEqual([['reading', 2, 25], ['matching', 2, 0], ['writing', 2, 0], ['writing', 2, 100]]);
      seen.length = 0;
      // Without a size, no percent while reading; a step below 100% within half a second of the last report is not written.
      await push({ kind: 'promo-prices', body: xml([{ termekkod: code, arakcios: 1 }]) });
      expect(seen).toEqual([['reading', 1, undefined], ['matching', 1, 0], ['writing', 1, 0]]);
    } finally {
      pushes.journal.progress = original;
    }
  });

  it('takes over the lease of a run that died, and closes that run as interrupted', async () => {
    const dead = await pushes.journal.start('stock', 'erp 192.0.2.1');
    await db().knex(db().own('lease')).where({ name: 'push:stock' }).del();
    await db().knex(db().own('lease')).insert({ name: 'push:stock', holder: `run:${dead}`, expires_at: 1 });
    const code = uniqueCode('PT');
    await addProduct(db(), { model: code });
    const answer = await push({ kind: 'stock', body: xml([{ termekkod: code, szabadraktar: 1 }]) });
    expect((await runRow(dead)).status).toBe('interrupted');
    expect((await runRow(answer.run)).status).toBe('ok');
    expect(await db().knex(db().own('lease')).where({ name: 'push:stock' }).first('holder')).toEqual({ holder: null });
  });

  it('answers and journals each failure: a broken document 400 (rejected), a crash 500 with a reference (failed), after the shop was changed saying so', async () => {
    const code = uniqueCode('PF');
    const id = await addProduct(db(), { model: code, quantity: 1 });
    const broken = await refusal(push({ kind: 'stock', body: Buffer.from('<termekek><termek><termekkod>X</termekkod>') }));
    expect(broken.status).toBe(400);
    expect(await runRow(broken.run!)).toMatchObject({ status: 'rejected', http_status: 400, message: broken.message });
    let holder: unknown;
    const crash = await refusal(push({ kind: 'stock', body: xml([{ termekkod: code, szabadraktar: 2 }]), checkpoint: async (s) => {
      // The run holds its URL's lease under its own number while it works.
      holder = (await db().knex(db().own('lease')).where({ name: 'push:stock' }).first('holder'))?.holder;
      if (s === 'loaded') throw new Error('crash at loaded');
    } }));
    expect(holder).toBe(`run:${crash.run}`);
    expect(crash).toMatchObject({ status: 500, detail: 'crash at loaded', message: `internal error (reference ${crash.ref}; the details are in the log)` });
    expect(await runRow(crash.run!)).toMatchObject({ status: 'failed', http_status: 500, message: crash.message, counts: { received: 0, updated: 0, unchanged: 0, created: 0, unknown: 0, ambiguous: 0, invalid: 0, ignored: 0 } });
    expect(Number((await product(db(), id)).quantity)).toBe(1);
    // The shop written, then the journal fails: the answer says what was changed, the run keeps the counts.
    const addItems = pushes.journal.addItems;
    pushes.journal.addItems = async () => { throw new Error('journal full'); };
    try {
      const late = await refusal(push({ kind: 'stock', body: xml([{ termekkod: code, szabadraktar: 3 }, { termekkod: uniqueCode('PF'), szabadraktar: 1 }]) }));
      expect(late).toMatchObject({ status: 500, detail: 'journal full', message: `internal error (reference ${late.ref}; the details are in the log); the shop was already changed: updated 1, created 0` });
      expect(await runRow(late.run!)).toMatchObject({ status: 'failed', http_status: 500, counts: { received: 2, updated: 1, unknown: 1 } });
      expect(Number((await product(db(), id)).quantity)).toBe(3);
      // Only created (full sync): said too.
      await env.ctx.settings.update({ sync_type: 'full' });
      try {
        const made = await refusal(push({ kind: 'prices', body: xml([{ termekkod: uniqueCode('PF'), nev: 'Új', ar: 1 }]) }));
        expect(made.message).toBe(`internal error (reference ${made.ref}; the details are in the log); the shop was already changed: updated 0, created 1`);
      } finally {
        await env.ctx.settings.update({ sync_type: 'stock_price' });
      }
      // Nothing changed (a resend): no such sentence.
      const same = await refusal(push({ kind: 'stock', body: xml([{ termekkod: code, szabadraktar: 3 }]) }));
      expect(same.message).toBe(`internal error (reference ${same.ref}; the details are in the log)`);
      // A dry run never changed the shop.
      const dry = await refusal(push({ kind: 'stock', body: xml([{ termekkod: code, szabadraktar: 8 }]), dryRun: true }));
      expect(dry.message).toBe(`internal error (reference ${dry.ref}; the details are in the log)`);
      expect(await runRow(dry.run!)).toMatchObject({ status: 'failed', counts: { received: 0, updated: 0 } });
    } finally {
      pushes.journal.addItems = addItems;
    }
  });

  it('answers 503 with a retry when the journal cannot be started because the database is gone, and passes any other error on', async () => {
    const start = pushes.journal.start;
    try {
      pushes.journal.start = async () => { throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }); };
      const gone = await refusal(push({ kind: 'stock', body: xml([]) }));
      expect(gone).toBeInstanceOf(PushError);
      expect(gone).toMatchObject({ status: 503, run: null, retryAfter: 30, message: 'the shop database is unavailable: the database server refused the connection (is it running, and is the host/port right?)' });
      const other = new Error('something else');
      pushes.journal.start = async () => { throw other; };
      expect(await refusal(push({ kind: 'stock', body: xml([]) }))).toBe(other);
    } finally {
      pushes.journal.start = start;
    }
  });

  it('journals a call refused before its document was read', async () => {
    const run = await pushes.reject('orders', 'erp 192.0.2.9', 401, 'wrong key');
    expect(await runRow(run!)).toMatchObject({ kind: 'orders', actor: 'erp 192.0.2.9', status: 'rejected', http_status: 401, message: 'wrong key' });
  });

  it('turns any failure into the answer the ERP gets', () => {
    const own = new PushError(418, 'own', 7);
    expect(toPushError(own, 1)).toBe(own);
    expect(toPushError(new DocumentError(415, 'not a document type'), 3)).toMatchObject({ status: 415, message: 'not a document type', run: 3 });
    expect(toPushError(new LeaseBusyError('push:stock'), 4)).toMatchObject({ status: 503, message: 'another push to this URL is still running; try again shortly', run: 4, retryAfter: 30 });
    expect(toPushError(new LeaseBusyError('x'), 4, 'busy now')).toMatchObject({ status: 503, message: 'busy now' });
    expect(toPushError(Object.assign(new Error('x'), { code: 'ENOTFOUND' }), 5)).toMatchObject({ status: 503, retryAfter: 30, run: 5, message: 'the shop database is unavailable: the database host name could not be resolved' });
    const internal = toPushError(new Error('z'.repeat(3000)), 6);
    expect(internal).toMatchObject({ name: 'PushError', status: 500, run: 6, retryAfter: undefined, detail: 'z'.repeat(2000) });
    expect(internal.message).toBe(`internal error (reference ${internal.ref}; the details are in the log)`);
    expect(internal.ref).toMatch(/\S/);
    expect(toPushError('plain text', 8)).toMatchObject({ status: 500, detail: 'plain text' });
  });
});
