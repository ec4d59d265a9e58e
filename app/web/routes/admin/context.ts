// Per-request view helpers for the admin: language, translator, links under the base path.
import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../../../context.js';
import { readConfigValue } from '../../../shop/setting-rows.js';
import { isLang, translator, type Lang } from '../../i18n/messages.js';
import { formatter } from '../../i18n/format.js';
import { labels } from '../../i18n/labels.js';
import type { AdminUser } from '../../middleware/admin-session.js';
import { readCookies } from '../../middleware/cookies.js';
import { baseOf } from '../../base-path.js';

export const LANG_COOKIE = 'erpb_lang';

async function pickLanguage(ctx: AppContext, req: Request, user: AdminUser | null): Promise<Lang> {
  const cookie = readCookies(req)[LANG_COOKIE];
  if (isLang(cookie)) return cookie;
  const shop = user?.language ?? (await readConfigValue(ctx.db, 'config_admin_language').catch(() => undefined));
  if (shop) return shop.toLowerCase().startsWith('hu') ? 'hu' : 'en';
  return /^\s*hu/i.test(String(req.headers['accept-language'] ?? '')) ? 'hu' : 'en';
}

export function viewLocals(ctx: AppContext) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const user = res.locals.user as AdminUser | null;
    const lang = await pickLanguage(ctx, req, user);
    res.locals.lang = lang;
    res.locals.t = translator(lang);
    // Numbers, money and dates in the page's language (app/web/i18n/format.ts).
    res.locals.fmt = formatter(lang);
    // Journal words: actors, counts, outcomes, reasons, run summaries (app/web/i18n/labels.ts).
    res.locals.label = labels(res.locals.t, res.locals.fmt);
    res.locals.csrf = user?.csrf ?? '';
    res.locals.currentPath = req.path;
    const base = baseOf(res);
    // Every admin link goes through url(): it carries the base path the app is mounted under.
    res.locals.url = (path: string, params: Record<string, string | number | undefined> = {}) => {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
      const s = q.toString();
      return `${base}/admin${path === '/' ? '/' : path}${s ? `?${s}` : ''}`;
    };
    res.locals.asset = (file: string) => `${base}/assets/${file}`;
    next();
  };
}
