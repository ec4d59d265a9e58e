// The category tree follows the ERP (full sync): upsert by ERP code through the mapping table,
// parents may come after their children, a move re-parents the whole subtree, and
// category_path is rebuilt exactly as OpenCart keeps it. Categories missing from a push are
// left alone. Categories are few (hundreds, not 100k): the tree is planned in memory and
// written with multi-row statements.
import { echo } from '../util/echo.js';
import { reason, type Reason } from '../erp/reasons.js';
import type { Database } from '../db/database.js';
import type { RawRecord } from '../erp/record.js';
import type { Counts, JournalItem } from '../plugin/journal.js';
import { listLanguages, defaultLanguage } from '../shop/catalog.js';
import {
  CategoryWriter, loadCategories, loadCategoryMap, loadDescriptionKeys, loadNames, loadPaths, loadStoreLinks, nextCategoryId,
  type PathRow,
} from '../shop/categories.js';
import { shopSchema } from '../shop/schema.js';
import { writeCategorySeoUrls } from '../shop/seo-urls.js';
import { readConfigValue } from '../shop/setting-rows.js';
import { encodeLikeOpenCart } from '../util/html.js';
import { now as nowFn } from '../util/time.js';
import { CATEGORY_FIELDS } from './push-kinds.js';

interface CategoryRecord {
  seq: number;
  code: string;
  parentCode: string;
  name: string;
  sortOrder: number | null;
  status: number | null;
}

export interface CategoryResult {
  counts: Partial<Counts>;
  notApplied: JournalItem[];
  unknownFields: string[];
}

const ACTIVE: Record<string, number> = { '1': 1, igen: 1, i: 1, true: 1, yes: 1, aktiv: 1, '0': 0, nem: 0, n: 0, false: 0, no: 0, inaktiv: 0 };

function parseRecords(records: RawRecord[], rejected: JournalItem[], unknownFields: Set<string>): CategoryRecord[] {
  const counts = new Map<string, number[]>();
  for (const r of records) {
    const code = (r.fields.kod ?? '').trim();
    if (code) counts.set(code, [...(counts.get(code) ?? []), r.seq]);
  }
  const out: CategoryRecord[] = [];
  for (const r of records) {
    for (const f of Object.keys(r.fields)) if (!CATEGORY_FIELDS.includes(f)) unknownFields.add(f);
    const code = (r.fields.kod ?? '').trim();
    const bad = (why: Reason) => rejected.push({ seq: r.seq, code, outcome: 'invalid', ...why });
    if (!code) { bad(reason('no_code', { record: r.seq, line: r.line, field: 'kod' })); continue; }
    if (code.length > 64) { bad(reason('code_too_long', { field: 'kod', max: 64 })); continue; }
    const twins = counts.get(code)!;
    if (twins.length > 1) { bad(reason('twins', { n: twins.length, records: twins.join(', ') })); continue; }
    const rawName = (r.fields.nev ?? '').trim();
    if (!rawName) { bad(reason('no_name')); continue; }
    if (/[\u{10000}-\u{10FFFF}]/u.test(rawName)) { bad(reason('four_byte', { field: 'nev' })); continue; }
    const name = encodeLikeOpenCart(rawName);
    if (name.length > 255) { bad(reason('too_long_stored', { field: 'nev', max: 255 })); continue; }
    const parentCode = (r.fields.szulo ?? '').trim();
    if (parentCode === code) { bad(reason('own_parent')); continue; }
    let sortOrder: number | null = null;
    if ((r.fields.sorrend ?? '').trim() !== '') {
      const n = Number(r.fields.sorrend!.trim());
      if (!Number.isInteger(n) || n < -99999 || n > 99999) { bad(reason('not_whole_number', { field: 'sorrend', value: echo(r.fields.sorrend) })); continue; }
      sortOrder = n;
    }
    let status: number | null = null;
    if ((r.fields.aktiv ?? '').trim() !== '') {
      status = ACTIVE[r.fields.aktiv!.trim().toLowerCase()] ?? -1;
      if (status < 0) { bad(reason('not_yes_no', { field: 'aktiv', value: echo(r.fields.aktiv) })); continue; }
    }
    out.push({ seq: r.seq, code, parentCode, name, sortOrder, status });
  }
  return out;
}

