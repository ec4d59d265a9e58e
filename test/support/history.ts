// The products' history as tests read it: every change recorded for a code, in both of its forms
// (rows and blocks), whatever state its run is in. Reads every block: for tests only (the product
// page reads through ProductHistory, by slot).
import type { Database } from '../../app/db/database.js';
import { unpackBlock } from '../../app/plugin/change-blocks.js';

export interface RecordedChange {
  run_id: number;
  field: string;
  old_value: number | null;
  new_value: number | null;
  promo_start: string | null;
  promo_end: string | null;
}

/** Every change recorded under `code`, oldest run first (within a run, in the order written). */
export async function changesByCode(db: Database, code: string): Promise<RecordedChange[]> {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const rows = (await db.knex(db.own('product_change')).where({ code }).orderBy('id').select('id', 'run_id', 'field', 'old_value', 'new_value', 'promo_start', 'promo_end')) as Array<Record<string, unknown>>;
  const found = rows.map((r) => ({ order: [Number(r.run_id), 1, Number(r.id), 0], change: { run_id: Number(r.run_id), field: String(r.field), old_value: num(r.old_value), new_value: num(r.new_value), promo_start: (r.promo_start as string | null) ?? null, promo_end: (r.promo_end as string | null) ?? null } }));
  const blocks = (await db.knex(db.own('product_change_block')).orderBy('id').select('id', 'run_id', 'field', 'data')) as Array<{ id: number | string; run_id: number | string; field: string; data: string }>;
  for (const b of blocks) {
    unpackBlock(b.data).forEach((e, i) => {
      if (e.code === code) found.push({ order: [Number(b.run_id), 0, Number(b.id), i], change: { run_id: Number(b.run_id), field: b.field, old_value: e.old, new_value: e.value, promo_start: e.start ?? null, promo_end: e.end ?? null } });
    });
  }
  found.sort((a, b) => a.order[0]! - b.order[0]! || a.order[1]! - b.order[1]! || a.order[2]! - b.order[2]! || a.order[3]! - b.order[3]!);
  return found.map((f) => f.change);
}
