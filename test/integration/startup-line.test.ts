// `serve` as a person starts it (issue 13): one human line saying where the admin is and whether
// a password must be set first; `urls` then prints the address the server really listens on,
// not a default port.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startupLine } from '../../app/web/serve.js';

const BIN = path.resolve('bin/erp-bridge.js');
const run = promisify(execFile);

function startServe(env: Record<string, string>): Promise<{ child: ChildProcess; line: string; stdout: () => string }> {
  const child = spawn(process.execPath, [BIN, 'serve'], { env: { PATH: process.env.PATH!, ...env } });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up line within 120 s; stdout: ${out} stderr: ${err}`)), 120_000);
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('erp-bridge is running'));
      if (line) {
        clearTimeout(timer);
        resolve({ child, line, stdout: () => out });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
}

describe('start-up line and the urls command', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'erpb-startup-'));
  // No DATABASE_URL: the embedded SQLite demo shop in DATA_DIR, as `npm start` on a fresh checkout.
  const env = { DATA_DIR: dir, APP_SECRET: 'startup-test-secret-0123456789', PORT: '0', ERP_BRIDGE_SCHEDULER: 'off' };
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child?.pid) process.kill(child.pid);
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints where the admin is and that a password must be set first; urls prints the port really used', async () => {
    const s = await startServe({ ...env, LOG_LEVEL: 'silent' });
    child = s.child;
    const m = /open (http:\/\/localhost:(\d+)\/admin) and set the admin password first/.exec(s.line);
    expect(m, s.line).not.toBeNull();
    const port = Number(m![2]);
    expect(port).toBeGreaterThan(0);
    expect(port).not.toBe(3000);
    // The line is the truth: the admin answers there, and asks for the password.
    const res = await fetch(`http://127.0.0.1:${port}/admin`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/admin/setup');
    // `urls` without PUBLIC_URL or PORT: the address the running server published.
    const urls = await run(process.execPath, [BIN, 'urls'], { env: { PATH: process.env.PATH!, DATA_DIR: dir, APP_SECRET: env.APP_SECRET, LOG_LEVEL: 'silent' } });
    expect(urls.stdout).toContain(`address: http://localhost:${port} (as published by the running server)`);
    expect(urls.stdout).toContain(`prices        http://localhost:${port}/integration/prices`);
    expect(urls.stdout).not.toContain(':3000');
    expect(urls.stdout).toMatch(/warning: localhost is this machine: the ERP's PC cannot reach it/);
    expect(urls.stdout).toMatch(/warning: plain http/);
    // A command run meanwhile without PUBLIC_URL does not replace the published address.
    await run(process.execPath, [BIN, 'migrate'], { env: { PATH: process.env.PATH!, DATA_DIR: dir, APP_SECRET: env.APP_SECRET, LOG_LEVEL: 'silent' } });
    expect((await run(process.execPath, [BIN, 'urls'], { env: { PATH: process.env.PATH!, DATA_DIR: dir, APP_SECRET: env.APP_SECRET, LOG_LEVEL: 'silent' } })).stdout).toContain(`http://localhost:${port}/integration/prices`);
  }, 240_000);

  it('words the line for an existing account and for a shop with the module installed', () => {
    expect(startupLine('https://bolt.hu/erp/admin', { hasAccount: true, moduleInstalled: false })).toBe('erp-bridge is running: open https://bolt.hu/erp/admin and log in as "admin".');
    expect(startupLine('https://bolt.hu/erp/admin', { hasAccount: false, moduleInstalled: true })).toMatch(/open it from the shop's admin menu \(erp-bridge\), or set a standalone admin password first at https:\/\/bolt.hu\/erp\/admin/);
  });
});
