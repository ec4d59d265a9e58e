// The settings page: one form, one Save. Every group and the payment/shipping mapping are
// validated together on the server and stored all or nothing, with each error beside its
// field (htmx swaps the form, or the whole page renders without JavaScript); what was typed
// stays in the form when something is refused, so no edit is lost. The page's script also
// warns before leaving with unsaved edits. The per-group endpoints (POST /settings/<group>)
// stay for scripts and older pages.
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../../context.js';
import {
  ARTICLE_OPTIONS, CUSTOMER_RECOGNITION, ORDER_CURRENCIES, EXPORT_INTERVALS, ORDER_DESCRIPTIONS, ORDER_LINE_MODES, PRICE_BASES, PROCESSING_MODES,
  PRODUCT_STATUSES, SECRET_KEYS, SYNC_TYPES, TRANSPORTS, formatSetting, parseSetting, SettingError, type Refusal, type SettingKey, type Settings,
} from '../../../settings/schema.js';
import { SettingsValidationError } from '../../../settings/settings-service.js';
import { defaultLanguage, listCustomerGroups, listOrderStatuses, listTaxClasses } from '../../../shop/catalog.js';
import { PRODUCT_CODE_FIELDS } from '../../../shop/products.js';
import { listShopMethods, setMethodMapping } from '../../../shop/orders.js';
import { listCustomFields, shopMethodNames } from '../../../shop/method-names.js';
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
const ALL_KEYS = Object.values(GROUPS).flat();
const MULTI = new Set<SettingKey>(['promo_customer_groups', 'export_statuses', 'export_transport']);
/** The rates Hungarian ERPs send; offered as rows of the VAT table even before they are mapped. */
const COMMON_RATES = ['27', '18', '5', '0'];

// The page's shop reads are independent: they run side by side (on MySQL each takes its own
// pooled connection), so the page costs the slowest read, not the sum of a dozen round trips.
async function options(ctx: AppContext) {
  const [lang, customerGroups, taxClasses, orderStatuses, statusOptions] = await Promise.all([
    defaultLanguage(ctx.db).catch(() => null),
    listCustomerGroups(ctx.db),
    listTaxClasses(ctx.db),
    listOrderStatuses(ctx.db),
    orderStatusOptions(ctx),
  ]);
  return {
    sync_type: SYNC_TYPES, product_code_field: PRODUCT_CODE_FIELDS, price_basis: PRICE_BASES, new_product_status: PRODUCT_STATUSES,
    export_interval: EXPORT_INTERVALS, order_description: ORDER_DESCRIPTIONS, order_lines: ORDER_LINE_MODES, customer_recognition: CUSTOMER_RECOGNITION,
    customer_processing: PROCESSING_MODES, article_processing: ARTICLE_OPTIONS, export_transport: TRANSPORTS, order_currency: ORDER_CURRENCIES,
    customerGroups,
    taxClasses,
    orderStatuses: orderStatuses.map((st) => ({ id: st.orderStatusId, name: st.name })),
    customFields: lang ? await listCustomFields(ctx.db, lang.languageId) : [],
    commonRates: COMMON_RATES,
    ...statusOptions,
  };
}

function textValues(s: Settings): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(s) as SettingKey[]) out[k] = SECRET_KEYS.has(k) ? '' : formatSetting(k, s[k]);
  return out;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);

/** The VAT table's rows (vat_rate[i], vat_class[i]) → "27=9,5=10"; a row without a tax class is not mapped. */
function vatFromTable(body: Record<string, unknown>): string {
  const rates = list(body.vat_rate);
  const classes = list(body.vat_class);
  return rates.map((r, i) => [r.trim(), (classes[i] ?? '').trim()] as const).filter(([, c]) => c !== '').map(([r, c]) => `${r}=${c}`).join(',');
}

/** Form fields → the textual values the settings service validates (secrets only if typed). */
function fromForm(group: SettingKey[], body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of group) {
    const v = body[key];
    if (SECRET_KEYS.has(key)) {
      if (body[`${key}_clear`]) out[key] = '';
      else if (typeof v === 'string' && v !== '') out[key] = v;
    } else if (key === 'vat_map' && body.vat_rate !== undefined) out[key] = vatFromTable(body);
    else if (MULTI.has(key)) out[key] = list(v).join(',');
    else out[key] = String(v ?? '');
  }
  return out;
}

/** The catalogue's words for why a value was refused, in the page's language (choices by their labels). */
function translateRefusals(res: Response, refusals: Record<string, Refusal>): Record<string, string> {
  const t = res.locals.t as (k: string, v?: Record<string, string | number>) => string;
  const out: Record<string, string> = {};
  for (const [key, r] of Object.entries(refusals)) {
    const vars = { ...r.vars };
    if (r.code === 'one_of' && typeof vars.values === 'string')
      vars.values = vars.values.split(', ').map((v) => {
        const label = t(`field.${key}.${v}`);
        return label === `field.${key}.${v}` ? v : res.locals.lang === 'hu' ? `„${label}”` : `“${label}”`;
      }).join(', ');
    const text = t(`err.${r.code}`, vars);
    out[key] = text === `err.${r.code}` ? r.message : text;
  }
  return out;
}

