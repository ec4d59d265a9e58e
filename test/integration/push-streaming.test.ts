// A push is read as it arrives, in batches of records (BATCH_RECORDS): whole-document promises
// must hold across batches. A code that stands twice far apart is still caught, a document
// broken after thousands of good records still writes nothing, the run's phase and percent are
// recorded as it goes, and the product index kept warm between pushes follows every change made
// behind erp-bridge's back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { BATCH_RECORDS } from '../../app/erp/document.js';
import { PushError, PushService } from '../../app/sync/push-service.js';
import { BATCHES_WAITING, CHUNKS_IN_FLIGHT, readingSessions, stopReadingThread } from '../../app/sync/reading-thread.js';
import { STAGE_WHILE_READING, WAIT_LIMIT } from '../../app/sync/apply-products.js';
import { createApp } from '../../app/web/server.js';
import { addDays, today } from '../../app/util/time.js';
import { DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import request from 'supertest';
import { KEY, addProduct, addSpecial, product, pushXml, specials, uniqueCode, xmlDoc } from '../support/shop.js';
import { loginWithForm } from '../support/admin-forms.js';

const records = (n: number, at: Record<number, Record<string, string | number>>, make: (i: number) => Record<string, string | number>) =>
  Array.from({ length: n }, (_, i) => at[i] ?? make(i));

function xml(recs: Array<Record<string, string | number>>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<termekek>\n${recs.map((r) => `<termek>${Object.entries(r).map(([k, v]) => `<${k}>${v}</${k}>`).join('')}</termek>`).join('\n')}\n`;
}

describe.each(DIALECT_TARGETS)('pushes read as they arrive on $name', (target) => {
  let env: TargetEnv;
  let app: Express;
  const db = () => env.ctx.db;
  beforeAll(async () => {
    env = await openTarget(target, { ADMIN_PASSWORD: 'Admin-jelszo-2026' });
    await env.ctx.settings.update({ import_password: KEY, vat_map: '27=9' });
    app = createApp(env.ctx);
  });
  afterAll(async () => env?.cleanup());

  const far = BATCH_RECORDS + 2500;

  it('refuses a code standing twice in different batches (both records, naming both) and applies the rest', async () => {
    const twin = uniqueCode('TW');
    const other = uniqueCode('OK');
    const twinId = await addProduct(db(), { model: twin, price: 100, quantity: 1 });
    const otherId = await addProduct(db(), { model: other, price: 100, quantity: 1 });
    const doc = records(far + 10, { 1: { termekkod: twin, ar: 111, szabadraktar: 7 }, [far]: { termekkod: twin, ar: 222, szabadraktar: 8 }, [far + 5]: { termekkod: other, ar: 333, szabadraktar: 9 } }, (i) => ({ termekkod: `NOPE-${i}`, ar: 1, szabadraktar: 1 }));
    for (const kind of ['prices', 'stock'] as const) {
      const res = await pushXml(app, kind, doc);
      expect(res.status).toBe(200);
      const twins = res.body.notApplied.filter((n: { code: string }) => n.code === twin);
      expect(twins).toEqual([
        { record: 2, code: twin, outcome: 'invalid', reason: `the code stands 2 times in the document (records 2, ${far + 1}): none of them is applied` },
        { record: far + 1, code: twin, outcome: 'invalid', reason: `the code stands 2 times in the document (records 2, ${far + 1}): none of them is applied` },
      ]);
      expect(res.body.counts).toMatchObject({ received: far + 10, updated: 1, invalid: 2, unknown: far + 7 });
    }
    expect(await product(db(), twinId)).toMatchObject({ price: expect.anything(), quantity: 1 });
    expect(Number((await product(db(), twinId)).price)).toBe(100);
    expect(Number((await product(db(), otherId)).price)).toBe(333);
    expect(Number((await product(db(), otherId)).quantity)).toBe(9);

    // Promo prices (staged in SQL) catch it the same way.
    const promo = records(far + 2, { 0: { termekkod: other, arakcios: 50 }, [far + 1]: { termekkod: other, arakcios: 60 } }, (i) => ({ termekkod: `NOPE-${i}`, arakcios: 1 }));
    const res = await pushXml(app, 'promo-prices', promo);
    expect(res.body.notApplied.filter((n: { code: string }) => n.code === other).map((n: { record: number; outcome: string }) => [n.record, n.outcome])).toEqual([[1, 'invalid'], [far + 2, 'invalid']]);
    expect(await specials(db(), otherId)).toEqual([]);
  });

  it('promo prices of a big push, staged in parts while it is read, answer and write as a small push would', async () => {
    // Past STAGE_WHILE_READING the records are staged while the document is read; what comes
    // after the last part, and twins found after their first record was staged, are settled at the end.
    const n = 2 * STAGE_WHILE_READING + 3 * BATCH_RECORDS;
    const at = { early: 3, late: n - 3 };
    const [earlyTwin, lateTwin, same, changed, ended, late] = ['ET', 'LT', 'SA', 'CH', 'EN', 'LA'].map((t) => uniqueCode(t)) as [string, string, string, string, string, string];
    const ids = await Promise.all([earlyTwin, lateTwin, same, changed, ended, late].map((model) => addProduct(db(), { model, price: 100 })));
    const groups = (await db().knex(db().t('customer_group')).pluck('customer_group_id')).map(Number);
    const running = '2026-01-05';
    for (const g of groups) {
      await addSpecial(db(), { product_id: ids[2]!, customer_group_id: g, priority: 10, price: 70, date_start: running, date_end: '0000-00-00' });
      await addSpecial(db(), { product_id: ids[4]!, customer_group_id: g, priority: 10, price: 60, date_start: running, date_end: '0000-00-00' });
    }
    const doc = records(n, {
      [at.early]: { termekkod: earlyTwin, arakcios: 11 },
      [at.early + 1]: { termekkod: same, arakcios: 70 },
      [at.early + 2]: { termekkod: ended, arakcios: 0 },
      [STAGE_WHILE_READING + 7]: { termekkod: earlyTwin, arakcios: 12 },
      [STAGE_WHILE_READING + 8]: { termekkod: lateTwin, arakcios: 21 },
      [at.late - 1]: { termekkod: changed, arakcios: 80 },
      [at.late]: { termekkod: lateTwin, arakcios: 22 },
      [at.late + 1]: { termekkod: late, arakcios: 90 },
    }, (i) => ({ termekkod: `NOPE-${i}`, arakcios: 1 }));
    const res = await pushXml(app, 'promo-prices', doc);
    expect(res.status).toBe(200);
    expect(res.body.counts).toMatchObject({ received: n, updated: 3, unchanged: 1, invalid: 4, unknown: n - 8 });
    expect(res.body.notApplied.filter((x: { outcome: string }) => x.outcome === 'invalid').map((x: { record: number; code: string }) => [x.record, x.code])).toEqual([
      [at.early + 1, earlyTwin], [STAGE_WHILE_READING + 8, earlyTwin], [STAGE_WHILE_READING + 9, lateTwin], [at.late + 1, lateTwin],
    ]);
    const promo = async (id: number) => (await specials(db(), id)).filter((r) => Number(r.priority) === 10).map((r) => [Number(r.price), r.date_start, r.date_end]);
    const yesterday = addDays(today(), -1);
    expect(await promo(ids[0]!)).toEqual([]);
    expect(await promo(ids[1]!)).toEqual([]);
    expect(await promo(ids[2]!)).toEqual(groups.map(() => [70, running, '0000-00-00']));
    expect(await promo(ids[3]!)).toEqual(groups.map(() => [80, today(), '0000-00-00']));
    expect(await promo(ids[4]!)).toEqual(groups.map(() => [60, running, yesterday]));
    expect(await promo(ids[5]!)).toEqual(groups.map(() => [90, today(), '0000-00-00']));
    // The stage is left empty.
    expect(Number((await db().knex(db().own('stage_promo_prices')).count({ n: '*' }).first())!.n)).toBe(0);
  });

  it('full sync of a big push, staged in parts while it is read, answers and writes as a small push would: twins, a refused category and created products', async () => {
    // Past STAGE_WHILE_READING full sync is staged while it is read too: a record refused only
    // once the document is whole (a twin, a category the ERP never sent) leaves the stage again.
    const n = 2 * STAGE_WHILE_READING + 3 * BATCH_RECORDS;
    const [earlyTwin, lateTwin, changed, made, badKat] = ['ET', 'LT', 'CH', 'MA', 'BK'].map((t) => uniqueCode(t)) as [string, string, string, string, string];
    const [twinId, changedId] = await Promise.all([earlyTwin, changed].map((model) => addProduct(db(), { model, price: 100, name: 'Régi' })));
    const doc = records(n, {
      3: { termekkod: earlyTwin, ar: 11, nev: 'Iker' },
      5: { termekkod: badKat, ar: 12, nev: 'Nincs ilyen kategória', kat: 'NINCS-KAT' },
      [STAGE_WHILE_READING + 7]: { termekkod: earlyTwin, ar: 13, nev: 'Iker' },
      [STAGE_WHILE_READING + 8]: { termekkod: lateTwin, ar: 14, nev: 'Késő iker' },
      [n - 4]: { termekkod: changed, ar: 80, nev: 'Új név' },
      [n - 3]: { termekkod: lateTwin, ar: 15, nev: 'Késő iker' },
      [n - 2]: { termekkod: made, ar: 90, nev: 'Új termék' },
    }, (i) => ({ termekkod: `NOPE-${i}`, ar: 1 }));
    await env.ctx.settings.update({ sync_type: 'full' });
    try {
      const res = await pushXml(app, 'prices', doc);
      expect(res.status).toBe(200);
      expect(res.body.counts).toMatchObject({ received: n, updated: 1, created: 1, invalid: 5, unknown: n - 7 });
      expect(res.body.notApplied.filter((x: { outcome: string }) => x.outcome === 'invalid').map((x: { record: number; code: string }) => [x.record, x.code])).toEqual([
        [4, earlyTwin], [6, badKat], [STAGE_WHILE_READING + 8, earlyTwin], [STAGE_WHILE_READING + 9, lateTwin], [n - 2, lateTwin],
      ]);
    } finally {
      await env.ctx.settings.update({ sync_type: 'stock_price' });
    }
    expect(Number((await product(db(), twinId)).price)).toBe(100);
    expect(Number((await product(db(), changedId)).price)).toBe(80);
    const byModel = async (model: string) => db().knex(db().t('product')).where({ model }).pluck('product_id');
    expect(await byModel(lateTwin)).toEqual([]);
    expect(await byModel(badKat)).toEqual([]);
    const [madeId] = await byModel(made);
    expect(Number((await product(db(), madeId)).price)).toBe(90);
    const name = async (id: number) => (await db().knex(db().t('product_description')).where({ product_id: id }).pluck('name'))[0];
    expect([await name(changedId), await name(madeId)]).toEqual(['Új név', 'Új termék']);
    expect(Number((await db().knex(db().own('stage_prices')).count({ n: '*' }).first())!.n)).toBe(0);
  });

  it('counts a product whose code stands twice neither matched nor unchanged, also when one of its records has no valid value', async () => {
    // Records are counted, not kept, as they are matched: the twin's records (valued or not), the
    // unchanged, the changed and the refused product must each land in their own count.
    const [twin, same, changed, refused] = ['TV', 'SA', 'CH', 'RF'].map((t) => uniqueCode(t)) as [string, string, string, string];
    const ids = await Promise.all([twin, same, changed, refused].map((model) => addProduct(db(), { model, price: 100, quantity: 4 })));
    for (const [kind, field, bad] of [['prices', 'ar', 'x'], ['stock', 'szabadraktar', 'x']] as const) {
      const doc = [
        { termekkod: twin, [field]: 111 },
        { termekkod: same, [field]: kind === 'prices' ? 100 : 4 },
        { termekkod: twin, [field]: bad },
        { termekkod: changed, [field]: 7 },
        { termekkod: refused, [field]: bad },
        ...Array.from({ length: far }, (_, i) => ({ termekkod: `NOPE-${i}`, [field]: 1 })),
        { termekkod: twin, [field]: 5 },
      ];
      const res = await pushXml(app, kind, doc);
      expect(res.status).toBe(200);
      expect(res.body.counts).toMatchObject({ received: far + 6, updated: 1, unchanged: 1, invalid: 4, unknown: far });
      expect(res.body.notApplied.filter((n: { code: string }) => n.code === twin).map((n: { record: number }) => n.record)).toEqual([1, 3, far + 6]);
    }
    const [t, , c] = await Promise.all(ids.map((id) => product(db(), id)));
    expect([Number(t!.price), Number(t!.quantity), Number(c!.price), Number(c!.quantity)]).toEqual([100, 4, 7, 7]);
  });

  it.each(['prices', 'stock', 'promo-prices'])('%s: a document broken after thousands of good records writes nothing', async (kind) => {
    const codes = [uniqueCode('BR'), uniqueCode('BR')];
    const ids = [await addProduct(db(), { model: codes[0]!, price: 100, quantity: 1 }), await addProduct(db(), { model: codes[1]!, price: 100, quantity: 1 })];
    const value = (i: number) => ({ ar: 500 + i, szabadraktar: 50 + i, arakcios: 40 + i });
    const doc = records(3 * BATCH_RECORDS, { 0: { termekkod: codes[0]!, ...value(0) }, [2 * BATCH_RECORDS]: { termekkod: codes[1]!, ...value(1) } }, (i) => ({ termekkod: `NOPE-${i}`, ...value(i) }));
    const body = `${xml(doc)}<termek><termekkod>X</termekkod><ar>1</ar></termek>`; // no </termekek>
    const before = await Promise.all(ids.map((id) => product(db(), id)));
    const res = await pushXml(app, kind, []).set('Content-Type', 'application/xml').send(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/^malformed XML at line \d+/);
    expect(await Promise.all(ids.map((id) => product(db(), id)))).toEqual(before);
    for (const id of ids) expect(await specials(db(), id)).toEqual([]);
    const run = await db().knex(db().own('journal_run')).orderBy('id', 'desc').first();
    expect(run).toMatchObject({ kind, status: 'rejected', http_status: 400, updated: 0, created: 0 });
  });

  it.each([
    ['promo prices', 'promo-prices', 'stage_promo_prices', 'stock_price', { arakcios: 55 }],
    ['full sync', 'prices', 'stage_prices', 'full', { ar: 55, nev: 'Új' }],
  ] as const)('%s: a big push stages records while its body still arrives; a document broken after that writes nothing and leaves the stage empty', async (_name, kind, stage, syncType, values) => {
    const pushes = new PushService(db(), env.ctx.settings);
    const code = uniqueCode('SB');
    const id = await addProduct(db(), { model: code, price: 100 });
    const good = xml(records(STAGE_WHILE_READING + BATCH_RECORDS, { 2: { termekkod: code, ...values } }, (i) => ({ termekkod: `NOPE-${i}`, ...(kind === 'promo-prices' ? { arakcios: 1 } : { ar: 1 }) })));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* body() {
      yield Buffer.from(good);
      await gate;
      yield Buffer.from('<termek><termekkod>X</termekkod><arakcios>1</arakcios></termek>'); // and no </termekek>
    }
    const stageRows = async () => Number((await db().knex(db().own(stage)).count({ n: '*' }).first())!.n);
    await env.ctx.settings.update({ sync_type: syncType });
    try {
      const pushing = pushes.push({ kind, body: body(), size: good.length + 80, contentType: 'application/xml', actor: 'test' }).then(
        () => null,
        (e: unknown) => e as { status: number; message: string },
      );
      // While the rest of the body has not come, the first part is in the stage already.
      let n = 0;
      for (let i = 0; i < 200 && n < STAGE_WHILE_READING; i++) {
        await new Promise((r) => setTimeout(r, 25));
        n = await stageRows();
      }
      expect(n).toBeGreaterThanOrEqual(STAGE_WHILE_READING);
      release();
      const refused = await pushing;
      expect(refused).toMatchObject({ status: 400, message: expect.stringMatching(/^malformed XML/) });
    } finally {
      release();
      await env.ctx.settings.update({ sync_type: 'stock_price' });
    }
    expect(await specials(db(), id)).toEqual([]);
    expect(Number((await product(db(), id)).price)).toBe(100);
    expect(await stageRows()).toBe(0);
  });

  it('records the phases of a running push (reading with its percent, matching, writing to 100%) in the journal', async () => {
    const pushes = new PushService(db(), env.ctx.settings);
    const code = uniqueCode('PH');
    await addProduct(db(), { model: code, price: 100 });
    const doc = Buffer.from(xml(records(2 * BATCH_RECORDS + 10, { 3: { termekkod: code, ar: 777 } }, (i) => ({ termekkod: `NOPE-${i}`, ar: 1 }))) + '</termekek>\n');
    const seen: Array<{ phase?: string; percent?: number; records: number }> = [];
    const original = pushes.journal.progress.bind(pushes.journal);
    pushes.journal.progress = async (run, n, phase, percent) => {
      seen.push({ phase, percent, records: n });
      await original(run, n, phase, percent);
    };
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const half = Math.floor(doc.length * 0.6);
    async function* body() {
      yield doc.subarray(0, half);
      await gate;
      yield doc.subarray(half);
    }
    const pushing = pushes.push({ kind: 'prices', body: body(), size: doc.length, contentType: 'application/xml', actor: 'test' });
    // While the body is still arriving, the journal shows the run reading, part of the way.
    let run: Record<string, unknown> | undefined;
    for (let i = 0; i < 200 && !(run && run.phase === 'reading'); i++) {
      await new Promise((r) => setTimeout(r, 25));
      run = await db().knex(db().own('journal_run')).where({ status: 'running', kind: 'prices' }).orderBy('id', 'desc').first();
    }
    expect(run).toMatchObject({ status: 'running', phase: 'reading' });
    expect(Number(run!.progress)).toBeGreaterThanOrEqual(BATCH_RECORDS);
    expect(Number(run!.percent)).toBeGreaterThan(0);
    expect(Number(run!.percent)).toBeLessThan(100);
    release();
    const answer = await pushing;
    expect(answer.counts).toMatchObject({ updated: 1 });
    const phases = seen.map((s) => s.phase).filter((p, i, a) => p !== a[i - 1]);
    expect(phases).toEqual(['reading', 'matching', 'writing']);
    expect(seen.at(-1)).toMatchObject({ phase: 'writing', percent: 100 });
  });

  it('keeps the product index warm only while nothing changed behind its back', async () => {
    const code = uniqueCode('WM');
    const id = await addProduct(db(), { model: code, price: 100, quantity: 1 });
    expect((await pushXml(app, 'prices', [{ termekkod: code, ar: 200 }])).body.counts).toMatchObject({ updated: 1 });
    // The owner puts the old price back by hand, without touching date_modified.
    await db().knex(db().t('product')).where({ product_id: id }).update({ price: 100 });
    expect((await pushXml(app, 'prices', [{ termekkod: code, ar: 200 }])).body.counts).toMatchObject({ updated: 1, unchanged: 0 });
    expect(Number((await product(db(), id)).price)).toBe(200);
    // The owner renames the product in the shop's admin (which bumps date_modified).
    await db().knex(db().t('product')).where({ product_id: id }).update({ model: `${code}-NEW`, date_modified: '2026-01-01 10:00:00' });
    expect((await pushXml(app, 'prices', [{ termekkod: code, ar: 300 }])).body.counts).toMatchObject({ unknown: 1, updated: 0 });
    expect((await pushXml(app, 'prices', [{ termekkod: `${code}-NEW`, ar: 300 }])).body.counts).toMatchObject({ updated: 1 });
    // A second product with the same code makes it ambiguous at once.
    await addProduct(db(), { model: `${code}-NEW`, price: 1 });
    expect((await pushXml(app, 'prices', [{ termekkod: `${code}-NEW`, ar: 400 }])).body.counts).toMatchObject({ ambiguous: 1, updated: 0 });
    expect(Number((await product(db(), id)).price)).toBe(300);
  });

  /**
   * A prices push of `body` while another connection holds the product table, so the product
   * index cannot be read: `whileHeld` watches the push meanwhile; then the table is let go and the
   * push's answer returned. MariaDB only.
   */
  async function pushWhileIndexHeld(body: AsyncIterable<Buffer>, whileHeld: () => Promise<void>) {
    const lock = await db().knex.transaction();
    let pushing: Promise<Awaited<ReturnType<PushService['push']>>> | undefined;
    try {
      await lock.raw(`LOCK TABLES ${db().t('product')} WRITE`);
      pushing = new PushService(db(), env.ctx.settings).push({ kind: 'prices', actor: 'test', contentType: 'application/xml', body });
      pushing.catch(() => {});
      await whileHeld();
    } finally {
      await lock.raw('UNLOCK TABLES');
      await lock.commit();
    }
    return pushing!;
  }

  // MariaDB only: another connection holding the product table is how the test keeps the index from being read.
  it.skipIf(target.dialect !== 'mysql')('stops reading the body once WAIT_LIMIT records wait for the product index (not before; ahead of them by no more than the reading thread may hold), then applies them all', async () => {
    const code = uniqueCode('WT');
    const id = await addProduct(db(), { model: code, price: 100, quantity: 1 });
    // Longer than what may be read ahead (the chunks in flight, the batches sent back, one of each
    // the thread is making), so a stop shows.
    const AHEAD = CHUNKS_IN_FLIGHT + BATCHES_WAITING + 2;
    const n = WAIT_LIMIT + (AHEAD + 2) * BATCH_RECORDS;
    const recs = records(n, { [n - 1]: { termekkod: code, ar: 321 } }, (i) => ({ termekkod: `NOPE-${i}`, ar: 1 }));
    // The body comes in pieces of whole records, so the records read are known at every piece.
    const PIECE = 1000;
    let pulled = 0;
    async function* body() {
      for (let i = 0; i < n; i += PIECE) {
        pulled = Math.min(n, i + PIECE);
        const part = recs.slice(i, i + PIECE).map((r) => `<termek><termekkod>${r.termekkod}</termekkod><ar>${r.ar}</ar></termek>\n`).join('');
        yield Buffer.from(`${i === 0 ? '<?xml version="1.0" encoding="UTF-8"?>\n<termekek>\n' : ''}${part}`);
      }
      yield Buffer.from('</termekek>\n');
    }
    const answer = await pushWhileIndexHeld(body(), async () => {
      // Reading goes on until WAIT_LIMIT records wait, then stops (it would read the whole body
      // otherwise). Waits for the level itself, not for a quiet spell (a pause under load is not
      // a stop), then checks reading stays there.
      for (const end = Date.now() + 30_000; pulled < WAIT_LIMIT && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 500));
      const stoppedAt = pulled;
      expect(stoppedAt).toBeGreaterThanOrEqual(WAIT_LIMIT);
      expect(stoppedAt).toBeLessThanOrEqual(WAIT_LIMIT + AHEAD * PIECE);
      await new Promise((r) => setTimeout(r, 500));
      expect(pulled).toBe(stoppedAt);
    });
    expect(pulled).toBe(n);
    expect(answer.counts).toMatchObject({ received: n, updated: 1, unknown: n - 1 });
    expect(Number((await product(db(), id)).price)).toBe(321);
  });

  it('a push whose body fails mid-document (the client gone) fails, changes nothing, and leaves no session open on either side of the reading thread, which still reads the next push', async () => {
    const code = uniqueCode('RG');
    const id = await addProduct(db(), { model: code, price: 100, quantity: 1 });
    const doc = Buffer.from(xmlDoc(records(3 * BATCH_RECORDS, { [10]: { termekkod: code, ar: 555 } }, (i) => ({ termekkod: `NOPE-${i}`, ar: 1 }))));
    async function* body() {
      // More than the thread reads at once: it is still reading (and sending batches) when the push fails.
      yield doc.subarray(0, doc.length >> 1);
      throw new Error('the client went away');
    }
    const err = await new PushService(db(), env.ctx.settings).push({ kind: 'prices', actor: 'test', contentType: 'application/xml', body: body() }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(Number((await product(db(), id)).price)).toBe(100);
    let open = await readingSessions();
    for (let t = 0; t < 100 && (open.here || open.there); t++) open = (await new Promise((r) => setTimeout(r, 20)), await readingSessions());
    expect(open).toEqual({ here: 0, there: 0 });
    const again = await pushXml(app, 'prices', [{ termekkod: code, ar: 556 }]);
    expect(again.status).toBe(200);
    expect(Number((await product(db(), id)).price)).toBe(556);
  });

  it('a push refused while its body still arrives (malformed early) answers before the body ends, and stops reading it', async () => {
    let stopped = false;
    async function* body() {
      try {
        // Good records first (more than the document's head is sniffed from), then a broken one,
        // then a body that would go on for ever, a little at a time (as a slow client's).
        const good = records(2 * BATCH_RECORDS, {}, (i) => ({ termekkod: `NOPE-${i}`, szabadraktar: 1 }));
        yield Buffer.from(`${xml(good)}\n<termek><termekkod>A</ar></termek>`);
        for (;;) {
          await new Promise((r) => setTimeout(r, 5));
          yield Buffer.from('\n');
        }
      } finally {
        stopped = true;
      }
    }
    const err = (await new PushService(db(), env.ctx.settings).push({ kind: 'stock', actor: 'test', contentType: 'application/xml', body: body() }).then(() => null, (e: unknown) => e)) as PushError | null;
    expect(err).toMatchObject({ status: 400, message: expect.stringMatching(/^malformed XML/) });
    for (let t = 0; t < 100 && !stopped; t++) await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(true);
    expect(await readingSessions()).toEqual({ here: 0, there: 0 });
  });

  /** Pushes `doc`, stopping the reading thread once half of it was sent; the push's error. */
  async function pushStoppingThread(kind: 'prices' | 'promo-prices', doc: Buffer): Promise<PushError> {
    let taken = false;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* body() {
      yield doc.subarray(0, doc.length >> 1);
      taken = true;
      await gate;
      yield doc.subarray(doc.length >> 1);
    }
    const pushing = new PushService(db(), env.ctx.settings).push({ kind, actor: 'test', contentType: 'application/xml', body: body() });
    pushing.catch(() => {});
    for (let t = 0; t < 200 && !taken; t++) await new Promise((r) => setTimeout(r, 25));
    expect(taken).toBe(true);
    await stopReadingThread();
    release();
    const err = await pushing.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(PushError);
    return err as PushError;
  }

  it('a push whose reading thread stops mid-document fails with 500 and a reference, changes nothing, and the next push reads on a new thread', async () => {
    const code = uniqueCode('RT');
    const id = await addProduct(db(), { model: code, price: 100, quantity: 1 });
    const recs = records(3 * BATCH_RECORDS, { [10]: { termekkod: code, ar: 555 } }, (i) => ({ termekkod: `NOPE-${i}`, ar: 1 }));
    const doc = Buffer.from(xmlDoc(recs));
    const err = await pushStoppingThread('prices', doc);
    expect(err!.status).toBe(500);
    expect(err!.message).toMatch(/reference/i);
    expect(err!.detail).toMatch(/reading thread/);
    expect(Number((await product(db(), id)).price)).toBe(100);
    const run = await db().knex(db().own('journal_run')).where({ id: err!.run }).first();
    expect(run).toMatchObject({ status: 'failed', http_status: 500 });
    const again = await pushXml(app, 'prices', [{ termekkod: code, ar: 556 }]);
    expect(again.status).toBe(200);
    expect(again.body.counts).toMatchObject({ updated: 1 });
    expect(Number((await product(db(), id)).price)).toBe(556);
  });

  // Promo prices and full sync are read on the reading thread too (round 22): only a push read
  // there fails when the thread stops, and only one that opened a session there can leave one.
  const stagedKinds = [
    { name: 'promo prices', kind: 'promo-prices' as const, syncType: 'stock_price', field: 'arakcios', value: 55 },
    { name: 'a full sync', kind: 'prices' as const, syncType: 'full', field: 'ar', value: 555 },
  ];

  it.each(stagedKinds)('$name whose reading thread stops mid-document fails with 500 and a reference, changes nothing, and the next one reads on a new thread', async ({ kind, syncType, field, value }) => {
    await env.ctx.settings.update({ sync_type: syncType });
    try {
      const code = uniqueCode('RS');
      const id = await addProduct(db(), { model: code, price: 100, quantity: 1 });
      const doc = Buffer.from(xmlDoc(records(3 * BATCH_RECORDS, { [10]: { termekkod: code, [field]: value } }, (i) => ({ termekkod: `NOPE-${i}`, [field]: 1 }))));
      const err = await pushStoppingThread(kind, doc);
      expect(err!.status).toBe(500);
      expect(err!.message).toMatch(/reference/i);
      expect(err!.detail).toMatch(/reading thread/);
      expect(Number((await product(db(), id)).price)).toBe(100);
      expect(await specials(db(), id)).toEqual([]);
      expect(await db().knex(db().own('journal_run')).where({ id: err!.run }).first()).toMatchObject({ status: 'failed', http_status: 500 });
      const again = await pushXml(app, kind, [{ termekkod: code, [field]: value + 1 }]);
      expect(again.status).toBe(200);
      expect(again.body.counts).toMatchObject({ received: 1, updated: 1 });
      if (kind === 'promo-prices') expect((await specials(db(), id)).map((s) => Number(s.price))).toContain(value + 1);
      else expect(Number((await product(db(), id)).price)).toBe(value + 1);
    } finally {
      await env.ctx.settings.update({ sync_type: 'stock_price' });
    }
  });

  it.each(stagedKinds)('$name whose body fails mid-document (the client gone) fails, stages and changes nothing, and leaves no session open on either side of the reading thread', async ({ kind, syncType, field, value }) => {
    await env.ctx.settings.update({ sync_type: syncType });
    try {
      const code = uniqueCode('RC');
      const id = await addProduct(db(), { model: code, price: 100, quantity: 1 });
      // The body fails only once the stage holds rows: past STAGE_WHILE_READING, the records were
      // staged while the document was read, on a session the thread had open.
      const stage = db().own(kind === 'promo-prices' ? 'stage_promo_prices' : 'stage_prices');
      const staged = async () => Number((await db().knex(stage).count({ n: '*' }).first())!.n);
      const doc = Buffer.from(xmlDoc(records(STAGE_WHILE_READING + 4 * BATCH_RECORDS, { [10]: { termekkod: code, [field]: value } }, (i) => ({ termekkod: `NOPE-${i}`, [field]: 1 }))));
      let stagedBefore = 0;
      async function* body() {
        yield doc.subarray(0, doc.length - 1000);
        for (let t = 0; t < 500 && !(stagedBefore = await staged()); t++) await new Promise((r) => setTimeout(r, 20));
        throw new Error('the client went away');
      }
      const err = await new PushService(db(), env.ctx.settings).push({ kind, actor: 'test', contentType: 'application/xml', body: body() }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(stagedBefore).toBeGreaterThan(0);
      expect(Number((await product(db(), id)).price)).toBe(100);
      expect(await specials(db(), id)).toEqual([]);
      expect(await staged()).toBe(0);
      let open = await readingSessions();
      for (let t = 0; t < 100 && (open.here || open.there); t++) open = (await new Promise((r) => setTimeout(r, 20)), await readingSessions());
      expect(open).toEqual({ here: 0, there: 0 });
    } finally {
      await env.ctx.settings.update({ sync_type: 'stock_price' });
    }
  });

  // MariaDB only, as above. The whole (short) document is read before the index is there: the
  // codes standing twice must still be found before the answer is made (CI once answered without them).
  it.skipIf(target.dialect !== 'mysql')('finds a code standing twice when the whole document was read before the product index', async () => {
    const twin = uniqueCode('TWL');
    const id = await addProduct(db(), { model: twin, price: 100, quantity: 1 });
    const doc = Buffer.from(xmlDoc([{ termekkod: twin, ar: 111 }, { termekkod: uniqueCode('NOPE'), ar: 1 }, { termekkod: twin, ar: 222 }]));
    let read = false;
    async function* body() {
      yield doc;
      read = true;
    }
    const answer = await pushWhileIndexHeld(body(), async () => {
      for (let t = 0; t < 100 && !read; t++) await new Promise((r) => setTimeout(r, 50));
      expect(read).toBe(true);
      await new Promise((r) => setTimeout(r, 300)); // the push is past its reading loop, waiting for the index
    });
    expect(answer.notApplied.filter((n) => n.code === twin).map((n) => [n.record, n.outcome])).toEqual([[1, 'invalid'], [3, 'invalid']]);
    expect(answer.counts).toMatchObject({ received: 3, updated: 0, invalid: 2, unknown: 1 });
    expect(Number((await product(db(), id)).price)).toBe(100);
  });

  it('shows a running push\'s phase and percent on the run page, in both languages', async () => {
    const { cookie } = await loginWithForm(app, 'admin', 'Admin-jelszo-2026');
    const [id] = await db().knex(db().own('journal_run')).insert({ kind: 'prices', actor: 'erp x', status: 'running', dry_run: false, started_at: '2026-11-23 10:00:00', progress: 250000, phase: 'writing', percent: 42 });
    const en = await request(app).get(`/admin/journal/${id}/progress`).set('Cookie', `${cookie}; erpb_lang=en`);
    expect(en.text).toContain('Writing the changes of 250000 records to the shop – 42%');
    expect(en.text).toContain('<progress max="100" value="42">');
    expect(en.text).toContain('hx-trigger="every 1s"');
    const hu = await request(app).get(`/admin/journal/${id}/progress`).set('Cookie', `${cookie}; erpb_lang=hu`);
    expect(hu.text).toContain('250000 tétel változásainak írása a boltba – 42%');
    await db().knex(db().own('journal_run')).where({ id }).update({ phase: 'reading', percent: 7, progress: 1200 });
    expect((await request(app).get(`/admin/journal/${id}/progress`).set('Cookie', `${cookie}; erpb_lang=hu`)).text).toContain('A dokumentum olvasása: 1200 tétel beolvasva – 7%');
    await db().knex(db().own('journal_run')).where({ id }).update({ status: 'ok' });
  });
});
