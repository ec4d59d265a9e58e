// The settings group of the order status feature (issue 15): each ERP state → one of the shop's
// own statuses (listed in the shop's admin language; "automatic" shows the status the name
// matched), notify by default, the comment template, tracking pages, and the shop's API (its
// address and user; erp-bridge can create its own API user with the local addresses allowed).
import { Router } from 'express';
import type { AppContext } from '../../../context.js';
import { ERP_STATES } from '../../../erp/order-status-records.js';
import { DEFAULTS, YES_NO, type SettingKey } from '../../../settings/schema.js';
import { LOCAL_ADDRESSES, OWN_API_USER, ensureApiUser, listAdminOrderStatuses, listApiUsers, shopApiFlavor } from '../../../shop/order-history.js';
import { resolveStatusMap } from '../../../sync/order-status-map.js';
import { OrderStatusService } from '../../../sync/order-status.js';

export const ORDER_STATUS_GROUP: SettingKey[] = [
  ...ERP_STATES.map((s) => `status_map_${s}` as SettingKey),
  'status_notify', 'status_comment', 'tracking_links', 'shop_url', 'shop_api_user', 'status_direct_fallback',
];


export async function orderStatusOptions(ctx: AppContext) {
  const statuses = await listAdminOrderStatuses(ctx.db).catch(() => []);
  const auto = resolveStatusMap(DEFAULTS, statuses);
  const users = await listApiUsers(ctx.db);
  return {
    shopStatuses: statuses.map((s) => ({ id: s.orderStatusId, name: s.name })),
    statusAuto: Object.fromEntries(ERP_STATES.map((s) => [s, auto[s].name])) as Record<string, string | null>,
    apiUsers: users.map((u) => ({ id: u.username, name: `${u.username}${u.status ? '' : ' (disabled)'}${u.ips.length ? ` — ${u.ips.join(', ')}` : ''}` })),
    yesNo: YES_NO,
  };
}

export function orderStatusAdminRoutes(ctx: AppContext): Router {
  const router = Router();
  const service = new OrderStatusService(ctx.db, ctx.settings);

  // Creates (or re-enables) erp-bridge's API user in the shop and chooses it.
  router.post('/settings/shop-api-user', async (_req, res) => {
    if (!(await shopApiFlavor(ctx.db))) return res.status(409).render('error', { message: res.locals.t('status.api_user.unavailable') });
    const r = await ensureApiUser(ctx.db, OWN_API_USER, LOCAL_ADDRESSES);
    await ctx.settings.update({ shop_api_user: OWN_API_USER });
    res.redirect(303, `${res.locals.url('/settings')}?api_user=${r.created ? 'created' : 'enabled'}#settings-order_status`);
  });

  // The orders page's "apply now": waiting changes are offered to the shop again at once.
  router.post('/orders/statuses/apply', async (_req, res) => {
    await service.drain({ all: true, waitMs: 10_000 });
    res.redirect(303, res.locals.url('/orders'));
  });
  return router;
}
