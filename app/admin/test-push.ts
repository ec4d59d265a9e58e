// The admin's "test" button: one record through the real integration endpoint as a dry run,
// over loopback HTTP with the configured credentials, so it proves what the ERP would see.
import type { AppContext } from '../context.js';
import type { IntegrationKind } from '../sync/push-kinds.js';

export async function testPush(ctx: AppContext, kind: IntegrationKind, localPort: number): Promise<{ status: number; body: string } | null> {
  const s = await ctx.settings.get();
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (s.import_password) headers['X-Import-Password'] = s.import_password;
  else if (s.webshop_id && s.password) headers.Authorization = 'Basic ' + Buffer.from(`${s.webshop_id}:${s.password}`).toString('base64');
  else return null;
  let record: Record<string, string>;
  if (kind === 'order-status') {
    // The newest order the shop has, as "invoiced": a dry run shows how it would be answered.
    const o = await ctx.db.knex(ctx.db.t('order')).where('order_status_id', '>', 0).orderBy('order_id', 'desc').first('order_id');
    record = { order_id: String(o?.order_id ?? 1), allapot: 'szamlazva' };
  } else if (kind === 'categories') record = { kod: 'ERP-BRIDGE-TEST', szulo: '', nev: 'erp-bridge test' };
  else {
    const p = await ctx.db.knex(ctx.db.t('product')).orderBy('product_id').first(s.product_code_field, 'price', 'quantity');
    const code = String(p?.[s.product_code_field] ?? 'ERP-BRIDGE-TEST');
    record = kind === 'prices' ? { termekkod: code, ar: String(p?.price ?? 1) } : kind === 'stock' ? { termekkod: code, szabadraktar: String(p?.quantity ?? 0) } : { termekkod: code, arakcios: '0' };
  }
  const res = await fetch(`http://127.0.0.1:${localPort}/integration/${kind}?dry_run=1`, { method: 'POST', headers, body: JSON.stringify([record]), signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  let body = text;
  try {
    body = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    /* not JSON: show as is */
  }
  return { status: res.status, body };
}
