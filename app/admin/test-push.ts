// The admin's "test" button: one record through the real integration endpoint as a dry run,
// over loopback HTTP with the configured credentials, so it proves what the ERP would see.
// The page says the outcome as a sentence (from the answer's counts and the run's journaled
// records, in the owner's language); the raw answer stays available beside it.
import type { AppContext } from '../context.js';
import { Journal, type JournalItemRow, type RunRow } from '../plugin/journal.js';
import type { IntegrationKind } from '../sync/push-kinds.js';

export interface TestPushResult {
  status: number;
  /** The answer as the ERP would get it (pretty-printed when JSON). */
  body: string;
  kind: IntegrationKind;
  /** The answer's counts, when the push was processed. */
  counts: Record<string, number> | null;
  /** The journal run the test made, and its records not applied (the first few). */
  run: RunRow | null;
  items: JournalItemRow[];
}

export async function testPush(ctx: AppContext, kind: IntegrationKind, localPort: number): Promise<TestPushResult | null> {
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
  type Answer = { run?: unknown; counts?: Record<string, number> };
  let parsed = null as Answer | null;
  try {
    parsed = JSON.parse(text) as Answer;
    body = JSON.stringify(parsed, null, 2);
  } catch {
    /* not JSON: show as is */
  }
  const journal = new Journal(ctx.db);
  const runId = Number(parsed?.run);
  const run = Number.isInteger(runId) && runId > 0 ? ((await journal.get(runId)) ?? null) : null;
  const items = run ? await journal.items(run.id, { limit: 5 }) : [];
  return { status: res.status, body, kind, counts: parsed?.counts && typeof parsed.counts === 'object' ? parsed.counts : null, run, items };
}
