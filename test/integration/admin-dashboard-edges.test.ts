// Edges of the dashboard's data and the test push that the first mutation run of app/admin left
// open (admin-dashboard.test.ts has the main cases): an order the export could take is not counted
// while the export is not set up, and the test push takes the newest order with a status, not the
// oldest.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHealth } from '../../app/admin/dashboard.js';
import { testPush } from '../../app/admin/test-push.js';
import { formatDateTime } from '../../app/util/time.js';
import { placeOrder, setOrderStatus } from '../support/orders.js';
import { KEY } from '../support/shop.js';
import { FIXTURE_DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';

describe.each(FIXTURE_DIALECT_TARGETS)('the admin\'s dashboard data and test push at their edges on $name', (target) => {
  let env: TargetEnv;
  const db = () => env.ctx.db;
  const order = () => placeOrder(db(), { products: [{ productId: 1, name: 'T', model: 'T-1', quantity: 1, price: 10, tax: 0 }], dateAdded: '2031-05-05 10:00:00' });

  beforeAll(async () => {
    env = await openTarget(target);
    await env.ctx.settings.update({ webshop_id: 'bolt-1', password: 'ERP-jelszo', import_password: KEY, shipping_fee_code: 'SZALL', export_start_date: '2031-05-05', export_interval: 'manual' });
    const at = formatDateTime(new Date(Date.now() - 60_000));
    for (const kind of ['prices', 'stock']) await db().knex(db().own('journal_run')).insert({ kind, actor: 'test', status: 'ok', http_status: 200, dry_run: false, started_at: at, finished_at: at });
  });
  afterAll(async () => env?.cleanup());

  it('does not count an order as waiting while the export is not set up (nothing is queued before)', async () => {
    const statusesRow = await db().knex(db().t('setting')).where({ store_id: 0, code: 'config', key: 'config_processing_status' }).first('value');
    const { orderId } = await order();
    try {
      await setOrderStatus(db(), orderId, Number((JSON.parse(statusesRow.value) as string[])[0]));
      expect((await loadHealth(env.ctx)).health.signature).toBe('stopped:export_stopped');
      await env.ctx.settings.update({ shipping_fee_code: '' });
      const h = await loadHealth(env.ctx);
      expect(h.health.signature).toBe('attention:export_not_set_up');
      expect(h.missing).toEqual(['shipping_fee_code']);
    } finally {
      await env.ctx.settings.update({ shipping_fee_code: 'SZALL' });
      await db().knex(db().t('order')).where({ order_id: orderId }).delete();
    }
  });

  it('sends the newest order that has a status, not an older one', async () => {
    const seen: string[] = [];
    const recorder = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push(body);
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => recorder.listen(0, '127.0.0.1', r));
    const placed = [await order(), await order(), await order()];
    try {
      await setOrderStatus(db(), placed[0]!.orderId, 1);
      await setOrderStatus(db(), placed[1]!.orderId, 2);
      // The newest has no status (a checkout left unfinished).
      await testPush(env.ctx, 'order-status', (recorder.address() as AddressInfo).port);
      expect(JSON.parse(seen[0]!)).toEqual([{ order_id: String(placed[1]!.orderId), allapot: 'szamlazva' }]);
    } finally {
      await new Promise((r) => recorder.close(r));
      await db().knex(db().t('order')).whereIn('order_id', placed.map((p) => p.orderId)).delete();
    }
  });
});
