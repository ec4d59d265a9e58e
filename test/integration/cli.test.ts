import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { addProduct, product, uniqueCode, xmlDoc } from '../support/shop.js';

const run = promisify(execFile);
const BIN = path.resolve('bin/erp-bridge.js');

async function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH!, ...env }, timeout: 30_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The CLI with text on its standard input (then closed). */
function cliWithInput(env: Record<string, string>, input: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH!, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe.each(CLI_TARGETS)('command line on $name', (target) => {
  let env: TargetEnv;
  let vars: Record<string, string>;
  let dir: string;
  beforeAll(async () => {
    env = await openTarget(target);
    const d = env.config.database;
    vars = {
      DATABASE_URL: d.dialect === 'mysql' ? d.url : d.filename,
      TABLE_PREFIX: target.prefix,
      DATA_DIR: env.config.dataDir,
      APP_SECRET: env.config.appSecret,
      PUBLIC_URL: 'https://shop.example.hu/erp',
      LOG_LEVEL: 'silent',
    };
    dir = mkdtempSync(path.join(os.tmpdir(), 'erpb-cli-'));
  });
  afterAll(async () => env?.cleanup());

  it('migrate is idempotent', async () => {
    const r = await cli(vars, 'migrate');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/migrations: up to date/);
    expect(r.stdout).toMatch(/shop module: not installed \(standalone\)/);
  });

  it('settings set then settings show round-trips, secrets only as set / not set', async () => {
    const set = await cli(vars, 'settings', 'set', 'webshop_id=bolt-7', 'password=Nagyon titkos', 'sync_type=full', 'vat_map=27=9', 'export_transport=feed,http');
    expect(set).toMatchObject({ code: 0 });
    expect(set.stdout).toMatch(/saved: webshop_id, password, sync_type, vat_map, export_transport/);
    const show = await cli(vars, 'settings', 'show');
    expect(show.stdout).toMatch(/webshop_id\s+bolt-7/);
    expect(show.stdout).toMatch(/password\s+\(set\)/);
    expect(show.stdout).toMatch(/import_password\s+\(not set\)/);
    expect(show.stdout).toMatch(/vat_map\s+27=9/);
    expect(show.stdout).not.toContain('Nagyon titkos');
    const json = JSON.parse((await cli(vars, 'settings', 'show', '--json')).stdout);
    expect(json).toMatchObject({ webshop_id: 'bolt-7', password: { set: true }, sync_type: 'full', export_transport: 'feed,http' });
  });

  it('refuses an unknown key or a bad value whole, naming the key and the accepted values', async () => {
    const badKey = await cli(vars, 'settings', 'set', 'webshop_id=x', 'colour=blue');
    expect(badKey.code).toBe(2);
    expect(badKey.stderr.trim().split('\n')).toHaveLength(1);
    expect(badKey.stderr).toMatch(/unknown setting "colour" \(known: webshop_id, password/);
    const badValue = await cli(vars, 'settings', 'set', 'webshop_id=x', 'price_basis=brutto');
    expect(badValue.code).toBe(1);
    expect(badValue.stderr).toMatch(/price_basis: must be one of net, gross/);
    expect((await env.ctx.settings.get()).webshop_id).toBe('bolt-7');
  });

  it('prints the integration URLs with the import password in them', async () => {
    await cli(vars, 'settings', 'set', 'import_password=k3y');
    const r = await cli(vars, 'urls');
    expect(r.stdout).toContain('prices        https://shop.example.hu/erp/integration/prices?key=k3y');
    expect(r.stdout).toContain('https://shop.example.hu/erp/integration/categories?key=k3y');
    expect(r.stdout).toContain('https://shop.example.hu/erp/integration/orders?key=k3y');
  });

  it('push --dry-run writes nothing; push applies and prints the same answer', async () => {
    const code = uniqueCode('CLI');
    const id = await addProduct(env.ctx.db, { model: code, price: 10, quantity: 1 });
    const file = path.join(dir, 'arlista.xml');
    writeFileSync(file, xmlDoc([{ termekkod: code, ar: 321, szabadraktar: 4 }, { termekkod: 'cli-unknown', ar: 1 }]));
    const dry = await cli(vars, 'push', 'prices', file, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/dry run: nothing written/);
    expect(dry.stdout).toMatch(/updated 1, unchanged 0, created 0, unknown 1/);
    expect(Number((await product(env.ctx.db, id)).price)).toBe(10);
    const real = JSON.parse((await cli(vars, 'push', 'prices', file, '--json')).stdout);
    expect(real).toMatchObject({ kind: 'prices', dryRun: false, counts: { updated: 1, unknown: 1 } });
    expect(Number((await product(env.ctx.db, id)).price)).toBe(321);
    const journal = await env.ctx.db.knex(env.ctx.db.own('journal_run')).where({ id: real.run }).first();
    expect(journal.actor).toBe('cli');
  });

  it('push names what is wrong with its arguments', async () => {
    expect((await cli(vars, 'push', 'prizes', 'x.xml')).stderr).toMatch(/unknown kind "prizes"/);
    expect((await cli(vars, 'push', 'stock', path.join(dir, 'missing.xml'))).stderr).toMatch(/cannot read .*missing.xml: ENOENT/);
    const txt = path.join(dir, 'a.txt');
    writeFileSync(txt, '[]');
    expect((await cli(vars, 'push', 'stock', txt)).stderr).toMatch(/name it .xml, .json or .csv, or give --type/);
    expect((await cli(vars, 'push', 'stock', txt, '--type', 'json')).code).toBe(0);
  });

  // Last in this suite: it removes erp-bridge from the database.
  it('purge asks first: any answer but "purge" removes nothing; "purge" (or --yes) removes its tables and settings', async () => {
    const tables = async () => (await env.ctx.db.dialect.listTables(env.ctx.db.knex)).filter((t) => t.startsWith(env.ctx.db.own('')));
    const before = await tables();
    const no = await cliWithInput(vars, 'no\n', 'purge');
    expect(no.code).toBe(2);
    expect(no.stderr).toMatch(/Type "purge" to go on/);
    expect(no.stderr).toMatch(/purge cancelled: nothing was removed/);
    const silent = await cliWithInput(vars, '', 'purge'); // no terminal, no answer: no
    expect(silent.code).toBe(2);
    expect(await tables()).toEqual(before);
    const yes = await cliWithInput(vars, 'purge\n', 'purge');
    expect(yes.code).toBe(0);
    expect(yes.stdout).toMatch(new RegExp(`purged: ${before.length} table\\(s\\) dropped, \\d+ setting row\\(s\\) deleted`));
    expect(await tables()).toEqual([]);
    expect(await env.ctx.db.knex(env.ctx.db.t('setting')).where({ code: 'erp_bridge' })).toHaveLength(0);
    expect((await cli(vars, 'purge', '--yes')).stdout).toMatch(/purged: 0 table/);
  });
});

describe('command line without a database', () => {
  it('gives one clear line and a non-zero exit for an unreachable database', async () => {
    const r = await cli({ DATABASE_URL: 'mysql://root:pw@127.0.0.1:1/shop', DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'erpb-')), LOG_LEVEL: 'silent' }, 'migrate');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('database unavailable: the database server refused the connection (is it running, and is the host/port right?)');
    expect(r.stderr).not.toContain('pw');
  });

  it('gives one clear line for a bad DATABASE_URL', async () => {
    const r = await cli({ DATABASE_URL: 'postgres://x@y/z', DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'erpb-')) }, 'migrate');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('configuration error: DATABASE_URL: unsupported scheme in postgres://x@y/z (use mysql://… or a SQLite file path)');
  });

  it('prints usage for no command and exits 2 for an unknown one', async () => {
    expect((await cli({}, '--help')).stdout).toMatch(/usage: erp-bridge <command>/);
    expect((await cli({}, 'frobnicate')).code).toBe(2);
  });
});