/**
 * OpenCart's category_path rows for one category, from a parent map. The walk up stops at a
 * category met before: the owner's own categories may loop (x under y, y under x), and a path
 * naming one twice would break category_path's key half-way through a push.
 */
function pathOf(id: number, parentOf: (id: number) => number | undefined): PathRow[] {
  const chain: number[] = [];
  const seen = new Set<number>();
  for (let cur: number | undefined = id; cur && !seen.has(cur); cur = parentOf(cur)) {
    seen.add(cur);
    chain.unshift(cur);
  }
  return chain.map((pathId, level) => ({ category_id: id, path_id: pathId, level }));
}

export async function applyCategories(db: Database, records: RawRecord[], opts: { dryRun: boolean }): Promise<CategoryResult> {
  const rejected: JournalItem[] = [];
  const unknownFields = new Set<string>();
  let recs = parseRecords(records, rejected, unknownFields);

  const [shop, map, lang, languages] = await Promise.all([loadCategories(db), loadCategoryMap(db), defaultLanguage(db), listLanguages(db)]);
  const byCode = new Map(recs.map((r) => [r.code, r]));

  // Parents must exist (in this document or already mapped) and the result must be a tree.
  const invalid = new Map<string, Reason>();
  for (const r of recs) if (r.parentCode && !byCode.has(r.parentCode) && !map.has(r.parentCode)) invalid.set(r.code, reason('parent_unknown', { value: echo(r.parentCode) }));
  const idOfCode = (code: string) => map.get(code);
  const codeOfId = new Map([...map].map(([c, id]) => [id, c]));
  const parentCodeOf = (code: string): string | null => {
    const rec = byCode.get(code);
    if (rec) return rec.parentCode || null;
    const id = idOfCode(code);
    let parent = id !== undefined ? shop.get(id)?.parentId : undefined;
    // Walk up through shop categories the ERP does not own until one it does.
    for (let guard = 0; parent && guard < 1000; guard++) {
      const c = codeOfId.get(parent);
      if (c !== undefined) return c;
      parent = shop.get(parent)?.parentId;
    }
    return null;
  };
  for (const r of recs) {
    const seen = new Set<string>([r.code]);
    for (let p = parentCodeOf(r.code); p; p = parentCodeOf(p)) {
      if (seen.has(p)) {
        invalid.set(r.code, reason('parent_cycle', { chain: [...seen, p].join(' → ') }));
        break;
      }
      seen.add(p);
    }
  }
  // A record under an invalid parent is invalid too.
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of recs) {
      if (!invalid.has(r.code) && r.parentCode && invalid.has(r.parentCode)) {
        invalid.set(r.code, reason('parent_invalid', { value: echo(r.parentCode) }));
        changed = true;
      }
    }
  }
  for (const r of recs) if (invalid.has(r.code)) rejected.push({ seq: r.seq, code: r.code, outcome: 'invalid', ...invalid.get(r.code)! });
  recs = recs.filter((r) => !invalid.has(r.code));

  // Ids: the mapped category, or a new one (also when the mapped category was deleted).
  let next = await nextCategoryId(db);
  const newMappings: Array<{ erp_code: string; category_id: number; updated_at: string }> = [];
  const idOf = new Map<string, number>();
  const now = nowFn();
  for (const r of recs) {
    const id = map.get(r.code);
    if (id !== undefined) idOf.set(r.code, id);
    else {
      idOf.set(r.code, next);
      newMappings.push({ erp_code: r.code, category_id: next++, updated_at: now });
    }
  }
  const parentIdOf = (r: CategoryRecord) => (r.parentCode ? (idOf.get(r.parentCode) ?? map.get(r.parentCode)!) : 0);

  const [names, descKeys, storeLinks, paths] = await Promise.all([loadNames(db, lang.languageId), loadDescriptionKeys(db), loadStoreLinks(db), loadPaths(db)]);
  const created: Array<Record<string, unknown>> = [];
  const changedRows: Array<{ category_id: number; parent_id: number; sort_order: number; status: number }> = [];
  const renames: Array<{ category_id: number; name: string }> = [];
  const newDescriptions: Array<Record<string, unknown>> = [];
  const newStoreLinks: number[] = [];
  const outcome = new Map<string, 'created' | 'updated' | 'unchanged'>();

  for (const r of recs) {
    const id = idOf.get(r.code)!;
    const parentId = parentIdOf(r);
    const existing = shop.get(id);
    if (!existing) {
      created.push({ category_id: id, image: '', parent_id: parentId, top: parentId === 0 ? 1 : 0, column: 1, sort_order: r.sortOrder ?? 0, status: r.status ?? 1, date_added: now, date_modified: now });
      outcome.set(r.code, 'created');
    } else {
      const want = { category_id: id, parent_id: parentId, sort_order: r.sortOrder ?? existing.sortOrder, status: r.status ?? existing.status };
      const changed = want.parent_id !== existing.parentId || want.sort_order !== existing.sortOrder || want.status !== existing.status;
      if (changed) changedRows.push(want);
      outcome.set(r.code, changed ? 'updated' : 'unchanged');
    }
    if (existing && names.has(id) && names.get(id) !== r.name) {
      renames.push({ category_id: id, name: r.name });
      outcome.set(r.code, 'updated');
    }
    for (const l of languages) {
      if (!descKeys.has(`${id}:${l.languageId}`)) {
        newDescriptions.push({ category_id: id, language_id: l.languageId, name: r.name, description: '', meta_title: r.name, meta_description: '', meta_keyword: '' });
        if (existing) outcome.set(r.code, 'updated');
      }
    }
    if (!storeLinks.has(id)) {
      newStoreLinks.push(id);
      if (existing) outcome.set(r.code, 'updated');
    }
  }

  // Paths: from the tree as it will be, for every category in the document and below it.
  const parent = new Map<number, number>([...shop].map(([id, c]) => [id, c.parentId]));
  for (const r of recs) parent.set(idOf.get(r.code)!, parentIdOf(r));
  const children = new Map<number, number[]>();
  for (const [id, p] of parent) children.set(p, [...(children.get(p) ?? []), id]);
  const affected = new Set<number>();
  const stack = recs.map((r) => idOf.get(r.code)!);
  while (stack.length) {
    const id = stack.pop()!;
    if (affected.has(id)) continue;
    affected.add(id);
    stack.push(...(children.get(id) ?? []));
  }
  const codeOfDocId = new Map([...idOf].map(([code, id]) => [id, code]));
  const pathChanged: number[] = [];
  const pathRows: PathRow[] = [];
  for (const id of affected) {
    const want = pathOf(id, (c) => parent.get(c));
    const have = paths.get(id) ?? [];
    const same = want.length === have.length && want.every((w, i) => w.path_id === have[i]!.path_id && w.level === have[i]!.level);
    if (!same) {
      pathChanged.push(id);
      pathRows.push(...want);
      const code = codeOfDocId.get(id);
      if (code && outcome.get(code) === 'unchanged') outcome.set(code, 'updated');
    }
  }

  if (!opts.dryRun) {
    const schema = await shopSchema(db);
    const w = new CategoryWriter(db, schema);
    // Mapping first: a crash after it leaves the code pointing at an id the next push creates.
    await w.addMappings(newMappings);
    await w.insertCategories(created);
    await w.updateCategories(changedRows, now);
    await w.renameInLanguage(lang.languageId, renames);
    await w.insertDescriptions(newDescriptions);
    await w.addStoreLinks(newStoreLinks);
    await w.replacePaths(pathChanged, pathRows);
    if ((await readConfigValue(db, 'config_seo_url')) === '1') {
      const nameOf = new Map(recs.map((r) => [idOf.get(r.code)!, r.name]));
      const seo = [...new Set([...created.map((c) => Number(c.category_id)), ...pathChanged])].map((id) => ({
        categoryId: id,
        path: pathOf(id, (c) => parent.get(c)).map((p) => p.path_id),
        oldPath: paths.has(id) ? paths.get(id)!.map((p) => p.path_id) : null,
        name: nameOf.get(id) ?? names.get(id) ?? '',
      }));
      await writeCategorySeoUrls(db, schema, languages.map((l) => l.languageId), seo);
    }
  }

  const counts: Partial<Counts> = { received: records.length, created: 0, updated: 0, unchanged: 0, invalid: 0 };
  for (const o of outcome.values()) counts[o] = (counts[o] ?? 0) + 1;
  counts.invalid = rejected.length;
  return { counts, notApplied: rejected.sort((a, b) => a.seq - b.seq), unknownFields: [...unknownFields].sort() };
}
