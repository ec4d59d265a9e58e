// The HTTP application: thin routes over the services in the context.
import express, { type Express } from 'express';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppContext } from '../context.js';
import { healthRoutes } from './routes/health.js';
import { adminRoutes } from './routes/admin/index.js';
import { integrationRoutes } from './routes/integration.js';
import { apiErrorHandler, notFound } from './middleware/errors.js';
import { baseOf, mountPath, pathOf } from './base-path.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);

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
  app.use('/admin', adminRoutes(ctx));
  app.get('/', (_req, res) => res.redirect(`${baseOf(res)}/admin`));
  app.use(notFound);
  app.use(apiErrorHandler(ctx));
  return app;
}
