// A real OpenCart shop for tests: one release from ../shared/opencart/ unpacked, installed by
// its own install/cli_install.php into a scratch MariaDB database, and served by `php -S` on
// 127.0.0.1, as a shop owner would set it up (see README of ../shared/opencart/).
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { databaseUrl as withDatabase, mysqlServerUrl } from '../opencart-fixture.js';
import { phpProblems } from './php-problems.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
export const OPENCART_DIR = path.resolve(process.env.SHARED_DIR ?? path.resolve(here, '../../../../shared'), 'opencart');

export const RELEASES = ['3.0.4.1', '4.0.2.3', '4.1.0.3'] as const;
export type Release = (typeof RELEASES)[number];

export interface InstallOptions {
  /** Table prefix given to the installer; default `oc_`. */
  prefix?: string;
  /** Start `php -S` right away; default true. Without it, `shop.serve()` starts it later. */
  serve?: boolean;
  /** MariaDB server URL without database; default MYSQL_URL, else root on 127.0.0.1:3306. */
  serverUrl?: string;
}

export interface OpenCartShop {
  release: Release;
  /** 3 or 4: for the few places a helper must follow the release's own routes. */
  major: 3 | 4;
  prefix: string;
  database: string;
  /** mysql://root@127.0.0.1:3306/<database>: erp-bridge's DATABASE_URL for this shop. */
  databaseUrl: string;
  /** The shop's tree (the release's upload/ folder, copied). */
  root: string;
  /** http://127.0.0.1:<port>/ (the port is reserved even when not served yet). */
  url: string;
  admin: { username: string; password: string };
  /** A query on the shop's database (OpenCart's sql_mode); rows for SELECT, the result header otherwise. */
  query<T = any>(sql: string, params?: unknown[]): Promise<T>;
  /** Starts `php -S` if it does not run yet. */
  serve(): Promise<void>;
  /** Everything the PHP server and OpenCart's error log printed, plus problems seen in served bodies. */
  phpLog(): string;
  /** PHP warnings, notices, deprecations and errors seen so far (server output, error logs, bodies). */
  phpProblems(): string[];
  /** Helpers call this with every body they read from the shop, so phpProblems() sees what was served. */
  noteBody(url: string, body: string): void;
  /** Stops php -S, drops the database, removes the tree. Safe to call twice. */
  stop(): Promise<void>;
}

const ADMIN = { username: 'admin', password: 'admin-Pass1' };

// One extracted tree per release in the OS temp dir; each install copies it (never hardlinks:
// the installer rewrites config.php and OpenCart writes its cache and logs into the tree).
async function cachedUpload(release: Release): Promise<string> {
  const cacheRoot = path.join(os.tmpdir(), 'erpb-opencart-cache');
  const done = path.join(cacheRoot, release, 'upload');
  if (existsSync(path.join(done, 'index.php')) && existsSync(path.join(cacheRoot, release, '.complete'))) return done;
  mkdirSync(cacheRoot, { recursive: true });
  // Parallel test workers may extract at once: each into its own folder, then one atomic rename wins.
  const tmp = mkdtempSync(path.join(cacheRoot, `.${release}-`));
  const tarball = path.join(OPENCART_DIR, `opencart-${release}.tar.gz`);
  if (!existsSync(tarball)) throw new Error(`OpenCart ${release} not found: ${tarball}`);
  await run('tar', ['-xzf', tarball, '-C', tmp]);
  const extracted = path.join(tmp, `opencart-${release}`);
  writeFileSync(path.join(extracted, '.complete'), '');
  try {
    renameSync(extracted, path.join(cacheRoot, release));
  } catch {
    // another worker won the race; its tree is complete (the marker is written before the rename)
  }
  rmSync(tmp, { recursive: true, force: true });
  return done;
}

// Copies the cached tree with tar (much faster than a JS recursive copy for ~9,000 files), all
// but the composer vendor folder, which is only read: it becomes a symlink to the cached one
// (PHP resolves it like a real folder; composer's autoloader works from its real path).
async function copyTree(source: string, root: string): Promise<void> {
  mkdirSync(root, { recursive: true });
  const vendor = './system/storage/vendor';
  await run('sh', ['-c', 'tar -C "$1" --exclude="$3" -cf - . | tar -C "$2" -xf -', 'copy', source, root, vendor]);
  symlinkSync(path.join(source, vendor), path.join(root, vendor));
}

