// ERP state → the shop's own order status. The owner picks one of the shop's statuses per state
// in the settings; left empty, the state takes the shop status whose name matches (in the shop's
// admin language, English or Hungarian, as OpenCart and its Hungarian language packs name
// them). Ids are never assumed: a shop whose statuses have other names gets no default, and a
// record in that state is refused until the owner chooses one.
import { ERP_STATES, type ErpState } from '../erp/order-status-records.js';
import type { Settings } from '../settings/schema.js';
import type { OrderStatus } from '../shop/catalog.js';

/** Names a status of each state goes by, best first (compared case- and accent-insensitively). */
export const DEFAULT_STATUS_NAMES: Record<ErpState, string[]> = {
  szamlazva: ['Számlázva', 'Processed', 'Feldolgozva', 'Processing', 'Feldolgozás alatt'],
  szallitas_alatt: ['Szállítás alatt', 'Shipped', 'Szállítva', 'Kiszállítva', 'Postázva'],
  teljesitve: ['Teljesítve', 'Complete', 'Completed', 'Teljesített', 'Lezárva'],
  sztornozva: ['Sztornózva', 'Canceled', 'Cancelled', 'Törölve', 'Visszavonva'],
  visszakuldve: ['Visszaküldve', 'Returned', 'Refunded', 'Visszatérítve'],
};

const norm = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').trim().toLowerCase();

export interface ResolvedStatus {
  /** null: neither chosen nor found by name. */
  id: number | null;
  name: string | null;
  /** 'setting' when the owner chose it, 'name' when matched by name. */
  source: 'setting' | 'name' | null;
}

export function resolveStatusMap(settings: Settings, statuses: OrderStatus[]): Record<ErpState, ResolvedStatus> {
  const byId = new Map(statuses.map((s) => [s.orderStatusId, s.name]));
  const out = {} as Record<ErpState, ResolvedStatus>;
  for (const state of ERP_STATES) {
    const chosen = Number(settings[`status_map_${state}`] || 0);
    if (chosen && byId.has(chosen)) {
      out[state] = { id: chosen, name: byId.get(chosen)!, source: 'setting' };
      continue;
    }
    let found: OrderStatus | undefined;
    for (const name of DEFAULT_STATUS_NAMES[state]) {
      found = statuses.find((s) => norm(s.name) === norm(name));
      if (found) break;
    }
    out[state] = found ? { id: found.orderStatusId, name: found.name, source: 'name' } : { id: null, name: null, source: null };
  }
  return out;
}

/**
 * The statuses an order is never moved out of without `force`: those the completed and cancelled
 * states map to. (Not the shop's config_complete_status: OpenCart counts Shipped there too, and
 * shipped → completed is the normal way forward.)
 */
export function finalStatuses(map: Record<ErpState, ResolvedStatus>): Set<number> {
  const ids = new Set<number>();
  for (const s of ['teljesitve', 'sztornozva'] as const) if (map[s].id) ids.add(map[s].id!);
  return ids;
}
