// Which shop order status each ERP state takes (docs/integration.md, "Which shop status"): the
// owner's choice when the shop still has it, else the shop status of a matching name (case,
// accents and surrounding spaces aside, the names in their order of preference), else none; and
// which statuses are final (completed and cancelled, never Shipped). Pure: no database.
import { describe, expect, it } from 'vitest';
import { DEFAULTS, type Settings } from '../../app/settings/schema.js';
import type { OrderStatus } from '../../app/shop/catalog.js';
import { finalStatuses, resolveStatusMap } from '../../app/sync/order-status-map.js';

const settings = (over: Partial<Settings> = {}): Settings => ({ ...structuredClone(DEFAULTS), ...over });
const statuses = (...rows: Array<[number, string]>): OrderStatus[] => rows.map(([orderStatusId, name]) => ({ orderStatusId, name }));

describe('ERP state → shop status by name', () => {
  it('compares names without case, accents or surrounding spaces', () => {
    const m = resolveStatusMap(settings(), statuses([4, ' SZAMLAZVA '], [6, 'szállítás ALATT'], [8, 'Teljesitett'], [9, 'sztornózva'], [12, 'VISSZAKULDVE']));
    expect(m).toEqual({
      szamlazva: { id: 4, name: ' SZAMLAZVA ', source: 'name' },
      szallitas_alatt: { id: 6, name: 'szállítás ALATT', source: 'name' },
      teljesitve: { id: 8, name: 'Teljesitett', source: 'name' },
      sztornozva: { id: 9, name: 'sztornózva', source: 'name' },
      visszakuldve: { id: 12, name: 'VISSZAKULDVE', source: 'name' },
    });
  });

  it('takes the name preferred first, wherever the shop lists it, and a later name only when no earlier one matches', () => {
    // Processing stands before Processed in the shop; Processed is the preferred name.
    expect(resolveStatusMap(settings(), statuses([2, 'Processing'], [15, 'Processed'])).szamlazva.id).toBe(15);
    // Only the fourth and the last name of the list are in the shop: the fourth wins.
    expect(resolveStatusMap(settings(), statuses([30, 'Postázva'], [20, 'Kiszállítva'])).szallitas_alatt.id).toBe(20);
    expect(resolveStatusMap(settings(), statuses([30, 'Postázva'])).szallitas_alatt.id).toBe(30);
  });

  it('a state with neither a choice nor a matching name has no status', () => {
    const m = resolveStatusMap(settings(), statuses([1, 'Pending'], [2, 'Ready']));
    for (const s of Object.values(m)) expect(s).toEqual({ id: null, name: null, source: null });
    expect(Object.keys(m)).toEqual(['szamlazva', 'szallitas_alatt', 'teljesitve', 'sztornozva', 'visszakuldve']);
  });
});

describe("the owner's choice", () => {
  const shop = statuses([2, 'Processing'], [3, 'Shipped'], [5, 'Complete'], [15, 'Processed']);

  it('wins over the name when the shop has that status, per state', () => {
    const m = resolveStatusMap(settings({ status_map_szamlazva: '2', status_map_teljesitve: '3' }), shop);
    expect(m.szamlazva).toEqual({ id: 2, name: 'Processing', source: 'setting' });
    expect(m.teljesitve).toEqual({ id: 3, name: 'Shipped', source: 'setting' });
    expect(m.szallitas_alatt).toEqual({ id: 3, name: 'Shipped', source: 'name' });
  });

  it('a choice the shop no longer has, or none, falls back to the name', () => {
    expect(resolveStatusMap(settings({ status_map_szamlazva: '99' }), shop).szamlazva).toEqual({ id: 15, name: 'Processed', source: 'name' });
    expect(resolveStatusMap(settings({ status_map_szamlazva: '' }), shop).szamlazva).toEqual({ id: 15, name: 'Processed', source: 'name' });
    expect(resolveStatusMap(settings({ status_map_szamlazva: '99' }), statuses([1, 'Pending'])).szamlazva).toEqual({ id: null, name: null, source: null });
  });
});

describe('final statuses', () => {
  it('are the statuses of completed and cancelled only', () => {
    const m = resolveStatusMap(settings(), statuses([2, 'Processed'], [3, 'Shipped'], [5, 'Complete'], [7, 'Canceled'], [11, 'Refunded']));
    expect([...finalStatuses(m)].sort((a, b) => a - b)).toEqual([5, 7]);
  });

  it('a final state the shop has no status for adds nothing', () => {
    expect([...finalStatuses(resolveStatusMap(settings(), statuses([7, 'Canceled'])))]).toEqual([7]);
    expect([...finalStatuses(resolveStatusMap(settings(), statuses([1, 'Pending'])))]).toEqual([]);
  });
});
