import type { AddressInfo } from 'node:net';
import type { AppContext } from '../context.js';
import { install } from '../context.js';
import { createApp } from './server.js';
import { startScheduler } from '../jobs/scheduler.js';
import { AdminAccounts } from '../admin/accounts.js';
import { publishLaunchSettings } from '../admin/launch.js';
import { moduleState } from '../shop/extension.js';
import { closeDeadRuns } from '../plugin/dead-runs.js';

/** The one line a person reads at start: where the admin is, and what to do first. */
export function startupLine(adminUrl: string, s: { hasAccount: boolean; moduleInstalled: boolean }): string {
  if (s.hasAccount) return `erp-bridge is running: open ${adminUrl} and log in as "admin"${s.moduleInstalled ? ' (or open it from the shop\'s admin menu)' : ''}.`;
  if (s.moduleInstalled) return `erp-bridge is running: open it from the shop's admin menu (erp-bridge), or set a standalone admin password first at ${adminUrl}.`;
  return `erp-bridge is running: open ${adminUrl} and set the admin password first (no account yet; or run "erp-bridge admin-password").`;
}

/** `npm start`: make the database ready, then listen. */
export async function serve(ctx: AppContext): Promise<void> {
  const report = await install(ctx);
  if (report.demoShop.length) ctx.log.info('created the embedded demo shop (SQLite)');
  if (report.migrations.length) ctx.log.info({ migrations: report.migrations }, 'migrations applied');
  // A run this or another process left behind when it was killed is closed now, not at the next push.
  const closed = await closeDeadRuns(ctx.db);
  if (closed) ctx.log.warn({ runs: closed }, 'journal runs of a stopped process closed as interrupted');
  const app = createApp(ctx);
  const scheduler = process.env.ERP_BRIDGE_SCHEDULER === 'off' ? null : startScheduler(ctx);
  const port = await new Promise<number>((resolve, reject) => {
    const server = app.listen(ctx.config.port, () => resolve((server.address() as AddressInfo).port));
    server.on('error', reject);
    const stop = () => {
      scheduler?.stop();
      server.close(() => void ctx.close().finally(() => process.exit(0)));
      setTimeout(() => process.exit(0), 5000).unref();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  // Without PUBLIC_URL the address is this machine at the port really listened on (PORT=0 picks
  // one), published for the shop's module and the `urls` command.
  if (ctx.config.publicUrlFromEnv === false) ctx.config.publicUrl = `http://localhost:${port}`;
  await publishLaunchSettings(ctx.db, ctx.config.publicUrl);
  ctx.log.info(`erp-bridge listening on ${ctx.config.publicUrl} (${ctx.db.dialect.name}, prefix "${ctx.db.prefix}")`);
  const line = startupLine(`${ctx.config.publicUrl}/admin`, {
    hasAccount: await new AdminAccounts(ctx.db).exists(),
    moduleInstalled: report.moduleState === 'installed' || (await moduleState(ctx.db)) === 'installed',
  });
  process.stdout.write(line + '\n');
}
