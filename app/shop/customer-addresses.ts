// The default address of customer accounts (Account > Address Book), for orders that carry no
// address of their own: OpenCart 4.x asks for no payment address by default, and an order with
// nothing to ship has no shipping address either. One query for a batch of customers. The schema
// differs by release (3.0 points at it from customer.address_id, 4.x flags address.default; 4.1
// keeps country names in country_description), so the shape comes from the schema profile.
import type { Database } from '../db/database.js';
import { shopSchema } from './schema.js';

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

/** The address tables' shape, from the schema profile read at start. */
async function shapeOf(db: Database): Promise<Shape> {
  const schema = await shopSchema(db);
  return {
    hasAddress: schema.has('address'),
    customerAddressId: schema.has('customer', 'address_id'),
    countryName: schema.has('country', 'name') ? 'country' : schema.has('country_description') ? 'country_description' : null,
    zoneName: schema.has('zone', 'name') ? 'zone' : schema.has('zone_description') ? 'zone_description' : null,
  };
}

export async function readAccountAddresses(db: Database, customerIds: number[], languageId: number): Promise<Map<number, AccountAddress>> {
  const ids = [...new Set(customerIds.filter((id) => id > 0))];
  const out = new Map<number, AccountAddress>();
  if (ids.length === 0) return out;
  const shape = await shapeOf(db);
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
