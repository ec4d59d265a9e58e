import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AppContext } from '../context.js';
import { install } from '../context.js';
import { migrateDemoShop } from '../db/migrate.js';
import type { DocumentFormat } from '../erp/record.js';
import { SECRET_KEYS, SETTING_KEYS, isSettingKey } from '../settings/schema.js';
import { integrationUrls } from '../sync/integration-urls.js';
import { isPushKind, ORDER_STATUS_KIND, PUSH_KINDS } from '../sync/push-kinds.js';
import { orderStatusCommands, pushOrderStatus } from './order-status-commands.js';
import { PushService } from '../sync/push-service.js';
import { serve } from '../web/serve.js';
import { OrderExporter } from '../sync/order-export.js';
import { UsageError } from './errors.js';
import { AdminAccounts, MIN_PASSWORD } from '../admin/accounts.js';
import { ownTables, purge } from '../admin/purge.js';
import { readPublishedUrl } from '../admin/launch.js';
import { addressWarnings } from '../admin/handover.js';

export interface CommandOutput {
  text?: string;
  data?: unknown;
  exitCode?: number;
  /** The command started something long-lived (the server): do not exit. */
  keepRunning?: boolean;
}

export interface Command {
  usage: string;
  summary: string;
  run(ctx: AppContext, args: string[], opts: { json: boolean; stdin: () => Promise<string>; ask: (question: string) => Promise<string> }): Promise<CommandOutput>;
}

const FORMATS: Record<string, DocumentFormat> = { '.xml': 'xml', '.json': 'json', '.csv': 'csv' };

