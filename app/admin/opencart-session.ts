// Inside a shop's admin: the shop's own admin session is accepted. OpenCart 3.0 keeps it in
// the `session` table (data as JSON with user_id and user_token), the browser holds OCSESSID,
// and every admin URL carries user_token; the user's group must have permission for the module.
import type { Database } from '../db/database.js';
import { safeEqual } from '../util/secrets.js';
import { now } from '../util/time.js';

export const MODULE_ROUTE = 'extension/module/erp_bridge';

export interface ShopAdmin {
  userId: number;
  username: string;
  canModify: boolean;
  language: string | null;
}

export async function shopAdminFromSession(db: Database, sessionId: string, userToken: string): Promise<ShopAdmin | null> {
  if (!/^[A-Za-z0-9,-]{1,32}$/.test(sessionId) || !userToken) return null;
  const row = await db.knex(db.t('session')).where({ session_id: sessionId }).andWhere('expire', '>', now()).first('data');
  if (!row) return null;
  let data: { user_id?: string | number; user_token?: string; language?: string };
  try {
    data = JSON.parse(String(row.data));
  } catch {
    return null;
  }
  if (!data.user_id || !data.user_token || !safeEqual(String(data.user_token), userToken)) return null;
  const user = await db.knex(`${db.t('user')} as u`)
    .join(`${db.t('user_group')} as g`, 'g.user_group_id', 'u.user_group_id')
    .where({ 'u.user_id': Number(data.user_id), 'u.status': 1 })
    .first('u.user_id', 'u.username', 'g.permission');
  if (!user) return null;
  let permission: { access?: string[]; modify?: string[] } = {};
  try {
    permission = JSON.parse(String(user.permission));
  } catch {
    /* no permissions */
  }
  if (!permission.access?.includes(MODULE_ROUTE)) return null;
  return { userId: Number(user.user_id), username: String(user.username), canModify: !!permission.modify?.includes(MODULE_ROUTE), language: data.language ?? null };
}
