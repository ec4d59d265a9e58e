// shopMethodNames on an order table in 4.x's shape (JSON {name, code} in payment_method and
// shipping_method, no payment_code or shipping_code columns): the SQLite demo shop's order table
// with those two columns dropped for the test, read through a fresh schema profile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopMethodNames } from '../../app/shop/method-names.js';
import { shopSchema } from '../../app/shop/schema.js';
import { FIXTURE_DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';

describe.each(FIXTURE_DIALECT_TARGETS.filter((t) => t.dialect === 'sqlite'))('method names from 4.x-shaped orders on $name', (target) => {
  let env: TargetEnv;
  beforeAll(async () => {
    env = await openTarget(target);
  });
  afterAll(async () => env?.cleanup());

  it('reads the JSON name and code; without a code in the JSON the method has none and is not named', async () => {
    const k = env.ctx.db.knex;
    const table = env.ctx.db.t('order');
    await k(table).delete();
    await k.raw(`ALTER TABLE "${table}" DROP COLUMN "payment_code"`);
    await k.raw(`ALTER TABLE "${table}" DROP COLUMN "shipping_code"`);
    const db = env.newContext().db;
    const schema = await shopSchema(db);
    expect(schema.has('order', 'payment_code')).toBe(false);
    const order = (payment: object, shipping: object) =>
      k(table).insert(schema.completeRow('order', { payment_method: JSON.stringify(payment), shipping_method: JSON.stringify(shipping), date_added: '2026-11-20 10:00:00', date_modified: '2026-11-20 10:00:00' }));
    await order({ name: 'Régi', code: 'cod.cod' }, { name: 'Futár', code: 'flat.flat' });
    await order({ name: 'Utánvét', code: 'cod.cod' }, { name: 'Személyes átvétel' });
    expect(await shopMethodNames(db)).toEqual(new Map([['payment:cod', 'Utánvét'], ['shipping:flat', 'Futár']]));
  });
});
