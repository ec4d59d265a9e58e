// The HTTP application: thin routes over the services in the context.
import express, { type Express, type RequestHandler } from 'express';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppContext } from '../context.js';
import { SettingsService } from '../settings/settings-service.js';
import { healthRoutes } from './routes/health.js';
import { adminRoutes } from './routes/admin/index.js';
import { integrationRoutes } from './routes/integration.js';
import { apiErrorHandler, notFound } from './middleware/errors.js';
import { baseOf, mountPath, pathOf } from './base-path.js';

// The project's root: two folders up from app/web, or from build/app/web (npm run build) the
// folder that holds build/ (known by the stamp the build leaves in it).
const twoUp = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const root = existsSync(path.join(twoUp, '.built')) ? path.dirname(twoUp) : twoUp;
const require = createRequire(import.meta.url);

/**
 * The admin, its pages (GET) read through `db.reads`: on SQLite a second connection, so a page
 * answers between a big push's statements instead of queueing behind every one of them. Changes
 * (POST) go through the same connection as everything else.
 */
function adminRouter(ctx: AppContext): RequestHandler {
  const changes = adminRoutes(ctx);
  if (ctx.db.reads === ctx.db) return changes;
  const pages = adminRoutes({ ...ctx, db: ctx.db.reads, settings: new SettingsService(ctx.db.reads, ctx.config.appSecret) });
  return (req, res, next) => (req.method === 'GET' || req.method === 'HEAD' ? pages : changes)(req, res, next);
}

export function createApp(ctx: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  // Off unless the operator says a proxy is in front (TRUST_PROXY): X-Forwarded-For from a client is not an address.
  app.set('trust proxy', ctx.config.trustProxy);
  app.set('view engine', 'ejs');
  app.set('views', path.join(root, 'views'));
  // Compiled templates are kept (Express does so only under NODE_ENV=production): compiling a page
  // and every partial it includes on each request cost 100+ ms on the dashboard and settings.
  app.set('view cache', process.env.ERP_BRIDGE_VIEW_CACHE !== 'off');
  app.use(mountPath(pathOf(ctx.config.publicUrl)));
  // htmx is served from the installed package: no CDN, no build step.
  const htmx = require.resolve('htmx.org/dist/htmx.min.js');
  app.get('/assets/htmx.min.js', (_req, res) => res.type('application/javascript').sendFile(htmx, { maxAge: '1d' }));
  app.use('/assets', express.static(path.join(root, 'public'), { maxAge: '1h' }));
  app.use(healthRoutes(ctx));
  app.use(integrationRoutes(ctx));
  app.use('/admin', adminRouter(ctx));
  app.get('/', (_req, res) => res.redirect(`${baseOf(res)}/admin`));
  app.use(notFound);
  app.use(apiErrorHandler(ctx));
  return app;
}
