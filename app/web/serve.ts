import type { AppContext } from '../context.js';
import { install } from '../context.js';
import { createApp } from './server.js';
import { startScheduler } from '../jobs/scheduler.js';

/** `npm start`: make the database ready, then listen. */
export async function serve(ctx: AppContext): Promise<void> {
  const report = await install(ctx);
  if (report.demoShop.length) ctx.log.info('created the embedded demo shop (SQLite)');
  if (report.migrations.length) ctx.log.info({ migrations: report.migrations }, 'migrations applied');
  const app = createApp(ctx);
  const scheduler = process.env.ERP_BRIDGE_SCHEDULER === 'off' ? null : startScheduler(ctx);
  await new Promise<void>((resolve, reject) => {
    const server = app.listen(ctx.config.port, () => resolve());
    server.on('error', reject);
    const stop = () => {
      scheduler?.stop();
      server.close(() => void ctx.close().finally(() => process.exit(0)));
      setTimeout(() => process.exit(0), 5000).unref();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  ctx.log.info(`erp-bridge listening on ${ctx.config.publicUrl} (${ctx.db.dialect.name}, prefix "${ctx.db.prefix}")`);
}