/** A free TCP port on 127.0.0.1 (bound to port 0, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function killAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Closing the wrapper's stdin is what stops php (see startPhpServer); exiting closes it too,
  // this only makes it explicit. Killing the wrapper instead would leave php running.
  process.once('exit', () => {
    for (const child of running) child.stdin?.destroy();
  });
}

export async function installOpenCart(release: Release, opts: InstallOptions = {}): Promise<OpenCartShop> {
  if (!RELEASES.includes(release)) throw new Error(`unknown OpenCart release ${release}`);
  const prefix = opts.prefix ?? 'oc_';
  if (!/^[A-Za-z0-9_]+$/.test(prefix)) throw new Error(`bad table prefix ${prefix}`);
  const serverUrl = opts.serverUrl ?? mysqlServerUrl() ?? 'mysql://root@127.0.0.1:3306/';
  const major = release.startsWith('3.') ? 3 : 4;

  const started = Date.now();
  const source = await cachedUpload(release);
  await sweepStale(serverUrl);
  const dir = mkdtempSync(path.join(os.tmpdir(), `erpb-oc${release.replace(/\./g, '')}-${process.pid}-`));
  const root = path.join(dir, 'upload');
  await copyTree(source, root);

  // The port is chosen before installing: --http_server is written into both config.php files.
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const database = `erpb_oc${release.replace(/\./g, '')}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  // The database takes the server's default charset, as a hosting panel creates it; the
  // installer itself gives each table the release's own engine, charset and collation.
  const admin = await mysql.createConnection({ uri: serverUrl });
  await admin.query(`CREATE DATABASE \`${database}\``);
  await admin.end();
  const dbUrl = withDatabase(serverUrl, database);
  const u = new URL(dbUrl);

  const cleanupTree = () => rmSync(dir, { recursive: true, force: true });
  const dropDb = async () => {
    const c = await mysql.createConnection({ uri: serverUrl });
    await c.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await c.end();
  };

  try {
    // The installer writes config.php and admin/config.php; they must exist beforehand.
    cpSync(path.join(root, 'config-dist.php'), path.join(root, 'config.php'));
    cpSync(path.join(root, 'admin/config-dist.php'), path.join(root, 'admin/config.php'));
    const args = [
      path.join(root, 'install/cli_install.php'), 'install',
      '--db_hostname', u.hostname, '--db_username', decodeURIComponent(u.username) || 'root',
      '--db_password', decodeURIComponent(u.password), '--db_database', database,
      '--db_driver', 'mysqli', '--db_port', u.port || '3306', '--db_prefix', prefix,
      '--username', ADMIN.username, '--password', ADMIN.password, '--email', 'admin@example.com',
      '--http_server', url,
    ];
    // 4.1 installs its demo data per language (install/opencart-en-gb.sql).
    if (release === '4.1.0.3') args.push('--language', 'en-gb');
    // An empty --db_password is passed as an empty argument, which every release reads as ''.
    const { stdout } = await run('php', args, { cwd: path.join(root, 'install'), maxBuffer: 16 << 20 });
    if (!/SUCCESS/i.test(stdout)) throw new Error(`OpenCart ${release} installer failed:\n${stdout.slice(-2000)}`);
    afterInstall(root, dir);
  } catch (e) {
    cleanupTree();
    await dropDb().catch(() => {});
    throw e;
  }

  const pool = mysql.createPool({ uri: dbUrl, connectionLimit: 2, charset: 'utf8mb4', dateStrings: true });
  pool.on('connection', (conn) => {
    conn.query("SET SESSION sql_mode = 'NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION'");
  });

  let server: ChildProcess | undefined;
  let output = '';
  const bodyProblems: string[] = [];
  const phpErrorLog = path.join(dir, 'php-errors.log');
  const storageLog = path.join(dir, 'storage/logs/error.log');
  let stopped = false;

  const shop: OpenCartShop = {
    release,
    major,
    prefix,
    database,
    databaseUrl: dbUrl,
    root,
    url,
    admin: { ...ADMIN },
    async query(sql, params) {
      const [rows] = await pool.query(sql, params);
      return rows as any;
    },
    async serve() {
      if (server || stopped) return;
      server = startPhpServer(port, root, phpErrorLog, (chunk) => (output += chunk));
      await waitForHttp(url, port, () => output, () => server!.exitCode !== null);
    },
    phpLog() {
      const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');
      return [output, read(phpErrorLog), read(storageLog), ...bodyProblems].filter(Boolean).join('\n');
    },
    phpProblems() {
      const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');
      return [...phpProblems(output), ...phpProblems(read(phpErrorLog)), ...phpProblems(read(storageLog)), ...bodyProblems];
    },
    noteBody(where, body) {
      for (const p of phpProblems(body)) bodyProblems.push(`${where}: ${p}`);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (server) {
        running.delete(server);
        await stopProcess(server);
      }
      await pool.end().catch(() => {});
      await dropDb().catch(() => {});
      cleanupTree();
    },
  };
  if (opts.serve ?? true) await shop.serve();
  installMs.push({ release, ms: Date.now() - started });
  return shop;
}

// A test worker killed outright (SIGKILL, OOM) cannot drop its shop: its php server dies with
// it (see startPhpServer), but its database and tree stay. Both carry the worker's pid; once
// per process, those of workers no longer alive are removed.
let swept = false;
async function sweepStale(serverUrl: string): Promise<void> {
  if (swept) return;
  swept = true;
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  };
  const conn = await mysql.createConnection({ uri: serverUrl });
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>("SHOW DATABASES LIKE 'erpb\\_oc%'");
    for (const row of rows) {
      const name = Object.values(row)[0] as string;
      const pid = /^erpb_oc\d+_(\d+)_[a-z0-9]+$/.exec(name)?.[1];
      if (pid && !alive(Number(pid))) await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
    }
  } finally {
    await conn.end();
  }
  for (const entry of readdirSync(os.tmpdir())) {
    const pid = /^erpb-oc\d+-(\d+)-/.exec(entry)?.[1];
    if (pid && !alive(Number(pid))) rmSync(path.join(os.tmpdir(), entry), { recursive: true, force: true });
  }
}

/** How long each install took in this process (copy + installer + serve), for reports. */
export const installMs: Array<{ release: Release; ms: number }> = [];

