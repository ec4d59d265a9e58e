// The command line: `erp-bridge <command>`. It only parses arguments and calls services;
// any error ends in one clear line on stderr and a non-zero exit.
import { ConfigError, loadConfig, loadDotEnv } from '../config.js';
import { createContext, type AppContext } from '../context.js';
import { DatabaseUnavailableError, describeDbError, isConnectionError } from '../db/database.js';
import { ShopSchemaError } from '../shop/catalog.js';
import { SettingsValidationError } from '../settings/settings-service.js';
import { commands, type CommandOutput } from './commands.js';
import { UsageError } from './errors.js';
import { PushError } from '../sync/push-service.js';


function usage(): string {
  return [
    'usage: erp-bridge <command> [options]',
    '',
    ...Object.values(commands).map((c) => `  ${c.usage.padEnd(58)} ${c.summary}`),
    '',
    'options: --json (machine-readable output)',
  ].join('\n');
}

function print(out: CommandOutput, json: boolean): void {
  if (json) process.stdout.write(JSON.stringify(out.data ?? null, null, 2) + '\n');
  else if (out.text) process.stdout.write(out.text.endsWith('\n') ? out.text : out.text + '\n');
}

export function errorLine(err: unknown): string {
  if (err instanceof ConfigError) return `configuration error: ${err.message}`;
  if (err instanceof DatabaseUnavailableError) return `database unavailable: ${err.message}`;
  if (err instanceof ShopSchemaError) return `shop database: ${err.message}`;
  if (err instanceof SettingsValidationError) return `invalid settings: ${err.message}`;
  if (err instanceof UsageError) return err.message;
  if (err instanceof PushError) return `push refused (${err.status}): ${err.message}`;
  if (isConnectionError(err)) return `database unavailable: ${describeDbError(err)}`;
  const e = err as { code?: string; message?: string };
  if (e.code && /^(ER_|SQLITE_)/.test(e.code)) return `database error: ${describeDbError(err)}`;
  return `error: ${e.message ?? String(err)}`;
}

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const args = argv.filter((a) => a !== '--json');
  const words = args.filter((a) => !a.startsWith('-'));
  const name = [2, 1].map((n) => words.slice(0, n).join(' ')).find((n) => n in commands);
  if (!name || args.includes('--help') || args.includes('-h')) {
    process.stdout.write(usage() + '\n');
    return name || args.length === 0 || args.includes('--help') ? 0 : 2;
  }
  const command = commands[name]!;
  const rest = args.slice(args.indexOf(words[name.split(' ').length - 1]!) + 1);
  let ctx: AppContext | undefined;
  try {
    loadDotEnv();
    ctx = createContext(loadConfig(), undefined);
    const out = await command.run(ctx, rest, { json, stdin: readStdin, ask });
    print(out, json);
    if (out.keepRunning) {
      ctx = undefined; // the server owns the context from here on
      return -1;
    }
    return out.exitCode ?? 0;
  } catch (err) {
    if (json) process.stdout.write(JSON.stringify({ error: errorLine(err) }) + '\n');
    process.stderr.write(errorLine(err) + '\n');
    return err instanceof UsageError ? 2 : 1;
  } finally {
    await ctx?.close().catch(() => {});
  }
}

/** One line from standard input, the question on stderr (stdout may be piped to a file). */
async function ask(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: !!process.stdin.isTTY });
  try {
    const line = rl.question(question);
    // End of input (nothing piped) answers "" instead of waiting forever.
    return await Promise.race([line, new Promise<string>((resolve) => rl.once('close', () => resolve('')))]);
  } finally {
    rl.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
