// The admin's security code called directly (no HTTP): the standalone account's password
// (scrypt, constant-time compare, no user-name oracle, the first account created once), the
// server-side sessions (only a hash stored, expiry, logout, a password change ends them) and the
// signed launch from the shop's admin (signature, a time window either side, a nonce used once,
// an active shop user, the access-only level), then `purge`. admin-access, hostile-admin and
// shop-module test the same through the web app; this file pins each rule at its edge.
// Shop users are rows in 3.0's shape, so the fixture targets (SQLite demo, MariaDB 3.0.3.8).
import { createHash, createHmac, randomBytes, scryptSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminAccounts, MIN_PASSWORD, hashPassword, unknownUserHash, verifyPassword } from '../../app/admin/accounts.js';
import { AdminSessions, SESSION_TTL_MS } from '../../app/admin/admin-sessions.js';
import {
  LAUNCH_SECRET_KEY, LAUNCH_TTL_S, LaunchError, PUBLIC_URL_KEY, acceptLaunch, launchMessage, publishLaunchSettings, readLaunchSecret,
  readPublishedUrl, signLaunch,
} from '../../app/admin/launch.js';
import { ownTables, purge } from '../../app/admin/purge.js';
import { FIXTURE_DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';

const b64 = (b: Buffer) => b.toString('base64');
/** A stored hash in the module's format, made here with Node's scrypt (N, r, p, salt, key length as given). */
const storedHash = (password: string, salt: Buffer, keyLen: number, n = 16384, r = 8, p = 1, alg = 'scrypt') =>
  `${alg}$${n}$${r}$${p}$${b64(salt)}$${keyLen === 0 ? '' : b64(scryptSync(password, salt, keyLen, { N: n, r, p, maxmem: 64 * 1024 * 1024 }))}`;

describe('password hashes', () => {
  it('stores scrypt with N=16384, r=8, p=1, a fresh 16-byte salt and a 32-byte key, and verifies only the right password', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    const [alg, n, r, p, salt, hash, ...rest] = a.split('$');
    expect([alg, n, r, p, rest.length]).toEqual(['scrypt', '16384', '8', '1', 0]);
    expect(Buffer.from(salt!, 'base64')).toHaveLength(16);
    expect(Buffer.from(hash!, 'base64')).toHaveLength(32);
    // The key is scrypt of the password with that salt (so a copy of the table is no password list).
    expect(hash).toBe(b64(scryptSync('correct horse battery', Buffer.from(salt!, 'base64'), 32, { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 })));
    expect(b.split('$')[4]).not.toBe(salt); // a new salt every time: equal passwords do not show
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('verifies a hash made with other parameters by reading them from the stored text', async () => {
    expect(await verifyPassword('pw-0123456789', storedHash('pw-0123456789', randomBytes(8), 16, 1024, 4, 2))).toBe(true);
    expect(await verifyPassword('pw-012345678', storedHash('pw-0123456789', randomBytes(8), 16, 1024, 4, 2))).toBe(false);
  });

  it('refuses a stored hash that is not well-formed scrypt, even when it would match, and never throws', async () => {
    const salt = randomBytes(16);
    const pw = 'pw-0123456789';
    // Each of these was made from the very password that is checked: only the refusal makes it false.
    const refused = {
      'another algorithm': storedHash(pw, salt, 32, 16384, 8, 1, 'bcrypt'),
      'an empty salt': storedHash(pw, Buffer.alloc(0), 32),
      'an empty key (would compare nothing)': storedHash(pw, salt, 0),
      'N = 1': `scrypt$1$8$1$${b64(salt)}$${b64(randomBytes(32))}`,
      'N not a number': `scrypt$x$8$1$${b64(salt)}$${b64(randomBytes(32))}`,
      // Node's scrypt reads r = 0 and p = 0 as "use the default" (8 and 1): these keys are that default's,
      // so only the check itself refuses them.
      'r = 0': storedHash(pw, salt, 32).replace('scrypt$16384$8$1$', 'scrypt$16384$0$1$'),
      'p = 0': storedHash(pw, salt, 32).replace('scrypt$16384$8$1$', 'scrypt$16384$8$0$'),
      'r negative': `scrypt$16384$-8$1$${b64(salt)}$${b64(randomBytes(32))}`,
      // scrypt itself refuses these parameters (it threw, and the login page showed an error).
      'N not a power of two': `scrypt$3$8$1$${b64(salt)}$${b64(randomBytes(32))}`,
      'N needing more memory than allowed': `scrypt$1048576$8$1$${b64(salt)}$${b64(randomBytes(32))}`,
      // Node refuses these before scrypt runs, with ERR_OUT_OF_RANGE, not an ERR_CRYPTO code (they threw too).
      'N not a whole number': `scrypt$1.5$8$1$${b64(salt)}$${b64(randomBytes(32))}`,
      'r not a whole number': `scrypt$16384$8.5$1$${b64(salt)}$${b64(randomBytes(32))}`,
      'N past 32 bits': `scrypt$4294967296$8$1$${b64(salt)}$${b64(randomBytes(32))}`,
      'p past 32 bits': `scrypt$16384$8$4294967296$${b64(salt)}$${b64(randomBytes(32))}`,
      'nothing': '',
    };
    for (const [what, stored] of Object.entries(refused)) {
      await expect(verifyPassword(pw, stored), what).resolves.toBe(false);
    }
    // The empty key's check is what refuses it: with any salt and an empty key, every password "matched".
    expect(await verifyPassword('anything at all', storedHash(pw, salt, 0))).toBe(false);
    // The smallest accepted parameters, to show the refusals above are the limits and not the whole range.
    expect(await verifyPassword(pw, storedHash(pw, salt, 32, 2, 1, 1))).toBe(true);
  });

  it('has one well-formed hash of a random password for unknown users, with the same cost as a real one', async () => {
    const h = await unknownUserHash();
    expect(await unknownUserHash()).toBe(h); // made once
    expect(h.split('$').slice(0, 4)).toEqual(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(h.split('$')[5]!, 'base64')).toHaveLength(32);
    expect(await verifyPassword('', h)).toBe(false);
  });
});

describe.each(FIXTURE_DIALECT_TARGETS)('the admin\'s account, sessions and launch on $name', (target) => {
  let env: TargetEnv;
  let accounts: AdminAccounts;
  let sessions: AdminSessions;
  const db = () => env.ctx.db;
  const k = () => db().knex;
  const unique = (p: string) => `${p}${randomBytes(4).toString('hex')}`;
  const sessionRows = (username: string) => k()(db().own('admin_session')).where({ username }).select();
  const std = { via: 'standalone', canModify: true, language: null, shopUserId: null } as const;

  beforeAll(async () => {
    env = await openTarget(target);
    accounts = new AdminAccounts(db());
    sessions = new AdminSessions(db());
  });
  afterAll(async () => env?.cleanup());

  describe('the standalone account', () => {
    it('creates the first account only once: no account before, the second call (any name or password) changes nothing', async () => {
      expect(await accounts.exists()).toBe(false);
      await expect(accounts.createFirst('admin', 'x'.repeat(MIN_PASSWORD - 1))).rejects.toThrow(`at least ${MIN_PASSWORD} characters`);
      expect(await accounts.exists()).toBe(false);
      expect(await accounts.createFirst('admin', 'first-password')).toBe(true);
      expect(await accounts.exists()).toBe(true);
      expect(await accounts.createFirst('admin', 'second-password')).toBe(false);
      expect(await accounts.createFirst('other', 'third-password')).toBe(false);
      expect(await accounts.verify('admin', 'first-password')).toBe(true);
      expect(await accounts.verify('admin', 'second-password')).toBe(false);
      expect(await accounts.verify('other', 'third-password')).toBe(false);
      expect(await k()(db().own('admin_user')).count({ n: '*' }).first()).toEqual({ n: 1 });
    });

    it('lets exactly one of parallel first setups of the same name win (the unique name decides, not the last write)', async () => {
      // The account of the test above exists; remove it so this race starts from an empty table.
      await k()(db().own('admin_user')).delete();
      // Each exactly the minimum length (10): taken, not refused as too short.
      const pws = ['race-pw-a1', 'race-pw-b2', 'race-pw-c3'];
      expect(pws.every((pw) => pw.length === MIN_PASSWORD)).toBe(true);
      const results = await Promise.all(pws.map((pw) => accounts.createFirst('admin', pw)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = pws[results.indexOf(true)]!;
      expect(await accounts.verify('admin', winner)).toBe(true);
    });

    it('takes a password of exactly the minimum length, refuses one shorter, and creates the user when it is new', async () => {
      const user = unique('u');
      await expect(accounts.setPassword(user, 'y'.repeat(MIN_PASSWORD - 1))).rejects.toThrow(`at least ${MIN_PASSWORD} characters`);
      expect(await k()(db().own('admin_user')).where({ username: user }).first()).toBeUndefined();
      await accounts.setPassword(user, 'y'.repeat(MIN_PASSWORD));
      expect(await accounts.verify(user, 'y'.repeat(MIN_PASSWORD))).toBe(true);
      const row = await k()(db().own('admin_user')).where({ username: user }).first();
      expect(row.password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
      expect(row.password_hash).not.toContain('y'.repeat(MIN_PASSWORD));
      expect(row.updated_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    });

    it('replaces an existing password in its own row (the old one stops working, no second row)', async () => {
      const user = unique('u');
      await accounts.setPassword(user, 'old-password-1');
      const before = await k()(db().own('admin_user')).where({ username: user }).first();
      await k()(db().own('admin_user')).where({ username: user }).update({ updated_at: '2000-01-01 00:00:00' });
      await accounts.setPassword(user, 'new-password-2');
      const rows = await k()(db().own('admin_user')).where({ username: user }).select();
      expect(rows).toHaveLength(1);
      expect(rows[0].id).toBe(before.id);
      expect(rows[0].updated_at).not.toBe('2000-01-01 00:00:00');
      expect(await accounts.verify(user, 'old-password-1')).toBe(false);
      expect(await accounts.verify(user, 'new-password-2')).toBe(true);
    });

    it('ends every standalone session of the user when the password changes (a stolen cookie included), no one else\'s', async () => {
      const user = unique('u');
      const other = unique('o');
      await accounts.setPassword(user, 'password-one-1');
      const a = await sessions.create(user, std);
      const b = await sessions.create(user, { ...std, canModify: false });
      const theirs = await sessions.create(other, std);
      await accounts.setPassword(user, 'password-two-2');
      expect(await sessions.find(a.id)).toBeNull();
      expect(await sessions.find(b.id)).toBeNull();
      expect(await sessions.find(theirs.id)).not.toBeNull();
    });

    it('says no for an unknown user and for a wrong password, and yes only for the right pair', async () => {
      const user = unique('u');
      await accounts.setPassword(user, 'right-password');
      expect(await accounts.verify(user, 'right-password')).toBe(true);
      expect(await accounts.verify(user, 'wrong-password')).toBe(false);
      expect(await accounts.verify(unique('nobody'), 'right-password')).toBe(false);
      expect(await accounts.verify(user.toUpperCase() + 'x', 'right-password')).toBe(false);
    });
  });

  describe('sessions', () => {
    it('gives the browser a random id and stores only its SHA-256 (a copy of the table logs no one in)', async () => {
      const user = unique('s');
      const s = await sessions.create(user, std);
      expect(s.id).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes
      expect(s.csrf).toMatch(/^[A-Za-z0-9_-]{24}$/); // 18 random bytes
      const [row] = await sessionRows(user);
      expect(row.id_hash).toBe(createHash('sha256').update(s.id).digest('hex'));
      expect(Object.values(row)).not.toContain(s.id);
      expect(await sessions.find(row.id_hash)).toBeNull(); // the stored hash as a cookie: nothing
      expect(await sessions.find(s.id)).toEqual({ username: user, csrf: s.csrf, expiresAt: s.expiresAt, ...std });
      const again = await sessions.create(user, std);
      expect(again.id).not.toBe(s.id);
      expect(again.csrf).not.toBe(s.csrf);
    });

    it('lasts 8 hours by default, or the time asked, and is gone once expired', async () => {
      const user = unique('s');
      const t0 = Date.now();
      const s = await sessions.create(user, std);
      expect(SESSION_TTL_MS).toBe(8 * 3600_000);
      expect(s.expiresAt).toBeGreaterThanOrEqual(t0 + SESSION_TTL_MS);
      expect(s.expiresAt).toBeLessThanOrEqual(Date.now() + SESSION_TTL_MS);
      const short = await sessions.create(user, std, 60_000);
      expect(short.expiresAt).toBeLessThanOrEqual(Date.now() + 60_000);
      expect(short.expiresAt).toBeGreaterThan(Date.now() + 50_000);
      const ended = await sessions.create(user, std, -1);
      expect(await sessions.find(ended.id)).toBeNull(); // expired but still in the table: not found
      expect(await sessions.find(short.id)).not.toBeNull();
    });

    it('removes everyone\'s expired sessions when someone logs in, and keeps the live ones', async () => {
      const a = unique('s');
      const b = unique('s');
      const live = await sessions.create(a, std, 60_000);
      // An expired row as a session left behind hours ago (create itself would have removed it).
      await k()(db().own('admin_session')).insert({ id_hash: 'f'.repeat(64), username: a, csrf: 'c', expires_at: Date.now() - 1000, created_at: '2026-01-01 00:00:00' });
      expect(await sessionRows(a)).toHaveLength(2);
      await sessions.create(b, std);
      expect((await sessionRows(a)).map((r) => r.id_hash)).toEqual([createHash('sha256').update(live.id).digest('hex')]);
    });

    it('keeps how the user came in: the shop\'s launch, read-only, its language and shop user', async () => {
      const user = unique('s');
      const info = { via: 'opencart', canModify: false, language: 'hu-hu', shopUserId: 7 } as const;
      const s = await sessions.create(user, info);
      expect(await sessions.find(s.id)).toEqual({ username: user, csrf: s.csrf, expiresAt: s.expiresAt, ...info });
      const [row] = await sessionRows(user);
      expect([row.via, Number(row.can_modify), row.language, Number(row.shop_user_id)]).toEqual(['opencart', 0, 'hu-hu', 7]);
      const m = await sessions.create(unique('s'), { via: 'opencart', canModify: true, language: null, shopUserId: 8 });
      expect(await sessions.find(m.id)).toMatchObject({ via: 'opencart', canModify: true, language: null, shopUserId: 8 });
    });

    it('cuts a user name to 64 characters and a language to 16 (the columns), and still finds the session', async () => {
      const long = unique('L').padEnd(70, 'n');
      const s = await sessions.create(long, { ...std, language: 'abcdefghijklmnopqrstu' });
      expect(await sessions.find(s.id)).toMatchObject({ username: long.slice(0, 64), language: 'abcdefghijklmnop' });
    });

    it('logout ends that session only; a password change ends the user\'s standalone ones, not a launch from the shop', async () => {
      const user = unique('s');
      const a = await sessions.create(user, std);
      const b = await sessions.create(user, std);
      const c = await sessions.create(user, std);
      const shop = await sessions.create(user, { via: 'opencart', canModify: true, language: null, shopUserId: 3 });
      await sessions.end(a.id);
      expect(await sessions.find(a.id)).toBeNull();
      expect(await sessions.find(b.id)).not.toBeNull();
      expect(await sessions.endAll(user)).toBe(2);
      expect(await sessions.find(b.id)).toBeNull();
      expect(await sessions.find(c.id)).toBeNull();
      expect(await sessions.find(shop.id)).not.toBeNull();
      expect(await sessions.endAll(user)).toBe(0);
    });
  });

  describe('the launch from the shop\'s admin', () => {
    let secret: string;
    let activeUser: number;
    let disabledUser: number;
    const settingRow = (key: string) => k()(db().t('setting')).where({ store_id: 0, code: 'erp_bridge', key }).first('setting_id', 'value');
    const nowS = () => Math.floor(Date.now() / 1000);
    /** What the PHP module sends, with the HMAC computed here from the documented format. */
    const launch = (over: Partial<Record<'uid' | 'user' | 'level' | 'ts' | 'nonce' | 'lang', string>> = {}, key = secret) => {
      const p = { uid: String(activeUser), user: 'boltos', level: 'modify', ts: String(nowS()), nonce: randomBytes(16).toString('hex'), lang: 'hu-hu', ...over };
      const sig = createHmac('sha256', key).update(['erp-bridge-launch-v1', p.uid, p.user, p.level, p.ts, p.nonce, p.lang].join('\n'), 'utf8').digest('hex');
      return { ...p, sig } as Record<string, unknown>;
    };
    const reason = async (q: Record<string, unknown>, nowMs?: number) => {
      try {
        await acceptLaunch(db(), q, nowMs);
      } catch (e) {
        if (e instanceof LaunchError) return e.reason;
        throw e;
      }
      return 'accepted';
    };
    const addUser = async (username: string, status: number) => {
      const [group] = await k()(db().t('user_group')).insert({ name: unique('G'), permission: '{}' });
      const [uid] = await k()(db().t('user')).insert({ user_group_id: Number(group), username, password: 'x', salt: '', firstname: '', lastname: '', email: '', image: '', code: '', ip: '', status, date_added: '2026-01-01 00:00:00' });
      return Number(uid);
    };

    beforeAll(async () => {
      secret = (await readLaunchSecret(db()))!;
      activeUser = await addUser('K&amp;&quot;b&#39;', 1);
      disabledUser = await addUser('gone', 0);
    });

    it('signs the documented message: version, user id, name, level, time, nonce, language, one per line, HMAC-SHA256 in hex', () => {
      const p = { uid: '12', user: 'Ádám', level: 'access', ts: '1764672000', nonce: 'abcdefghij012345', lang: 'hu-hu' };
      expect(launchMessage(p)).toBe('erp-bridge-launch-v1\n12\nÁdám\naccess\n1764672000\nabcdefghij012345\nhu-hu');
      expect(signLaunch(p, 'k3y')).toBe(createHmac('sha256', 'k3y').update(Buffer.from(launchMessage(p), 'utf8')).digest('hex'));
    });

    it('publishes a 64-hex launch secret once, replaces an empty one, and writes the public URL only when it changed (null keeps it)', async () => {
      expect(secret).toMatch(/^[0-9a-f]{64}$/);
      const secretRow = await settingRow(LAUNCH_SECRET_KEY);
      await publishLaunchSettings(db(), 'http://shop.test');
      // Nothing changed: no row is rewritten (the same setting_id), the secret is kept.
      expect(await settingRow(LAUNCH_SECRET_KEY)).toEqual(secretRow);
      const urlRow = await settingRow(PUBLIC_URL_KEY);
      expect(urlRow.value).toBe('http://shop.test');
      await publishLaunchSettings(db(), 'http://shop.test');
      expect(await settingRow(PUBLIC_URL_KEY)).toEqual(urlRow);
      await publishLaunchSettings(db(), null);
      expect(await readPublishedUrl(db())).toBe('http://shop.test');
      await publishLaunchSettings(db(), 'https://erp.example:8443/bridge');
      expect(await readPublishedUrl(db())).toBe('https://erp.example:8443/bridge');
      expect(await readLaunchSecret(db())).toBe(secret);
      // An emptied URL reads as none; an emptied secret is none and gets a new one.
      await k()(db().t('setting')).where({ store_id: 0, code: 'erp_bridge', key: PUBLIC_URL_KEY }).update({ value: '' });
      expect(await readPublishedUrl(db())).toBeNull();
      await k()(db().t('setting')).where({ store_id: 0, code: 'erp_bridge', key: LAUNCH_SECRET_KEY }).update({ value: '' });
      expect(await readLaunchSecret(db())).toBeNull();
      expect(await reason(launch({}, ''))).toBe('no_secret'); // an empty secret signs nothing
      await publishLaunchSettings(db(), 'http://shop.test');
      const fresh = await readLaunchSecret(db());
      expect(fresh).toMatch(/^[0-9a-f]{64}$/);
      expect(fresh).not.toBe(secret);
      secret = fresh!;
      // Rows removed altogether (by hand, or a half-done uninstall): none, and a launch is refused for it, not a crash.
      const keep = await k()(db().t('setting')).where({ store_id: 0, code: 'erp_bridge' }).whereIn('key', [LAUNCH_SECRET_KEY, PUBLIC_URL_KEY]).select();
      await k()(db().t('setting')).where({ store_id: 0, code: 'erp_bridge' }).whereIn('key', [LAUNCH_SECRET_KEY, PUBLIC_URL_KEY]).delete();
      try {
        expect(await readPublishedUrl(db())).toBeNull();
        expect(await readLaunchSecret(db())).toBeNull();
        expect(await reason(launch())).toBe('no_secret');
      } finally {
        await k()(db().t('setting')).insert(keep);
      }
      expect(await readLaunchSecret(db())).toBe(secret);
    });

    it('turns a signed launch into the shop user it names: the id, the name as the shop shows it, the level and the language', async () => {
      expect(await acceptLaunch(db(), launch())).toEqual({ userId: activeUser, username: 'K&"b\'', canModify: true, language: 'hu-hu' });
      // The access-only shop user gets a read-only session; no language sent means none.
      expect(await acceptLaunch(db(), launch({ level: 'access', lang: '' }))).toEqual({ userId: activeUser, username: 'K&"b\'', canModify: false, language: null });
    });

    it('takes each nonce once (a replay is refused), and forgets nonces only after they expired', async () => {
      const q = launch();
      expect(await reason(q)).toBe('accepted');
      expect(await reason(q)).toBe('replayed');
      expect(await reason({ ...launch({ nonce: q.nonce as string }) })).toBe('replayed'); // a new signature does not make it new
      const stored = await k()(db().own('launch_nonce')).where({ nonce: q.nonce as string }).first();
      expect(Number(stored.expires_at)).toBe(Number(q.ts) + LAUNCH_TTL_S + 60); // kept past the launch's own window
      const t = nowS();
      await k()(db().own('launch_nonce')).insert([{ nonce: 'oldoldoldoldold1', expires_at: t - 1 }, { nonce: 'livelivelivelive', expires_at: t + 5 }]);
      expect(await reason(launch())).toBe('accepted');
      expect(await k()(db().own('launch_nonce')).where({ nonce: 'oldoldoldoldold1' }).first()).toBeUndefined();
      expect(await k()(db().own('launch_nonce')).where({ nonce: 'livelivelivelive' }).first()).toBeDefined();
    });

    it('lets exactly one of parallel uses of one launch in', async () => {
      const q = launch();
      const results = await Promise.all([1, 2, 3, 4].map(() => reason(q)));
      expect(results.sort()).toEqual(['accepted', 'replayed', 'replayed', 'replayed']);
    });

    it.runIf(target.dialect === 'mysql')('refuses the launch when the nonce cannot be stored for another reason (the error, never a session)', async () => {
      const table = db().own('launch_nonce');
      const trigger = unique('erpb_t_fail_');
      await k().raw(`CREATE TRIGGER ${trigger} BEFORE INSERT ON ${table} FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'disk full'`);
      try {
        await expect(acceptLaunch(db(), launch())).rejects.toThrow(/disk full/);
      } finally {
        await k().raw(`DROP TRIGGER ${trigger}`);
      }
    });

    it('accepts a launch up to 120 s either side of the server\'s clock, in whole Unix seconds, and refuses one a second older or newer', async () => {
      const t = 1_900_000_000;
      const at = (ts: number, nowMs: number) => reason(launch({ ts: String(ts) }), nowMs);
      expect(LAUNCH_TTL_S).toBe(120);
      expect(await at(t - 120, t * 1000)).toBe('accepted');
      expect(await at(t + 120, t * 1000)).toBe('accepted');
      expect(await at(t - 121, t * 1000)).toBe('expired');
      expect(await at(t + 121, t * 1000)).toBe('expired');
      // 999 ms into the second is still that second (rounded down, not up).
      expect(await at(t - 120, t * 1000 + 999)).toBe('accepted');
      expect(await at(t + 121, t * 1000 + 999)).toBe('expired');
      expect(await at(t - 121, t * 1000 - 1)).toBe('accepted'); // t - 1 is the clock's second
      // The default clock is now.
      expect(await reason(launch({ ts: String(nowS() - 3600) }))).toBe('expired');
    });

    it('refuses a launch signed with another secret or with any signed field changed', async () => {
      expect(await reason(launch({}, 'not-the-secret'))).toBe('signature');
      for (const [field, value] of [['uid', '999'], ['user', 'other'], ['level', 'access'], ['ts', String(nowS() - 1)], ['nonce', 'ffffffffffffffffffff'], ['lang', 'en-gb']] as const) {
        const q = launch();
        expect(await reason({ ...q, [field]: value }), field).toBe('signature');
      }
      const q = launch();
      expect(await reason({ ...q, sig: (q.sig as string).replace(/.$/, (c) => (c === '0' ? '1' : '0')) })).toBe('signature');
    });

    it('refuses a user disabled or removed in the shop', async () => {
      expect(await reason(launch({ uid: String(disabledUser), user: 'gone' }))).toBe('no_user');
      expect(await reason(launch({ uid: '987654321' }))).toBe('no_user');
    });

    it('takes every field at its limits and refuses it one step past them, or with anything around it, as malformed', async () => {
      const accepted: Array<Partial<Record<string, string>>> = [
        { nonce: 'a'.repeat(16) }, { nonce: 'Z9'.repeat(32) }, { lang: 'abcdefghijklmnop' }, { lang: 'en-GB' }, { user: 'u'.repeat(128) }, { user: 'x' },
      ];
      for (const over of accepted) expect(await reason(launch(over)), JSON.stringify(over)).toBe('accepted');
      // These are signed correctly: only the format check refuses them.
      const malformed: Array<Partial<Record<string, string>>> = [
        { uid: '0' }, { uid: '012' }, { uid: '12345678901' }, { uid: 'x1' }, { uid: '1x' }, { uid: '' },
        { user: '' }, { user: 'u'.repeat(129) },
        { level: 'admin' }, { level: 'xaccess' }, { level: 'modifyx' }, { level: '' },
        { ts: '' }, { ts: '1234567890123' }, { ts: 'x1' }, { ts: '1x' },
        { nonce: 'a'.repeat(15) }, { nonce: 'a'.repeat(65) }, { nonce: 'a'.repeat(15) + '-' }, { nonce: '-' + 'a'.repeat(16) }, { nonce: 'a'.repeat(16) + '-' },
        { lang: 'abcdefghijklmnopq' }, { lang: 'en1' }, { lang: '1en' }, { lang: 'en_' },
      ];
      for (const over of malformed) expect(await reason(launch(over)), JSON.stringify(over)).toBe('malformed');
      const q = launch();
      for (const sig of [(q.sig as string).toUpperCase(), (q.sig as string).slice(1), `${q.sig as string}0`, `x${q.sig as string}`, `${q.sig as string}x`.slice(1)]) {
        expect(await reason({ ...q, sig }), sig).toBe('malformed');
      }
      // A field sent twice (an array in the query) is not a string.
      expect(await reason({ ...launch(), uid: [String(activeUser), '1'] })).toBe('malformed');
      expect(await reason({ ...launch(), level: ['modify'] })).toBe('malformed');
      // A name sent twice is no name (malformed), not some other name whose signature fails.
      expect(await reason({ ...launch(), user: ['boltos', 'boltos'] })).toBe('malformed');
      expect(await reason({})).toBe('malformed');
      // The reason is named, for the log and the refused page.
      const err = await acceptLaunch(db(), {}).catch((e) => e);
      expect(err).toBeInstanceOf(LaunchError);
      expect([err.name, err.message, err.reason]).toEqual(['LaunchError', 'malformed', 'malformed']);
    });
  });

  // Last: it removes erp-bridge's tables from this database.
  describe('purge', () => {
    it('drops only erp-bridge\'s own tables and settings, leaving the shop\'s tables and rows', async () => {
      const p = db().prefix;
      await k()(db().t('setting')).insert({ store_id: 0, code: 'module_erp_bridge', key: 'module_erp_bridge_status', value: '1', serialized: 0 });
      const shopSettings = Number((await k()(db().t('setting')).whereNotIn('code', ['erp_bridge', 'module_erp_bridge']).count({ n: '*' }).first())!.n);
      const users = await k()(db().t('user')).select('user_id', 'username');
      const own = await ownTables(db());
      expect(own).toContain(db().own('admin_session'));
      expect(own).toContain(db().own('launch_nonce'));
      expect(own.every((t) => t.startsWith(`${p}erp_bridge_`))).toBe(true);
      expect(own).toEqual([...own].sort());
      const all = await db().dialect.listTables(k());
      expect(all.filter((t) => t.startsWith(`${p}erp_bridge_`)).sort()).toEqual(own);
      const report = await purge(db());
      expect(report.tablesDropped).toEqual(own);
      expect(report.settingsDeleted).toBeGreaterThanOrEqual(3); // the secret, the URL, the old module's status at least
      expect(await ownTables(db())).toEqual([]);
      expect(await k()(db().t('setting')).whereIn('code', ['erp_bridge', 'module_erp_bridge']).first()).toBeUndefined();
      expect(Number((await k()(db().t('setting')).count({ n: '*' }).first())!.n)).toBe(shopSettings);
      expect(await db().dialect.listTables(k())).toEqual(all.filter((t) => !own.includes(t)));
      expect(await k()(db().t('user')).select('user_id', 'username')).toEqual(users);
    });
  });

});