// What a shop owner does after the installer, so admin and storefront run clean:
// - deletes install/ (3.0 and 4.x admin warn while it exists, and it must not stay reachable);
// - moves storage/ out of the web root and points DIR_STORAGE at it in both config.php files
//   (the 4.x dashboard insists on it with a modal; 3.0's security check asks the same).
function afterInstall(root: string, dir: string): void {
  rmSync(path.join(root, 'install'), { recursive: true, force: true });
  const storage = path.join(dir, 'storage');
  renameSync(path.join(root, 'system/storage'), storage);
  for (const file of [path.join(root, 'config.php'), path.join(root, 'admin/config.php')]) {
    const text = readFileSync(file, 'utf8');
    const moved = text.replace(/define\('DIR_STORAGE',[^;]*;/, `define('DIR_STORAGE', '${storage}/');`);
    if (moved === text) throw new Error(`DIR_STORAGE not found in ${file}`);
    writeFileSync(file, moved);
  }
}

function startPhpServer(port: number, root: string, errorLog: string, onOutput: (s: string) => void): ChildProcess {
  killAllOnExit();
  // `sh` waits on its stdin, which is a pipe from this process: when the test worker ends in
  // any way (even SIGKILL) the pipe closes, `read` returns and php is killed: no orphan servers.
  // log_errors sends what OpenCart's own handler does not catch to a file phpProblems() reads.
  const script = 'php -S "$1" -t "$2" -d log_errors=1 -d error_log="$3" & pid=$!; trap "kill $pid 2>/dev/null" TERM; read _ ; kill $pid 2>/dev/null; wait $pid';
  const child = spawn('sh', ['-c', script, 'php-server', `127.0.0.1:${port}`, root, errorLog], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdout!.setEncoding('utf8').on('data', onOutput);
  child.stderr!.setEncoding('utf8').on('data', onOutput);
  running.add(child);
  return child;
}

// EOF on the wrapper's stdin stops php; SIGTERM runs the wrapper's trap (kills php) should
// it not react; SIGKILL only as the last resort.
function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const term = setTimeout(() => child.kill('SIGTERM'), 3000);
    const kill = setTimeout(() => child.kill('SIGKILL'), 6000);
    child.once('exit', () => {
      clearTimeout(term);
      clearTimeout(kill);
      resolve();
    });
    child.stdin!.end();
  });
}

// Ready when php says it listens on our port (so an answer from another server on a port taken
// meanwhile is not mistaken for ours) and answers a static file.
async function waitForHttp(url: string, port: number, log: () => string, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exited()) throw new Error(`php -S ended before serving ${url}:\n${log()}`);
    if (log().includes(`(http://127.0.0.1:${port}) started`)) {
      try {
        const res = await fetch(url + 'robots.txt');
        await res.arrayBuffer();
        return;
      } catch {
        // not accepting yet
      }
    }
    if (Date.now() > deadline) throw new Error(`php -S did not answer at ${url}:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
