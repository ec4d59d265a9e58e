// Prices, stock and promo prices, in two shapes. Stock and stock-and-price prices (the 100k hot
// path) match codes in memory after one read of the product table and stage only what changes.
// Promo prices and full sync stage every record, match it in SQL, and apply each concern with
// one joined statement. A dry run stops before the first shop write.
import type { Database } from '../db/database.js';
import type { Counts, JournalItem } from '../plugin/journal.js';
import type { Settings } from '../settings/schema.js';
import { defaultLanguage, listCustomerGroups, listLanguages, listTaxClasses } from '../shop/catalog.js';
import { ProductMasterWriter } from '../shop/product-master.js';
import { ProductStaging } from '../shop/product-staging.js';
import { loadProductIndex } from '../shop/product-index.js';
import { applyProductChanges, type ProductChange } from '../shop/product-changes.js';
import { readConfigValue } from '../shop/setting-rows.js';
import { SpecialWriter } from '../shop/specials.js';
import { shopSchema } from '../shop/schema.js';
import { addDays, now as nowFn, today as todayFn } from '../util/time.js';
import type { PushKind } from './push-kinds.js';
import type { StagedProduct } from './validate-products.js';
import { recordStagedPrices, recordStagedPromos } from '../plugin/product-history.js';
import { reason, type Reason } from '../erp/reasons.js';

export interface ApplyOptions {
  dryRun: boolean;
  /** Called between steps; tests use it to stop a push half-way, as a crash would. */
  checkpoint?: (step: string) => Promise<void> | void;
  onProgress?: (staged: number) => Promise<void>;
}

export interface ApplyResult {
  counts: Partial<Counts>;
  notApplied: JournalItem[];
}

/** VAT percent per tax class: the owner's VAT mapping first, else the class's own rates. */
async function vatRates(db: Database, settings: Settings): Promise<Map<number, number>> {
  const rates = new Map<number, number>();
  for (const c of await listTaxClasses(db)) rates.set(c.taxClassId, c.percent);
  for (const [rate, cls] of Object.entries(settings.vat_map)) rates.set(cls, Number(rate));
  return rates;
}

async function promoGroups(db: Database, settings: Settings): Promise<number[]> {
  if (settings.promo_customer_groups.length) return settings.promo_customer_groups;
  return (await listCustomerGroups(db)).map((g) => g.customerGroupId);
}

function unmatchedReason(field: string, code: string, full: boolean): Reason {
  return reason(full ? 'unknown_code_full' : 'unknown_code', { codeField: field, code });
}

function ambiguousReason(field: string, code: string, n: number): Reason {
  return reason('ambiguous_code', { n, codeField: field, code });
}

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

/**
 * Stock, and prices in stock-and-price sync: the hot path for 100k-record documents. One read
 * of the product table answers matching, ambiguity and what differs; only the rows that change
 * are loaded into a temporary table, and one UPDATE joined on the primary key writes them. A
 * resend of an unchanged document writes nothing at all.
 */
async function applyDirect(db: Database, runId: number, kind: 'prices' | 'stock', rows: StagedProduct[], settings: Settings, rates: Map<number, number> | null, opts: ApplyOptions): Promise<ApplyResult> {
  const field = settings.product_code_field;
  const index = await loadProductIndex(db, field, kind === 'stock' ? ['quantity'] : rates ? ['price', 'tax_class_id'] : ['price']);
  const notApplied: JournalItem[] = [];
  const changes: ProductChange[] = [];
  let matched = 0;
  for (const r of rows) {
    const found = index.get(r.code);
    if (!found) notApplied.push({ seq: r.seq, code: r.code, outcome: 'unknown', ...unmatchedReason(field, r.code, false) });
    else if (found.length > 1) notApplied.push({ seq: r.seq, code: r.code, outcome: 'ambiguous', ...ambiguousReason(field, r.code, found.length) });
    else {
      matched++;
      const p = found[0]!;
      if (kind === 'stock') {
        if (p.quantity !== r.quantity) changes.push({ productId: p.productId, code: p.storedCode, value: r.quantity! });
      } else {
        const net = rates ? round4(r.gross! / (1 + (rates.get(p.taxClassId) ?? 0) / 100)) : r.price!;
        if (round4(p.price) !== round4(net)) changes.push({ productId: p.productId, code: p.storedCode, value: net });
      }
    }
  }
  await opts.checkpoint?.('classified');
  let updated = changes.length;
  if (!opts.dryRun) {
    updated = await applyProductChanges(db, field, kind === 'stock' ? 'quantity' : 'price', changes, nowFn(), () => opts.checkpoint?.('loaded'), runId);
    await opts.onProgress?.(rows.length);
    await opts.checkpoint?.('applied');
  }
  return { counts: { updated, unchanged: matched - updated, unknown: notApplied.filter((n) => n.outcome === 'unknown').length, ambiguous: notApplied.filter((n) => n.outcome === 'ambiguous').length }, notApplied };
}

