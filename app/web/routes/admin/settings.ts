// The settings page: three groups, each saved on its own; server-side validation shows every
// error beside its field (htmx swaps the group's form, or the whole page without JavaScript).
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../../context.js';
import {
  ARTICLE_OPTIONS, CUSTOMER_RECOGNITION, ORDER_CURRENCIES, EXPORT_INTERVALS, ORDER_DESCRIPTIONS, ORDER_LINE_MODES, PRICE_BASES, PROCESSING_MODES,
  PRODUCT_STATUSES, SECRET_KEYS, SYNC_TYPES, TRANSPORTS, formatSetting, type Refusal, type SettingKey, type Settings,
} from '../../../settings/schema.js';
import { SettingsValidationError } from '../../../settings/settings-service.js';
import { listCustomerGroups, listOrderStatuses, listTaxClasses } from '../../../shop/catalog.js';
import { PRODUCT_CODE_FIELDS } from '../../../shop/products.js';
import { listShopMethods, setMethodMapping } from '../../../shop/orders.js';
import { today } from '../../../util/time.js';
import { ORDER_STATUS_GROUP, orderStatusOptions } from './order-status-settings.js';

export const GROUPS: Record<string, SettingKey[]> = {
  connection: ['webshop_id', 'password', 'sync_type', 'import_password', 'shipping_fee_code', 'payment_fee_code', 'coupon_code'],
  products: ['product_code_field', 'price_basis', 'promo_customer_groups', 'new_product_status', 'vat_map'],
  orders: [
    'export_statuses', 'export_interval', 'export_daily_at', 'export_start_date', 'order_description', 'order_lines', 'customer_recognition', 'customer_processing', 'article_processing',
    'revenue_group', 'tax_number_field', 'export_transport', 'export_url', 'export_dir',
    'low_order_fee_code', 'reward_code', 'voucher_code', 'credit_code', 'other_total_code', 'order_currency',
  ],
  order_status: ORDER_STATUS_GROUP,
};
const MULTI = new Set<SettingKey>(['promo_customer_groups', 'export_statuses', 'export_transport']);

async function options(ctx: AppContext) {
  return {
    sync_type: SYNC_TYPES, product_code_field: PRODUCT_CODE_FIELDS, price_basis: PRICE_BASES, new_product_status: PRODUCT_STATUSES,
    export_interval: EXPORT_INTERVALS, order_description: ORDER_DESCRIPTIONS, order_lines: ORDER_LINE_MODES, customer_recognition: CUSTOMER_RECOGNITION,
    customer_processing: PROCESSING_MODES, article_processing: ARTICLE_OPTIONS, export_transport: TRANSPORTS, order_currency: ORDER_CURRENCIES,
    customerGroups: await listCustomerGroups(ctx.db),
    taxClasses: await listTaxClasses(ctx.db),
    orderStatuses: (await listOrderStatuses(ctx.db)).map((st) => ({ id: st.orderStatusId, name: st.name })),
    ...(await orderStatusOptions(ctx)),
  };
}

function textValues(s: Settings): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(s) as SettingKey[]) out[k] = SECRET_KEYS.has(k) ? '' : formatSetting(k, s[k]);
  return out;
}

/** Form fields → the textual values the settings service validates (secrets only if typed). */
function fromForm(group: SettingKey[], body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of group) {
    const v = body[key];
    if (SECRET_KEYS.has(key)) {
      if (body[`${key}_clear`]) out[key] = '';
      else if (typeof v === 'string' && v !== '') out[key] = v;
    } else if (MULTI.has(key)) out[key] = (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String).join(',');
    else out[key] = String(v ?? '');
  }
  return out;
}

/** The catalogue's words for why a value was refused, in the page's language. */
function translateRefusals(res: Response, refusals: Record<string, Refusal>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, r] of Object.entries(refusals)) {
    const text = res.locals.t(`err.${r.code}`, r.vars) as string;
    out[key] = text === `err.${r.code}` ? r.message : text;
  }
  return out;
}

export function settingsRoutes(ctx: AppContext): Router {
  const router = Router();

  const render = async (req: Request, res: Response, state: { group?: string; errors?: Record<string, string>; values?: Record<string, string>; saved?: boolean }, status = 200) => {
    const settings = await ctx.settings.get();
    const values = { ...textValues(settings), ...(state.values ?? {}) };
    // First setup: the date from which orders go to the ERP is asked, today by default (saving the
    // Orders group stores it; until then no order is queued).
    if (!values.export_start_date && !state.errors?.export_start_date) values.export_start_date = today();
    const secrets = { password: settings.password !== '', import_password: settings.import_password !== '' };
    const methods = (await listShopMethods(ctx.db)).map((m) => ({ ...m, erpCode: state.values?.[`${m.type}:${m.code}`] ?? m.erpCode }));
    const data = { groups: GROUPS, values, secrets, methods, errors: state.errors ?? {}, savedGroup: state.saved ? state.group : null, errorGroup: state.errors ? state.group : null, options: await options(ctx) };
    if (req.headers['hx-request'] && state.group === 'methods') return res.status(status).render('partials/settings-methods', data);
    if (req.headers['hx-request'] && state.group) return res.status(status).render('partials/settings-group', { ...data, group: state.group });
    res.status(status).render('settings', data);
  };

  router.get('/settings', (req, res) => render(req, res, {}));

  // Payment and shipping methods → ERP codes (the order export's method mapping).
  router.post('/settings/methods', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const known = await listShopMethods(ctx.db);
    const errors: Record<string, string> = {};
    const values: Record<string, string> = {};
    for (const m of known) {
      const key = `${m.type}:${m.code}`;
      const v = String(body[key] ?? '').trim();
      values[key] = v;
      if (v.length > 64 || /[\u0000-\u001f]/.test(v)) errors[key] = translateRefusals(res, { [key]: { code: 'erp_code', vars: {}, message: 'at most 64 characters, no control characters' } })[key]!;
    }
    if (Object.keys(errors).length) return render(req, res, { group: 'methods', errors, values }, req.headers['hx-request'] ? 200 : 422);
    for (const m of known) await setMethodMapping(ctx.db, m.type, m.code, values[`${m.type}:${m.code}`]!);
    await render(req, res, { group: 'methods', saved: true });
  });

  router.post('/settings/:group', async (req, res) => {
    const group = req.params.group!;
    const keys = GROUPS[group];
    if (!keys) return res.status(404).end();
    const raw = fromForm(keys, req.body ?? {});
    try {
      await ctx.settings.update(raw);
      await render(req, res, { group, saved: true });
    } catch (err) {
      if (!(err instanceof SettingsValidationError)) throw err;
      const values = Object.fromEntries(Object.entries(raw).filter(([k]) => !SECRET_KEYS.has(k as SettingKey)));
      // 200 for htmx so the swap happens; the form itself says it was not saved.
      await render(req, res, { group, errors: translateRefusals(res, err.refusals), values }, req.headers['hx-request'] ? 200 : 422);
    }
  });
  return router;
}
