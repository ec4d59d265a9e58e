// E-mail alerts (opt-in: the `alert_email` setting): when the sync's verdict changes (it stops,
// needs attention, e.g. holds an order, or works again), one e-mail goes out through the shop's
// own mail settings (OpenCart's config_mail_* rows, config_email as the sender). No storms: the
// state last mailed and when are kept in <prefix>erp_bridge_alert_state, a state is mailed once,
// and at most one mail per cool-down (a state that changes meanwhile is mailed after it, if it
// still holds). A mail that cannot be sent is recorded (shown on the dashboard) and tried again
// after the cool-down. The SMTP password is read when sending and never logged or shown.
import type { AppContext } from '../context.js';
import type { Database } from '../db/database.js';
import { readSettingMap } from '../shop/setting-rows.js';
import { decodeLikeOpenCart } from '../util/html.js';
import { now as nowText, formatDateTime } from '../util/time.js';
import { translator, type Lang } from '../web/i18n/messages.js';
import { loadHealth } from './dashboard.js';
import type { Health, Reason } from './health.js';
import { formatter } from '../web/i18n/format.js';
import { sendMail, type SmtpOptions, type SmtpSecurity } from './smtp-client.js';

export const ALERT_COOLDOWN_MS = 30 * 60_000;
const CHANNEL = 'email';

/** The shop's mail settings as the dashboard may show them: no password, only whether one is set. */
export interface MailSettingsView {
  engine: string;
  host: string;
  port: number;
  security: SmtpSecurity;
  username: string;
  passwordSet: boolean;
  from: string;
  shopName: string;
  lang: Lang;
}

interface MailSettings extends MailSettingsView {
  password: string;
  timeoutMs: number;
}

const text = (rows: Map<string, { value: string }>, key: string) => decodeLikeOpenCart(String(rows.get(key)?.value ?? '')).trim();

/**
 * OpenCart's mail settings: engine "smtp" with config_mail_smtp_hostname ("ssl://host" for TLS
 * from the start, "tls://host" for STARTTLS, as OpenCart's own Smtp class reads it), port, user,
 * password and timeout; engine "mail" (PHP's mail(), i.e. the machine's own mail server) is sent
 * to the local mail server at 127.0.0.1:25.
 */
async function readMailSettings(db: Database): Promise<MailSettings> {
  const rows = await readSettingMap(db, 'config');
  const engine = text(rows, 'config_mail_engine') || 'mail';
  let host = text(rows, 'config_mail_smtp_hostname');
  let security: SmtpSecurity = 'none';
  const scheme = /^(ssl|tls):\/\//i.exec(host);
  if (scheme) {
    security = scheme[1]!.toLowerCase() === 'ssl' ? 'ssl' : 'starttls';
    host = host.slice(scheme[0].length);
  }
  const port = Number(text(rows, 'config_mail_smtp_port')) || (security === 'ssl' ? 465 : 25);
  const timeout = Number(text(rows, 'config_mail_smtp_timeout')) || 5;
  const smtp = engine === 'smtp';
  const adminLang = text(rows, 'config_admin_language') || text(rows, 'config_language');
  return {
    engine,
    host: smtp ? host : '127.0.0.1',
    port: smtp ? port : 25,
    security: smtp ? security : 'none',
    username: smtp ? text(rows, 'config_mail_smtp_username') : '',
    password: smtp ? text(rows, 'config_mail_smtp_password') : '',
    passwordSet: smtp && text(rows, 'config_mail_smtp_password') !== '',
    timeoutMs: Math.min(60, Math.max(1, timeout)) * 1000,
    from: text(rows, 'config_email'),
    shopName: text(rows, 'config_name'),
    lang: /^en/i.test(adminLang) ? 'en' : 'hu',
  };
}

export async function mailSettingsView(db: Database): Promise<MailSettingsView> {
  const { password: _p, timeoutMs: _t, ...view } = await readMailSettings(db);
  return view;
}

export interface AlertState {
  seen_state: string;
  seen_at: string | null;
  sent_state: string;
  sent_at: string | null;
  sent_count: number;
  last_error: string | null;
  last_error_at: string | null;
}

export async function alertState(db: Database): Promise<AlertState | null> {
  const row = await db.knex(db.own('alert_state')).where({ channel: CHANNEL }).first();
  return row ? { ...row, sent_count: Number(row.sent_count) } : null;
}

/** The words of one reason, as the dashboard and the e-mail show it. */
export function reasonText(t: ReturnType<typeof translator>, r: Reason): string {
  // A kind may word a reason its own way (order-status: "status changes", not "products").
  const own = r.kind ? `health.reason.${r.code}.${r.kind}` : '';
  const key = own && t(own) !== own ? own : `health.reason.${r.code}`;
  return t(key, { kind: r.kind ? t(`kind.${r.kind}`) : '', ...(r.vars ?? {}) });
}