export async function applyProducts(db: Database, runId: number, kind: Exclude<PushKind, 'categories'>, rows: StagedProduct[], settings: Settings, opts: ApplyOptions): Promise<ApplyResult> {
  const full = kind === 'prices' && settings.sync_type === 'full';
  if (kind === 'stock' || (kind === 'prices' && !full)) {
    const rates = kind === 'prices' && settings.price_basis === 'gross' ? await vatRates(db, settings) : null;
    return applyDirect(db, runId, kind, rows, settings, rates, opts);
  }
  const st = new ProductStaging(db, runId, kind);
  const step = async (name: string) => opts.checkpoint?.(name);
  const now = nowFn();
  const today = todayFn();
  try {
    await st.load(rows, opts.onProgress);
    await st.match(settings.product_code_field);
    await step('matched');

    let master: ProductMasterWriter | undefined;
    if (full) {
      const lang = await defaultLanguage(db);
      master = new ProductMasterWriter(st, lang.languageId, await shopSchema(db));
      await master.markCreatable();
      if (!opts.dryRun) {
        const cfg = async (key: string, fallback: number) => Number((await readConfigValue(db, key)) ?? fallback) || fallback;
        await master.createProducts({
          codeField: settings.product_code_field,
          status: settings.new_product_status === 'enabled' ? 1 : 0,
          stockStatusId: await cfg('config_stock_status_id', 5),
          weightClassId: await cfg('config_weight_class_id', 1),
          lengthClassId: await cfg('config_length_class_id', 1),
          today,
          now,
        });
        await step('created');
      }
      await master.resolveCategories();
    }

    if (settings.price_basis === 'gross') await st.grossToNet(kind === 'prices' ? 'price' : 'promo', await vatRates(db, settings));

    if (master) await st.classify(master.sameExpr());
    let specials: SpecialWriter | undefined;
    if (kind === 'promo-prices') {
      specials = new SpecialWriter(st, (await shopSchema(db)).specials, await promoGroups(db, settings), today, addDays(today, -1));
      await specials.resolveStartDates();
      await specials.classify();
    }
    await st.markUnmatched();
    await step('classified');

    if (!opts.dryRun) {
      // The products' history: prices read before they change, promos as written.
      if (master) {
        await recordStagedPrices(db, runId, st.S);
        await master.apply(now, (await listLanguages(db)).map((l) => l.languageId), step);
      } else {
        await specials!.apply(now, step);
        await recordStagedPromos(db, runId, st.S);
      }
      await step('applied');
    }

    const { counts, notApplied } = await st.outcomes();
    const field = settings.product_code_field;
    return {
      counts,
      notApplied: notApplied.map((r) => ({
        seq: Number(r.seq),
        code: String(r.code),
        outcome: String(r.outcome),
        ...(r.outcome === 'unknown' ? unmatchedReason(field, String(r.code), full) : ambiguousReason(field, String(r.code), Number(r.match_count))),
      })),
    };
  } finally {
    await st.clear().catch(() => {});
  }
}
