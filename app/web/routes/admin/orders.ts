import { Router } from 'express';
import type { AppContext } from '../../../context.js';
import type { OrderDocument } from '../../../erp/order-document.js';
import { OrderExporter, missingForExport } from '../../../sync/order-export.js';
import { OrderStatusService } from '../../../sync/order-status.js';

const STATES = ['waiting', 'exported', 'failed', 'attention'];
const PAGE = 50;

export function orderRoutes(ctx: AppContext): Router {
  const router = Router();
  const exporter = new OrderExporter(ctx.db, ctx.settings);
  const statuses = new OrderStatusService(ctx.db, ctx.settings);

  const page = async (q: Record<string, unknown>) => {
    const state = STATES.includes(String(q.state)) ? String(q.state) : undefined;
    const before = Number(q.before) > 0 ? Number(q.before) : undefined;
    const rows = await exporter.outbox.list({ state, beforeOrderId: before, limit: PAGE });
    const orders = rows.map((r) => {
      let d: OrderDocument;
      try {
        d = JSON.parse(r.document) as OrderDocument;
      } catch {
        // An unreadable stored document must not take the whole queue page down.
        d = { orderNumber: String(r.order_id), customer: { name: '', email: '' }, currency: '' } as OrderDocument;
      }
      return { id: Number(r.order_id), number: d.orderNumber, customer: d.customer.name, email: d.customer.email, total: Number(r.total), currency: d.currency, state: String(r.state), attempts: Number(r.attempts), error: r.last_error, erpId: r.erp_document_id };
    });
    // What the ERP said about each order (issue 15), and changes still waiting for the shop's API.
    const erp = await statuses.erpStatesOf(orders.map((o) => o.id));
    return { orders: orders.map((o) => ({ ...o, erp: erp.get(o.id) ?? null })), statusQueue: await statuses.waiting(), state, states: STATES, older: rows.length === PAGE ? Number(rows[rows.length - 1].order_id) : null };
  };

  router.get('/orders', async (req, res) => {
    res.render('orders', { ...(await page(req.query)), message: null });
  });

  router.post('/orders/export-now', async (req, res) => {
    const r = await exporter.run(`admin ${res.locals.user?.name ?? ''}`.trim());
    const notReady = missingForExport(await ctx.settings.get());
    const message = notReady.length ? res.locals.t('orders.not_ready', { missing: notReady.map((k) => res.locals.t(`field.${k}`)).join(', ') }) : r.skipped ? res.locals.t('orders.skipped') : res.locals.t('orders.done', { prepared: res.locals.fmt.number(r.prepared, 0), exported: res.locals.fmt.number(r.exported, 0), failed: res.locals.fmt.number(r.failed, 0) });
    res.render(req.headers['hx-request'] ? 'partials/orders-table' : 'orders', { ...(await page(req.query)), message });
  });

  router.post('/orders/:id/:action', async (req, res) => {
    const id = Number(req.params.id);
    const action = req.params.action;
    const from = action === 'retry' ? (['failed', 'attention'] as const) : action === 'again' ? (['exported'] as const) : null;
    if (!from) return res.status(404).end();
    // Re-send rebuilds the document from the order's current state and the current settings.
    await exporter.resend(id, [...from]);
    res.render(req.headers['hx-request'] ? 'partials/orders-table' : 'orders', { ...(await page(req.query)), message: null });
  });
  return router;
}
