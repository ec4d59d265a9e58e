// The journal is pruned after JOURNAL_KEEP_DAYS: old runs go with their records and the product
// history they wrote; recent runs, each kind's newest run and newest successful run, and runs
// still running stay. Runs made by real pushes, then dated back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createApp } from '../../app/web/server.js';
import { pruneJournal } from '../../app/plugin/retention.js';
import { listRowRun, runChanges } from '../../app/plugin/product-history.js';
import { readKeepDays } from '../../app/config.js';
import { formatDateTime } from '../../app/util/time.js';
import { DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { KEY, addProduct, pushXml, uniqueCode } from '../support/shop.js';

const daysAgo = (n: number) => formatDateTime(new Date(Date.now() - n * 86_400_000));

describe.each(DIALECT_TARGETS.filter((t) => !t.release))('journal retention on $name', (target) => {
  let env: TargetEnv;
  let app: Express;
  const knex = () => env.ctx.db.knex;
  const own = (t: string) => env.ctx.db.own(t);
  const count = async (table: string, runId: number) => Number((await knex()(own(table)).where(table === 'journal_run' ? 'id' : 'run_id', runId).count({ n: '*' }))[0]!.n);
  /** The history a run recorded, both forms (a prices push writes blocks). */
  const changes = async (runId: number) => (await runChanges(env.ctx.db, runId)).length;

  /** A prices push changing two products and naming one unknown code: a run with records and history. */
  async function pushRun(price: number, withUnknown: boolean): Promise<number> {
    const a = uniqueCode();
    const b = uniqueCode();
    await addProduct(env.ctx.db, { model: a, price: 1 });
    await addProduct(env.ctx.db, { model: b, price: 1 });
    const records: Array<Record<string, string | number>> = [{ termekkod: a, ar: price }, { termekkod: b, ar: price + 1 }];
    if (withUnknown) records.push({ termekkod: uniqueCode('NONE'), ar: 5 });
    const res = await pushXml(app, 'prices', records);
    expect(res.status).toBe(200);
    return res.body.run as number;
  }
  const age = (run: number, days: number) => knex()(own('journal_run')).where({ id: run }).update({ started_at: daysAgo(days) });

  beforeAll(async () => {
    env = await openTarget(target);
    await env.ctx.settings.update({ import_password: KEY });
    app = createApp(env.ctx);
  });
  afterAll(async () => env?.cleanup());

  it('removes runs older than the limit with their records and product history, in slices, and keeps the rest', async () => {
    const old = await pushRun(10, true); // partial: records + history
    const oldOk = await pushRun(20, false); // the newest successful prices run: kept for the health verdict
    const recent = await pushRun(30, true); // partial, today
    await age(old, 400);
    await age(oldOk, 399);
    const [running] = await knex()(own('journal_run')).insert({ kind: 'stock', actor: 'test', status: 'running', dry_run: false, started_at: daysAgo(500) }, ['id']);
    const runningId = Number(typeof running === 'object' ? running.id : running);
    // A later stock run: the running one is then neither its kind's newest run nor its newest successful one.
    await knex()(own('journal_run')).insert({ kind: 'stock', actor: 'test', status: 'ok', dry_run: false, started_at: daysAgo(450) });
    // And a history row, as a stock push wrote them before migration 013 (full sync and promos still do), its run listed with it;
    // the runs kept are listed too (as if they had written rows).
    for (const run of [old, oldOk, recent]) await listRowRun(env.ctx.db, run);
    await knex()(own('product_change')).insert({ run_id: old, product_id: 1, code: 'ROW', field: 'quantity', old_value: 1, new_value: 2 });
    expect(await count('journal_item', old)).toBe(1);
    expect(await changes(old)).toBe(3);
    const oldBlocks = await count('product_change_block', old); // one per slot its two codes fall in
    expect([1, 2]).toContain(oldBlocks);

    const pruned = await pruneJournal(env.ctx.db, 365, new Date(), 1); // slices of one row: the loop, not one statement
    expect(pruned).toEqual({ runs: 1, items: 1, changes: 1, blocks: oldBlocks });
    for (const t of ['journal_run', 'journal_item', 'product_change', 'product_change_block', 'product_change_run']) expect(await count(t, old), t).toBe(0);
    expect(await count('journal_run', oldOk)).toBe(1);
    expect(await changes(oldOk)).toBe(2);
    expect(await count('journal_run', recent)).toBe(1);
    expect(await count('journal_item', recent)).toBe(1);
    expect(await changes(recent)).toBe(2);
    expect(await count('journal_run', runningId)).toBe(1);
    expect([await count('product_change_run', oldOk), await count('product_change_run', recent)]).toEqual([1, 1]);

    // A second prune finds nothing more; 0 days keeps everything.
    expect(await pruneJournal(env.ctx.db, 365)).toEqual({ runs: 0, items: 0, changes: 0, blocks: 0 });
    await age(recent, 1000);
    expect(await pruneJournal(env.ctx.db, 0)).toEqual({ runs: 0, items: 0, changes: 0, blocks: 0 });
    expect(await count('journal_run', recent)).toBe(1);
  });

  it('keeps each kind\'s newest run even when it is older than the limit, and prunes an older one of the same kind', async () => {
    const newer = await pushRun(40, true);
    await age(newer, 800);
    const pruned = await pruneJournal(env.ctx.db, 365);
    // The run aged to 1000 days in the test above is no longer the newest prices run (nor the newest ok one): it goes.
    expect(pruned.runs).toBeGreaterThanOrEqual(1);
    expect(await count('journal_run', newer)).toBe(1);
  });

  it('prunes every run older than the limit, not only the oldest; a younger run stays though it is not its kind\'s newest, and 0 days keeps it too', async () => {
    const insert = async (days: number) => {
      const [row] = await knex()(own('journal_run')).insert({ kind: 'order-ack', actor: 'test', status: 'ok', dry_run: false, started_at: daysAgo(days) }, ['id']);
      return Number(typeof row === 'object' ? row.id : row);
    };
    const [oldA, oldB, younger, newest] = [await insert(400), await insert(400), await insert(10), await insert(5)];
    await pruneJournal(env.ctx.db, 365);
    expect([await count('journal_run', oldA), await count('journal_run', oldB)]).toEqual([0, 0]);
    expect([await count('journal_run', younger), await count('journal_run', newest)]).toEqual([1, 1]);
    await pruneJournal(env.ctx.db, 0);
    expect(await count('journal_run', younger)).toBe(1);
  });
});

describe('JOURNAL_KEEP_DAYS', () => {
  it('defaults to a year, takes whole days and 0, and refuses anything else with the variable named', () => {
    expect(readKeepDays(undefined)).toBe(365);
    expect(readKeepDays(' 30 ')).toBe(30);
    expect(readKeepDays('0')).toBe(0);
    for (const bad of ['-1', '1.5', 'forever']) expect(() => readKeepDays(bad)).toThrow(/JOURNAL_KEEP_DAYS/);
  });
});
