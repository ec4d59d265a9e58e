// The default address of customer accounts (Account > Address Book), for orders that carry no
// address of their own: OpenCart 4.x asks for no payment address by default, and an order with
// nothing to ship has no shipping address either. One query for a batch of customers. The schema
// differs by release (3.0 points at it from customer.address_id, 4.x flags address.default; 4.1
// keeps country names in country_description), so the columns are probed once.
import type { Database } from '../db/database.js';

export interface AccountAddress {
  firstname: string;
  lastname: string;
  company: string;
  address_1: string;
  address_2: string;
  city: string;
  postcode: string;
  country: string;
  zone: string;
}

interface Shape {
  hasAddress: boolean;
  customerAddressId: boolean;
  countryName: 'country' | 'country_description' | null;
  zoneName: 'zone' | 'zone_description' | null;
}

async function probe(db: Database): Promise<Shape> {
  const s = db.knex.schema;
  const [hasAddress, customerAddressId, countryHasName, countryDescription, zoneHasName, zoneDescription] = await Promise.all([
    s.hasTable(db.t('address')),
    s.hasColumn(db.t('customer'), 'address_id').catch(() => false),
    s.hasColumn(db.t('country'), 'name').catch(() => false),
    s.hasTable(db.t('country_description')),
    s.hasColumn(db.t('zone'), 'name').catch(() => false),
    s.hasTable(db.t('zone_description')),
  ]);
  return {
    hasAddress,
    customerAddressId,
    countryName: countryHasName ? 'country' : countryDescription ? 'country_description' : null,
    zoneName: zoneHasName ? 'zone' : zoneDescription ? 'zone_description' : null,
  };
}

export async function readAccountAddresses(db: Database, customerIds: number[], languageId: number): Promise<Map<number, AccountAddress>> {
  const ids = [...new Set(customerIds.filter((id) => id > 0))];
  const out = new Map<number, AccountAddress>();
  if (ids.length === 0) return out;
  const shape = await probe(db);
  if (!shape.hasAddress) return out;
  const k = db.knex;
  const q = k(`${db.t('address')} as a`).whereIn('a.customer_id', ids);
  if (shape.customerAddressId) q.join(`${db.t('customer')} as c`, 'c.address_id', 'a.address_id');
  else q.where('a.default', 1);
  const cols: Array<string | ReturnType<typeof k.raw>> = ['a.customer_id', 'a.firstname', 'a.lastname', 'a.company', 'a.address_1', 'a.address_2', 'a.city', 'a.postcode'];
  if (shape.countryName === 'country') {
    q.leftJoin(`${db.t('country')} as co`, 'co.country_id', 'a.country_id');
    cols.push('co.name as country');
  } else if (shape.countryName === 'country_description') {
    q.leftJoin(`${db.t('country_description')} as co`, function () {
      this.on('co.country_id', 'a.country_id').andOn('co.language_id', k.raw('?', [languageId]));
    });
    cols.push('co.name as country');
  }
  if (shape.zoneName === 'zone') {
    q.leftJoin(`${db.t('zone')} as z`, 'z.zone_id', 'a.zone_id');
    cols.push('z.name as zone');
  } else if (shape.zoneName === 'zone_description') {
    q.leftJoin(`${db.t('zone_description')} as z`, function () {
      this.on('z.zone_id', 'a.zone_id').andOn('z.language_id', k.raw('?', [languageId]));
    });
    cols.push('z.name as zone');
  }
  for (const r of await q.select(cols)) {
    const str = (v: unknown) => String(v ?? '');
    out.set(Number(r.customer_id), {
      firstname: str(r.firstname), lastname: str(r.lastname), company: str(r.company), address_1: str(r.address_1), address_2: str(r.address_2),
      city: str(r.city), postcode: str(r.postcode), country: str(r.country), zone: str(r.zone),
    });
  }
  return out;
}