export const commands: Record<string, Command> = {
  serve: {
    usage: 'serve',
    summary: 'migrate, then serve the admin panel and the integration URLs (what npm start runs)',
    async run(ctx) {
      await serve(ctx);
      return { keepRunning: true };
    },
  },
  migrate: {
    usage: 'migrate',
    summary: 'run migrations and write default settings (idempotent)',
    async run(ctx) {
      const r = await install(ctx);
      const lines = [
        r.demoShop.length ? `demo shop: created (${r.demoShop.join(', ')})` : null,
        r.migrations.length ? `migrations applied: ${r.migrations.join(', ')}` : 'migrations: up to date',
        `schema version: ${r.schemaVersion}`,
        r.legacySettingsMoved.length ? `settings moved from module_erp_bridge: ${r.legacySettingsMoved.length}` : null,
        `shop module: ${r.moduleState === 'standalone' ? 'not installed (standalone)' : r.moduleState === 'installed' ? 'installed' : 'uninstalled in the shop: erp-bridge is disabled'}`,
        `settings: ${r.settingsWritten.length ? `${r.settingsWritten.length} default(s) written` : 'already present'}`,
      ].filter(Boolean);
      return { text: lines.join('\n'), data: r };
    },
  },
  'demo-seed': {
    usage: 'demo-seed',
    summary: 'create the Hungarian demo shop tables and data in the configured database (never on a real shop)',
    async run(ctx) {
      const applied = await migrateDemoShop(ctx.db);
      const r = await install(ctx, { demo: false });
      return { text: applied.length ? `demo shop created (${applied.join(', ')}); schema ${r.schemaVersion}` : 'demo shop already present', data: { applied } };
    },
  },
  'settings show': {
    usage: 'settings show',
    summary: 'every setting with its value (secrets only as set / not set)',
    async run(ctx) {
      await install(ctx);
      const view = await ctx.settings.publicView();
      const width = Math.max(...SETTING_KEYS.map((k) => k.length));
      const text = SETTING_KEYS.map((k) => {
        const v = view[k] as unknown;
        const shown = SECRET_KEYS.has(k) ? ((v as { set: boolean }).set ? '(set)' : '(not set)') : String(v) === '' ? '(empty)' : String(v);
        return `${k.padEnd(width)}  ${shown}`;
      }).join('\n');
      return { text, data: view };
    },
  },
  'settings set': {
    usage: 'settings set KEY=VALUE [KEY=VALUE …]',
    summary: 'validate and store settings, all or nothing',
    async run(ctx, args) {
      if (args.length === 0) throw new UsageError('usage: erp-bridge settings set KEY=VALUE [KEY=VALUE …]');
      const values: Record<string, string> = {};
      for (const a of args) {
        const i = a.indexOf('=');
        if (i <= 0) throw new UsageError(`"${a}" is not KEY=VALUE`);
        const key = a.slice(0, i);
        if (!isSettingKey(key)) throw new UsageError(`unknown setting "${key}" (known: ${SETTING_KEYS.join(', ')})`);
        values[key] = a.slice(i + 1);
      }
      await install(ctx);
      await ctx.settings.update(values);
      const keys = Object.keys(values);
      return { text: `saved: ${keys.join(', ')}`, data: { saved: keys } };
    },
  },
  urls: {
    usage: 'urls',
    summary: 'the integration URLs to give the ERP (and the orders feed), at the address the server really runs on',
    async run(ctx) {
      // PUBLIC_URL when set; else the address the running server published (its real port).
      const published = ctx.config.publicUrlFromEnv === false ? await readPublishedUrl(ctx.db).catch(() => null) : null;
      const base = published ?? ctx.config.publicUrl;
      const source = ctx.config.publicUrlFromEnv === false ? (published ? 'as published by the running server' : 'default: no server has run yet and PUBLIC_URL is not set') : 'PUBLIC_URL';
      const urls = integrationUrls(base, await ctx.settings.get());
      const warnings = addressWarnings(base).map((w) => w === 'localhost'
        ? `warning: ${new URL(base).hostname} is this machine: the ERP's PC cannot reach it. Set PUBLIC_URL to the address the ERP reaches (https://shop.example.hu/erp-bridge) and restart.`
        : 'warning: plain http: the password and the import key travel unencrypted. Serve erp-bridge behind an https reverse proxy and set PUBLIC_URL=https://….');
      const text = [
        `address: ${base} (${source})`,
        ...urls.map((u) => `${u.kind.padEnd(13)} ${u.url}${u.active ? '' : '   (inactive: ' + (u.kind === 'categories' ? 'needs full sync' : 'feed transport off') + ')'}`),
        ...warnings,
      ].join('\n');
      return { text, data: urls };
    },
  },
  'export-orders': {
    usage: 'export-orders',
    summary: 'one order export run now: prepare new orders, then deliver them by the configured transports',
    async run(ctx) {
      await install(ctx);
      const r = await new OrderExporter(ctx.db, ctx.settings).run('cli');
      if (r.skipped) return { text: `skipped: ${r.skipped}`, data: r, exitCode: 3 };
      const lines = [
        `run ${r.run}: prepared ${r.prepared} (needs attention ${r.attention}), exported ${r.exported}, retrying ${r.retrying}, failed ${r.failed}`,
        ...r.errors.map((e) => `  order ${e.orderId}: ${e.error}`),
      ];
      return { text: lines.join('\n'), data: r };
    },
  },
  'admin-password': {
    usage: 'admin-password',
    summary: 'set the standalone admin password (user "admin"), read from standard input',
    async run(ctx, _args, opts) {
      const password = (await opts.stdin()).replace(/\r?\n$/, '');
      if (password.length < MIN_PASSWORD) throw new UsageError(`the password must be at least ${MIN_PASSWORD} characters long`);
      await install(ctx);
      await new AdminAccounts(ctx.db).setPassword('admin', password);
      return { text: 'admin password set (user "admin")', data: { user: 'admin' } };
    },
  },
  purge: {
    usage: 'purge [--yes]',
    summary: "remove erp-bridge's own tables and settings from the shop's database (asks first; --yes for scripts)",
    async run(ctx, args, opts) {
      const tables = await ownTables(ctx.db);
      if (!args.includes('--yes')) {
        const answer = await opts.ask(
          `This deletes erp-bridge's ${tables.length} table(s) (journal, outbox, mappings, accounts) and all its settings, secrets included, ` +
          `with the prefix "${ctx.db.prefix}". The shop's own data is not touched. Type "purge" to go on: `,
        );
        if (answer.trim() !== 'purge') throw new UsageError('purge cancelled: nothing was removed');
      }
      const r = await purge(ctx.db);
      return { text: `purged: ${r.tablesDropped.length} table(s) dropped, ${r.settingsDeleted} setting row(s) deleted`, data: r };
    },
  },
  push: {
    usage: `push <${[...PUSH_KINDS, ORDER_STATUS_KIND].join('|')}> FILE [--dry-run] [--type xml|json|csv]`,
    summary: 'run a saved ERP document through the engine behind the URL and print its answer',
    async run(ctx, args) {
      const dryRun = args.includes('--dry-run');
      const typeAt = args.indexOf('--type');
      const type = typeAt >= 0 ? args[typeAt + 1] : undefined;
      const rest = args.filter((a, i) => a !== '--dry-run' && i !== typeAt && (typeAt < 0 || i !== typeAt + 1));
      const [kind, file] = rest;
      if (!kind || !file || rest.length > 2) throw new UsageError(`usage: erp-bridge ${commands.push!.usage}`);
      if (!isPushKind(kind) && kind !== ORDER_STATUS_KIND) throw new UsageError(`unknown kind "${kind}" (${[...PUSH_KINDS, ORDER_STATUS_KIND].join(', ')})`);
      if (type !== undefined && !['xml', 'json', 'csv'].includes(type)) throw new UsageError(`--type must be xml, json or csv, got "${type ?? ''}"`);
      const format = (type as DocumentFormat | undefined) ?? FORMATS[path.extname(file).toLowerCase()];
      if (!format) throw new UsageError(`cannot tell the format of "${file}": name it .xml, .json or .csv, or give --type`);
      let body: Buffer;
      try {
        body = await readFile(file);
      } catch (err) {
        throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      if (kind === ORDER_STATUS_KIND) return pushOrderStatus(ctx, body, format, dryRun);
      const answer = await new PushService(ctx.db, ctx.settings, { imageDir: ctx.config.shopImageDir }).push({ kind, body, format, dryRun, actor: 'cli' });
      const c = answer.counts;
      const lines = [
        `run ${answer.run}: ${kind}${dryRun ? ' (dry run: nothing written)' : ''}, ${answer.status}`,
        `received ${c.received}, updated ${c.updated}, unchanged ${c.unchanged}, created ${c.created}, unknown ${c.unknown}, ambiguous ${c.ambiguous}, invalid ${c.invalid}, ignored ${c.ignored}`,
        ...(answer.ignoredFields.length ? [`ignored fields: ${answer.ignoredFields.join(', ')}`] : []),
        ...answer.notApplied.map((n) => `  record ${n.record} ${n.code}: ${n.outcome}: ${n.reason}`),
      ];
      return { text: lines.join('\n'), data: answer };
    },
  },
  ...orderStatusCommands,
};
