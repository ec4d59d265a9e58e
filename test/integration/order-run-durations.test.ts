// A failed order run's journalled duration is the run's own: an export run that fails inside and
// an order status push refused as malformed each record no more time than the call took.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../app/plugin/journal.js';
import { OrderExporter } from '../../app/sync/order-export.js';
import { OrderStatusService } from '../../app/sync/order-status.js';
import type { PushError } from '../../app/sync/push-service.js';
import { FIXTURE_DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';

describe.each(FIXTURE_DIALECT_TARGETS)('failed order runs on $name', (target) => {
  let env: TargetEnv;
  const db = () => env.ctx.db;

  beforeAll(async () => {
    env = await openTarget(target);
    await env.ctx.settings.update({ webshop_id: 'bolt1', password: 'erp-pw', shipping_fee_code: 'SZALL', export_start_date: '2026-01-01' });
  });
  afterAll(async () => env?.cleanup());

  it('an export run that fails inside journals its own duration', async () => {
    const name = db().own('outbox');
    await db().knex.schema.renameTable(name, `${name}_away`);
    try {
      const t0 = performance.now();
      const err = await new OrderExporter(db(), env.ctx.settings).run('tester').then(() => null, (e: Error) => e);
      const took = performance.now() - t0;
      expect(err).toBeInstanceOf(Error);
      const run = await db().knex(db().own('journal_run')).where({ kind: 'order-export' }).orderBy('id', 'desc').first();
      expect(run.status).toBe('failed');
      expect(Number(run.duration_ms)).toBeGreaterThanOrEqual(0);
      expect(Number(run.duration_ms)).toBeLessThanOrEqual(Math.ceil(took));
    } finally {
      await db().knex.schema.renameTable(`${name}_away`, name);
    }
  });

  it('an order status push refused as malformed journals its own duration', async () => {
    const t0 = performance.now();
    const e = await new OrderStatusService(db(), env.ctx.settings).push({ body: Buffer.from('[{'), contentType: 'application/json', actor: 'erp' }).then(() => null, (x: unknown) => x as PushError);
    const took = performance.now() - t0;
    expect(e!.status).toBe(400);
    const run = (await new Journal(db()).get(e!.run!))!;
    expect(run.status).toBe('rejected');
    expect(Number(run.duration_ms)).toBeGreaterThanOrEqual(0);
    expect(Number(run.duration_ms)).toBeLessThanOrEqual(Math.ceil(took));
  });
});
