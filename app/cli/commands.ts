import type { AppContext } from '../context.js';
import { install } from '../context.js';
import { serve } from '../web/serve.js';

export interface CommandOutput {
  text?: string;
  data?: unknown;
  exitCode?: number;
  /** The command started something long-lived (the server): do not exit. */
  keepRunning?: boolean;
}

export interface Command {
  summary: string;
  run(ctx: AppContext, args: string[], opts: { json: boolean }): Promise<CommandOutput>;
}

export const commands: Record<string, Command> = {
  serve: {
    summary: 'migrate, then serve the admin panel and the integration URLs (what npm start runs)',
    async run(ctx) {
      await serve(ctx);
      return { keepRunning: true };
    },
  },
  migrate: {
    summary: 'run migrations and register the extension (idempotent)',
    async run(ctx) {
      const r = await install(ctx);
      const lines = [
        r.demoShop.length ? `demo shop: created (${r.demoShop.join(', ')})` : null,
        r.migrations.length ? `migrations applied: ${r.migrations.join(', ')}` : 'migrations: up to date',
        `schema version: ${r.schemaVersion}`,
        `extension: ${r.extensionRegistered ? 'registered' : 'already registered'}`,
        `settings: ${r.settingsWritten.length ? `${r.settingsWritten.length} default(s) written` : 'already present'}`,
      ].filter(Boolean);
      return { text: lines.join('\n'), data: r };
    },
  },
};
