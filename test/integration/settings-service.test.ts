// The settings service on the shop's own `setting` table: what a hand-edited row reads as, how a
// secret is stored, which values the shop must know (customer groups, tax classes, statuses),
// what `install` writes, and what the dashboard calls missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCustomerGroups, listOrderStatuses, listTaxClasses } from '../../app/shop/catalog.js';
import { writeSettingRows } from '../../app/shop/setting-rows.js';
import { DEFAULTS } from '../../app/settings/schema.js';
import { SettingsService, SettingsValidationError } from '../../app/settings/settings-service.js';
import { DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';

describe.each(DIALECT_TARGETS)('settings service on $name', (target) => {
  let env: TargetEnv;
  const db = () => env.ctx.db;
  const row = (key: string) => db().knex(db().t('setting')).where({ store_id: 0, code: 'erp_bridge', key: `erp_bridge_${key}` }).first();
  const refusalOf = async (raw: Record<string, string>): Promise<SettingsValidationError> => {
    const err = await env.ctx.settings.update(raw).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(SettingsValidationError);
    return err as SettingsValidationError;
  };

  beforeAll(async () => {
    env = await openTarget(target);
  });
  afterAll(async () => env?.cleanup());

  it('reads a hand-edited row it cannot parse as the default, and a good one as its value', async () => {
    await writeSettingRows(db(), 'erp_bridge', [
      { key: 'erp_bridge_sync_type', value: 'everything', serialized: 0 },
      { key: 'erp_bridge_promo_customer_groups', value: '[1,', serialized: 1 },
      // Not JSON, though the form's own text for a list: a serialized row is read as JSON only.
      { key: 'erp_bridge_export_statuses', value: '2,3', serialized: 1 },
      { key: 'erp_bridge_max_body_mb', value: '12', serialized: 0 },
    ]);
    const s = await env.ctx.settings.get();
    expect(s.sync_type).toBe(DEFAULTS.sync_type);
    expect(s.promo_customer_groups).toEqual(DEFAULTS.promo_customer_groups);
    expect(s.export_statuses).toEqual(DEFAULTS.export_statuses);
    await writeSettingRows(db(), 'erp_bridge', [{ key: 'erp_bridge_export_statuses', value: '[2,3]', serialized: 1 }]);
    expect((await env.ctx.settings.get()).export_statuses).toEqual([2, 3]);
    expect(s.max_body_mb).toBe(12); // parsed to a number, not the stored text
    await writeSettingRows(db(), 'erp_bridge', [{ key: 'erp_bridge_sync_type', value: 'full', serialized: 0 }]);
    expect((await env.ctx.settings.get()).sync_type).toBe('full');
    await env.ctx.settings.update({ sync_type: 'stock_price', export_statuses: '', max_body_mb: String(DEFAULTS.max_body_mb) });
  });

  it('stores numbers as text and lists as JSON, each read back as it was given', async () => {
    await env.ctx.settings.update({ max_body_mb: '7', export_statuses: '' });
    expect(await row('max_body_mb')).toMatchObject({ value: '7', serialized: 0 });
    const empty = await row('export_statuses');
    expect([empty.value, Number(empty.serialized)]).toEqual(['[]', 1]);
    expect((await env.ctx.settings.get()).max_body_mb).toBe(7);
    await env.ctx.settings.update({ max_body_mb: String(DEFAULTS.max_body_mb) });
  });

  it('stores an empty secret as empty (not encrypted) and shows it as not set; a set one as set', async () => {
    await env.ctx.settings.update({ password: '', import_password: 'Kulcs-42' });
    expect((await row('password')).value).toBe('');
    expect((await row('import_password')).value).toMatch(/^enc:v1:/);
    const s = await env.ctx.settings.get();
    expect([s.password, s.import_password]).toEqual(['', 'Kulcs-42']);
    const view = await env.ctx.settings.publicView();
    expect([view.password, view.import_password]).toEqual([{ set: false }, { set: true }]);
    await env.ctx.settings.update({ import_password: '' });
  });

  it('shows every other setting as the text the form takes back', async () => {
    await env.ctx.settings.update({ vat_map: '27=9', export_statuses: '2,3', webshop_id: 'bolt-7' });
    const view = await env.ctx.settings.publicView();
    expect([view.vat_map, view.export_statuses, view.webshop_id, view.max_body_mb]).toEqual(['27=9', '2,3', 'bolt-7', String(DEFAULTS.max_body_mb)]);
    await env.ctx.settings.update({ vat_map: '', export_statuses: '' });
  });

  it('refuses an unknown key, naming the known ones, and stores none of the others given with it', async () => {
    const before = (await env.ctx.settings.get()).webshop_id;
    const err = await refusalOf({ webshop_id: 'never-stored', no_such_key: 'x' });
    expect(err.name).toBe('SettingsValidationError');
    expect(Object.keys(err.refusals)).toEqual(['no_such_key']);
    expect(err.refusals.no_such_key).toMatchObject({ code: 'unknown_key', vars: { known: expect.stringContaining('webshop_id, password, sync_type') } });
    expect(err.errors.no_such_key).toMatch(/^unknown setting \(known: webshop_id, password, /);
    expect(err.message).toMatch(/^no_such_key: unknown setting \(known: /);
    expect((await env.ctx.settings.get()).webshop_id).toBe(before);
  });

  it('joins every refusal into its message, key by key', async () => {
    const err = await refusalOf({ sync_type: 'everything', max_body_mb: '0' });
    expect(err.message).toBe(`sync_type: ${err.errors.sync_type}; max_body_mb: ${err.errors.max_body_mb}`);
    expect(err.errors.max_body_mb).toBe('must be a whole number of megabytes from 1 to 1024');
  });

  it('refuses customer groups, tax classes and order statuses the shop does not have, naming them', async () => {
    const groups = (await listCustomerGroups(db())).map((g) => g.customerGroupId);
    const classes = (await listTaxClasses(db())).map((c) => c.taxClassId);
    const statuses = (await listOrderStatuses(db())).map((s) => s.orderStatusId);
    const err = await refusalOf({
      promo_customer_groups: `${groups[0]},9001,9002`,
      vat_map: `27=${classes[0]},5=9003,18=9006`,
      export_statuses: `${statuses[0]},0,9004`,
      status_map_teljesitve: '9005',
      status_map_szamlazva: String(statuses[0]),
    });
    expect(err.refusals).toEqual({
      promo_customer_groups: { code: 'no_group', vars: { ids: '9001, 9002', known: groups.join(', ') }, message: `no customer group with id 9001, 9002 (the shop has ${groups.join(', ')})` },
      vat_map: { code: 'no_tax_class', vars: { ids: '9003, 9006', known: classes.join(', ') }, message: `no tax class with id 9003, 9006 (the shop has ${classes.join(', ')})` },
      export_statuses: { code: 'no_status', vars: { ids: '0, 9004' }, message: 'no order status with id 0, 9004' },
      status_map_teljesitve: { code: 'no_status', vars: { ids: '9005' }, message: 'no order status with id 9005' },
    });
  });

  // OpenCart's "missing orders" (an order left at checkout) have order_status_id 0; a shop may
  // keep a row named for it. Exporting status 0 would export abandoned carts: refused even then.
  it('refuses order status 0 even when the shop has an order_status row with id 0', async () => {
    const first = await db().knex(db().t('order_status')).orderBy('order_status_id').first('order_status_id', 'language_id');
    // Written with a free id, then moved to 0: an INSERT of 0 into the AUTO_INCREMENT column would take the next id on MySQL.
    try {
      await db().knex(db().t('order_status')).insert({ order_status_id: 9100, language_id: first.language_id, name: 'Missing Orders' });
      await db().knex(db().t('order_status')).where({ order_status_id: 9100 }).update({ order_status_id: 0 });
      expect((await listOrderStatuses(db())).map((st) => st.orderStatusId)).toContain(0);
      const err = await refusalOf({ export_statuses: `${first.order_status_id},0` });
      expect(err.refusals).toEqual({ export_statuses: { code: 'no_status', vars: { ids: '0' }, message: 'no order status with id 0' } });
    } finally {
      await db().knex(db().t('order_status')).whereIn('order_status_id', [0, 9100]).delete();
    }
  });

  it('takes ids the shop has, and an empty status mapping, without asking more', async () => {
    const group = (await listCustomerGroups(db()))[0]!.customerGroupId;
    const klass = (await listTaxClasses(db()))[0]!.taxClassId;
    const status = (await listOrderStatuses(db()))[0]!.orderStatusId;
    const s = await env.ctx.settings.update({ promo_customer_groups: String(group), vat_map: `27=${klass}`, export_statuses: String(status), status_map_szamlazva: String(status), status_map_teljesitve: '' });
    expect([s.promo_customer_groups, s.vat_map, s.export_statuses, s.status_map_szamlazva, s.status_map_teljesitve]).toEqual([[group], { '27': klass }, [status], String(status), '']);
    await env.ctx.settings.update({ promo_customer_groups: '', vat_map: '', export_statuses: '', status_map_szamlazva: '' });
  });

  it('installs the defaults of the keys not yet stored only, keeping every stored value', async () => {
    await env.ctx.settings.update({ webshop_id: 'kept-on-install', sync_type: 'full' });
    await db().knex(db().t('setting')).where({ store_id: 0, code: 'erp_bridge' }).whereIn('key', ['erp_bridge_sync_type', 'erp_bridge_export_statuses']).delete();
    // A key not stored yet (a new setting before install ran) reads as its default.
    expect((await env.ctx.settings.get()).sync_type).toBe(DEFAULTS.sync_type);
    const written = await env.ctx.settings.install();
    expect(written.sort()).toEqual(['erp_bridge_export_statuses', 'erp_bridge_sync_type']);
    expect(await row('sync_type')).toMatchObject({ value: DEFAULTS.sync_type });
    expect(JSON.parse((await row('export_statuses')).value)).toEqual([]);
    expect((await env.ctx.settings.get()).webshop_id).toBe('kept-on-install');
    expect(await env.ctx.settings.install()).toEqual([]);
  });

  it('reads its own secret back only with the same APP_SECRET', async () => {
    await env.ctx.settings.update({ password: 'Titok-99' });
    expect((await new SettingsService(db(), 'test-secret-0123456789abcdef').get()).password).toBe('Titok-99');
    await expect(new SettingsService(db(), 'another-secret-0123456789abcdef').get()).rejects.toThrow();
    await env.ctx.settings.update({ password: '' });
  });
});

describe('what the dashboard calls missing', () => {
  const with_ = (s: Partial<typeof DEFAULTS>) => SettingsService.missing({ ...DEFAULTS, ...s });
  it('names the webshop id and the password until each is set; either password will do', () => {
    expect(with_({})).toEqual(['webshop_id', 'password']);
    expect(with_({ webshop_id: 'w' })).toEqual(['password']);
    expect(with_({ password: 'p' })).toEqual(['webshop_id']);
    expect(with_({ import_password: 'p' })).toEqual(['webshop_id']);
    expect(with_({ webshop_id: 'w', password: 'p', import_password: 'q' })).toEqual([]);
  });
});
