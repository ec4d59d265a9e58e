// The shop stores local wall-clock times ('YYYY-MM-DD HH:MM:SS') and dates ('YYYY-MM-DD'),
// as OpenCart does with NOW(); '0000-00-00' means "no limit". Everything here is strings.
const pad = (n: number) => String(n).padStart(2, '0');

export function formatDate(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function formatDateTime(d: Date): string {
  return `${formatDate(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export const now = (): string => formatDateTime(new Date());
export const today = (): string => formatDate(new Date());

/** Adds days to a 'YYYY-MM-DD' date (calendar arithmetic, no time zone drift). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** Parses an ERP date (2026-11-30, 2026.11.30, 2026.11.30., 2026/11/30) into 'YYYY-MM-DD'. */
export function parseErpDate(raw: string): string | null {
  const m = /^(\d{4})[-./](\d{1,2})[-./](\d{1,2})\.?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$/.exec(raw.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null;
  return `${y}-${pad(mo)}-${pad(d)}`;
}