export function settingsRoutes(ctx: AppContext): Router {
  const router = Router();

  const render = async (req: Request, res: Response, state: { errors?: Record<string, string>; values?: Record<string, string>; saved?: boolean }, status = 200) => {
    const [settings, names, shopMethods, opts] = await Promise.all([
      ctx.settings.get(),
      shopMethodNames(ctx.db).catch(() => new Map<string, string>()),
      listShopMethods(ctx.db),
      options(ctx),
    ]);
    const values = { ...textValues(settings), ...(state.values ?? {}) };
    // First setup: the date from which orders go to the ERP is asked, today by default (saving
    // stores it; until then no order is queued).
    if (!values.export_start_date && !state.errors?.export_start_date) values.export_start_date = today();
    const secrets = { password: settings.password !== '', import_password: settings.import_password !== '' };
    const methods = shopMethods.map((m) => ({ ...m, name: names.get(`${m.type}:${m.code}`) ?? '', erpCode: state.values?.[`${m.type}:${m.code}`] ?? m.erpCode }));
    const data = { groups: GROUPS, values, secrets, methods, errors: state.errors ?? {}, saved: !!state.saved, failed: !!state.errors && Object.keys(state.errors).length > 0, options: opts };
    if (req.headers['hx-request']) return res.status(status).render('partials/settings-form', data);
    res.status(status).render('settings', data);
  };

  /** The mapping's typed values and their refusals (nothing stored). */
  const readMethods = async (res: Response, body: Record<string, unknown>) => {
    const known = await listShopMethods(ctx.db);
    const errors: Record<string, string> = {};
    const values: Record<string, string> = {};
    for (const m of known) {
      const key = `${m.type}:${m.code}`;
      if (!(key in body)) continue;
      const v = String(body[key] ?? '').trim();
      values[key] = v;
      if (v.length > 64 || /[\u0000-\u001f]/.test(v)) errors[key] = translateRefusals(res, { [key]: { code: 'erp_code', vars: {}, message: 'at most 64 characters, no control characters' } })[key]!;
    }
    return { known, values, errors };
  };

  const saveMethods = async (known: Awaited<ReturnType<typeof listShopMethods>>, values: Record<string, string>) => {
    for (const m of known) {
      const key = `${m.type}:${m.code}`;
      if (key in values) await setMethodMapping(ctx.db, m.type, m.code, values[key]!);
    }
  };

  const keepTyped = (raw: Record<string, string>) => Object.fromEntries(Object.entries(raw).filter(([k]) => !SECRET_KEYS.has(k as SettingKey)));

  router.get('/settings', (req, res) => render(req, res, {}));

  // The one Save: every group and the method mapping, all or nothing.
  router.post('/settings', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const raw = fromForm(ALL_KEYS, body);
    const m = await readMethods(res, body);
    const typed = { ...keepTyped(raw), ...m.values };
    const refusedStatus = req.headers['hx-request'] ? 200 : 422;
    if (Object.keys(m.errors).length) {
      // Report the settings' own refusals too (syntax only: nothing is stored either way).
      const refusals: Record<string, Refusal> = {};
      for (const [k, v] of Object.entries(raw)) {
        try {
          parseSetting(k as SettingKey, v);
        } catch (err) {
          if (err instanceof SettingError) refusals[k] = err.refusal;
        }
      }
      return render(req, res, { errors: { ...translateRefusals(res, refusals), ...m.errors }, values: typed }, refusedStatus);
    }
    try {
      await ctx.settings.update(raw);
    } catch (err) {
      if (!(err instanceof SettingsValidationError)) throw err;
      return render(req, res, { errors: translateRefusals(res, err.refusals), values: typed }, refusedStatus);
    }
    await saveMethods(m.known, m.values);
    await render(req, res, { saved: true });
  });

  // Payment and shipping methods → ERP codes alone (older pages, scripts).
  router.post('/settings/methods', async (req, res) => {
    const m = await readMethods(res, (req.body ?? {}) as Record<string, unknown>);
    if (Object.keys(m.errors).length) return render(req, res, { errors: m.errors, values: m.values }, req.headers['hx-request'] ? 200 : 422);
    await saveMethods(m.known, m.values);
    await render(req, res, { saved: true });
  });

  router.post('/settings/:group', async (req, res) => {
    const keys = GROUPS[req.params.group!];
    if (!keys) return res.status(404).end();
    const raw = fromForm(keys, req.body ?? {});
    try {
      await ctx.settings.update(raw);
      await render(req, res, { saved: true });
    } catch (err) {
      if (!(err instanceof SettingsValidationError)) throw err;
      // 200 for htmx so the swap happens; the form itself says it was not saved.
      await render(req, res, { errors: translateRefusals(res, err.refusals), values: keepTyped(raw) }, req.headers['hx-request'] ? 200 : 422);
    }
  });
  return router;
}
