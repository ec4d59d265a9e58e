// `npm start` builds first (scripts/build.mjs: app/ and migrations/ compiled to build/), and
// bin/erp-bridge.js runs that build only while it is as new as every source, else the TypeScript
// through tsx. Checked on a copy of the project in a temporary folder, so the project's own
// build/ (which other suites' processes may be starting from) is never touched.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const HELP_LINE = 'run migrations and write default settings';
const MARK = 'this text is only in the build';

describe('the build and the choice of code the command line runs', () => {
  const copy = mkdtempSync(path.join(os.tmpdir(), 'erpb-build-'));
  const data = mkdtempSync(path.join(os.tmpdir(), 'erpb-build-data-'));
  let server: ChildProcess | undefined;
  const help = async (env: Record<string, string> = {}) =>
    (await run(process.execPath, ['bin/erp-bridge.js', '--help'], { cwd: copy, env: { PATH: process.env.PATH!, ...env }, timeout: 60_000 })).stdout;
  const build = () => run(process.execPath, ['scripts/build.mjs'], { cwd: copy, timeout: 120_000 });
  /** Marks the build's help text, so its output shows which code ran. */
  const markBuild = () => {
    const f = path.join(copy, 'build/app/cli/commands.js');
    const text = readFileSync(f, 'utf8');
    expect(text).toContain(HELP_LINE);
    writeFileSync(f, text.replace(HELP_LINE, MARK));
  };

  beforeAll(() => {
    for (const d of ['app', 'migrations', 'bin', 'scripts', 'views', 'public', 'package.json']) cpSync(path.resolve(d), path.join(copy, d), { recursive: true });
    symlinkSync(path.resolve('node_modules'), path.join(copy, 'node_modules'));
  });
  afterAll(() => {
    if (server?.pid) server.kill('SIGTERM');
    rmSync(copy, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  });

  it('runs the sources while there is no build, the build once it is as new as every source, the sources again once one is newer or added', async () => {
    expect(await help()).toContain(HELP_LINE);
    await build();
    markBuild();
    expect(await help()).toContain(MARK);
    // Asked for the sources: the sources.
    expect(await help({ ERP_BRIDGE_SOURCES: '1' })).not.toContain(MARK);
    // A source edited after the build began: the build is stale.
    const src = path.join(copy, 'app/log.ts');
    const now = new Date();
    utimesSync(src, now, now);
    const stale = await help();
    expect(stale).toContain(HELP_LINE);
    expect(stale).not.toContain(MARK);
    // Built again: the build runs (the mark is gone with the old build).
    await build();
    markBuild();
    expect(await help()).toContain(MARK);
    // A source added since: stale again; built again, fresh.
    writeFileSync(path.join(copy, 'app/added-later.ts'), 'export const added = 1;\n');
    expect(await help()).not.toContain(MARK);
    await build();
    expect(readFileSync(path.join(copy, 'build/app/added-later.js'), 'utf8')).toContain('added');
    // A source removed: its output goes with the next build.
    rmSync(path.join(copy, 'app/added-later.ts'));
    await build();
    expect(() => readFileSync(path.join(copy, 'build/app/added-later.js'))).toThrow();
    markBuild();
    expect(await help()).toContain(MARK);
  }, 240_000);

  it('serves the admin, its pages and its assets from the build (views and public found from build/)', async () => {
    await build();
    markBuild();
    expect(await help()).toContain(MARK);
    server = spawn(process.execPath, ['bin/erp-bridge.js', 'serve'], {
      cwd: copy,
      env: { PATH: process.env.PATH!, DATA_DIR: data, APP_SECRET: 'build-test-secret-0123456789', PORT: '0', ERP_BRIDGE_SCHEDULER: 'off', LOG_LEVEL: 'silent' },
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      server!.stdout!.on('data', (d) => {
        out += d;
        const l = out.split('\n').find((x) => x.startsWith('erp-bridge is running'));
        if (l) resolve(l);
      });
      server!.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    const base = /open (http:\/\/localhost:\d+)\/admin/.exec(line)![1]!.replace('localhost', '127.0.0.1');
    const setup = await fetch(`${base}/admin/setup`);
    expect(setup.status).toBe(200);
    expect(await setup.text()).toMatch(/<form[^>]*method="post"/i);
    const htmx = await fetch(`${base}/assets/htmx.min.js`);
    expect(htmx.status).toBe(200);
    expect((await htmx.text()).length).toBeGreaterThan(10_000);
    const css = await fetch(`${base}/assets/app.css`);
    expect(css.status).toBe(200);
    expect(await css.text()).toBe(readFileSync(path.join(copy, 'public/app.css'), 'utf8'));
  }, 120_000);
});
