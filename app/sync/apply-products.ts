// Prices, stock and promo prices: stage the validated records, match them to products, and
// apply each concern with one joined statement. A dry run stops before the first shop write.
import type { Database } from '../db/database.js';
import type { Counts, JournalItem } from '../plugin/journal.js';
import type { Settings } from '../settings/schema.js';
import { defaultLanguage, listCustomerGroups, listLanguages, listTaxClasses } from '../shop/catalog.js';
import { ProductMasterWriter } from '../shop/product-master.js';
import { ProductStaging } from '../shop/product-staging.js';
import { readConfigValue } from '../shop/setting-rows.js';
import { SpecialWriter } from '../shop/specials.js';
import { addDays, now as nowFn, today as todayFn } from '../util/time.js';
import type { PushKind } from './push-kinds.js';
import type { StagedProduct } from './validate-products.js';

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

export async function applyProducts(db: Database, runId: number, kind: Exclude<PushKind, 'categories'>, rows: StagedProduct[], settings: Settings, opts: ApplyOptions): Promise<ApplyResult> {
  const st = new ProductStaging(db, runId);
  const step = async (name: string) => opts.checkpoint?.(name);
  const full = kind === 'prices' && settings.sync_type === 'full';
  const now = nowFn();
  const today = todayFn();
  try {
    await st.load(rows, opts.onProgress);
    await st.match(settings.product_code_field);
    await step('matched');

    let master: ProductMasterWriter | undefined;
    if (full) {
      const lang = await defaultLanguage(db);
      master = new ProductMasterWriter(st, lang.languageId);
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

    if (settings.price_basis === 'gross' && kind !== 'stock') await st.grossToNet(kind === 'prices' ? 'price' : 'promo', await vatRates(db, settings));

    if (kind === 'prices') {
      await st.classify(master ? master.sameExpr() : 'ROUND(p.price, 4) = ROUND(s.price, 4)');
    } else if (kind === 'stock') {
      await st.classify('p.quantity = s.quantity');
    }
    let specials: SpecialWriter | undefined;
    if (kind === 'promo-prices') {
      specials = new SpecialWriter(st, await promoGroups(db, settings), today, addDays(today, -1));
      await specials.resolveStartDates();
      await specials.classify();
    }
    await st.markUnmatched();
    await step('classified');

    if (!opts.dryRun) {
      if (kind === 'prices' && master) await master.apply(now, (await listLanguages(db)).map((l) => l.languageId));
      else if (kind === 'prices') await st.applyToProducts({ price: 's.price' }, now);
      else if (kind === 'stock') await st.applyToProducts({ quantity: 's.quantity' }, now);
      else await specials!.apply(now);
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
        reason: r.outcome === 'unknown'
          ? `no product has ${field} "${r.code}"${full ? ' (send nev to create it)' : ''}`
          : `${r.match_count} products have ${field} "${r.code}": none was changed`,
      })),
    };
  } finally {
    await st.clear().catch(() => {});
  }
}