export function alertMessage(health: Health, lang: Lang, adminUrl: string, shopName: string, at: Date) {
  const t = translator(lang);
  const fmt = formatter(lang);
  const subject = t('alert.subject', { shop: shopName || 'erp-bridge', verdict: t(`health.verdict.${health.verdict}`) });
  const lines = [
    t(`alert.intro.${health.verdict}`, { shop: shopName || t('alert.the_shop') }),
    '',
    ...health.reasons.map((r) => `- ${reasonText(t, r)}`),
    '',
    ...health.urls.map((u) => {
      const since = u.sinceSuccessMs === null ? t('health.never_succeeded') : fmt.relative(new Date(at.getTime() - u.sinceSuccessMs), at);
      return `${t(`kind.${u.kind}`)}: ${t('health.last_success')} ${since}`;
    }),
    '',
    t('alert.open_admin', { url: adminUrl }),
    t('alert.at', { at: fmt.dateTime(at) }),
    '',
    t('alert.footer'),
  ];
  return { subject, text: lines.join('\n') };
}

export type AlertOutcome = 'off' | 'unchanged' | 'recorded' | 'cooldown' | 'sent' | 'error';

/**
 * One check (the scheduler runs it every minute): judge the sync, and mail the state when it
 * changed since the last mail and the cool-down has passed.
 */
export async function checkAlerts(ctx: AppContext, opts: { now?: Date; cooldownMs?: number } = {}): Promise<AlertOutcome> {
  const at = opts.now ?? new Date();
  const cooldown = opts.cooldownMs ?? ALERT_COOLDOWN_MS;
  const { health, settings } = await loadHealth(ctx, at);
  const table = ctx.db.own('alert_state');
  await ctx.db.knex.raw(`${ctx.db.dialect.insertIgnore()} INTO ${table} (channel, seen_state, sent_state, sent_count) VALUES (?, '', '', 0)`, [CHANNEL]);
  const state = (await alertState(ctx.db))!;
  const stamp = formatDateTime(at);
  if (state.seen_state !== health.signature) await ctx.db.knex(table).where({ channel: CHANNEL }).update({ seen_state: health.signature, seen_at: stamp });
  const recipients = settings.alert_email.split(',').map((s) => s.trim()).filter(Boolean);
  if (recipients.length === 0) return 'off';
  if (state.sent_state === health.signature) return 'unchanged';
  // Working from the start (nothing mailed yet) is no news.
  if (health.verdict === 'working' && (state.sent_state === '' || state.sent_state === 'working')) {
    await ctx.db.knex(table).where({ channel: CHANNEL }).update({ sent_state: 'working' });
    return 'recorded';
  }
  const since = (s: string | null) => (s ? at.getTime() - new Date(s.replace(' ', 'T')).getTime() : Infinity);
  if (since(state.sent_at) < cooldown || since(state.last_error_at) < cooldown) return 'cooldown';
  const mail = await readMailSettings(ctx.db);
  const fail = async (message: string) => {
    await ctx.db.knex(table).where({ channel: CHANNEL }).update({ last_error: message.slice(0, 500), last_error_at: stamp });
    ctx.log.warn({ error: message, host: mail.host, port: mail.port }, 'alert e-mail not sent');
    return 'error' as const;
  };
  if (!mail.from) return fail('the shop has no e-mail address (System → Settings → Store: E-Mail)');
  if (mail.engine === 'smtp' && !mail.host) return fail('the shop\'s SMTP host is empty (System → Settings → Mail)');
  const { subject, text: body } = alertMessage(health, mail.lang, `${ctx.config.publicUrl}/admin`, mail.shopName, at);
  const smtp: SmtpOptions = { host: mail.host, port: mail.port, security: mail.security, username: mail.username || undefined, password: mail.password, timeoutMs: mail.timeoutMs };
  try {
    await sendMail(smtp, { from: mail.from, fromName: mail.shopName || 'erp-bridge', to: recipients, subject, text: body });
  } catch (err) {
    return fail((err as Error).message);
  }
  await ctx.db.knex(table).where({ channel: CHANNEL }).update({
    sent_state: health.signature, sent_at: stamp, sent_count: ctx.db.knex.raw('sent_count + 1'), last_error: null, last_error_at: null,
  });
  ctx.log.info({ verdict: health.verdict, to: recipients.length }, 'alert e-mail sent');
  return 'sent';
}

/** A test e-mail from the dashboard: proves the shop's mail settings work, whatever the state. */
export async function sendTestAlert(ctx: AppContext, lang: Lang): Promise<{ ok: boolean; error?: string }> {
  const settings = await ctx.settings.get();
  const recipients = settings.alert_email.split(',').map((s) => s.trim()).filter(Boolean);
  if (!recipients.length) return { ok: false, error: translator(lang)('alerts.no_recipient') };
  const mail = await readMailSettings(ctx.db);
  if (!mail.from) return { ok: false, error: translator(lang)('alerts.no_sender') };
  const t = translator(lang);
  try {
    await sendMail(
      { host: mail.host, port: mail.port, security: mail.security, username: mail.username || undefined, password: mail.password, timeoutMs: mail.timeoutMs },
      { from: mail.from, fromName: mail.shopName || 'erp-bridge', to: recipients, subject: t('alerts.test_subject'), text: t('alerts.test_body', { url: `${ctx.config.publicUrl}/admin`, at: nowText() }) },
    );
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}
