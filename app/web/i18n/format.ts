// Numbers, money, dates, times and "how long ago" in the page's language: `7 400 Ft`,
// `2026. 11. 23. 14:05`, `3 órája` in Hungarian; `HUF 7,400`, `23 Nov 2026, 14:05`, `3 hours ago`
// in English. Templates get one of these as `fmt` (res.locals.fmt). Times are the shop's local
// wall-clock strings ('YYYY-MM-DD HH:MM:SS', as app/util/time.ts writes them), so nothing here
// shifts a time zone: a stored string is only re-spelled.
import type { Lang } from './messages.js';

const LOCALE: Record<Lang, string> = { hu: 'hu-HU', en: 'en-GB' };

/** Currencies whose everyday amounts carry no minor units (the forint's fillér is gone). */
const WHOLE_CURRENCIES = new Set(['HUF', 'JPY', 'KRW', 'ISK', 'CLP']);

type Unit = 'second' | 'minute' | 'hour' | 'day' | 'month' | 'year';

// Hungarian says "3 órája" (not Intl's "3 órával ezelőtt"), so the words are ours.
const RELATIVE: Record<Lang, { now: string; past: Record<Unit, string>; future: Record<Unit, string> }> = {
  hu: {
    now: 'épp most',
    past: { second: '{n} másodperce', minute: '{n} perce', hour: '{n} órája', day: '{n} napja', month: '{n} hónapja', year: '{n} éve' },
    future: { second: '{n} másodperc múlva', minute: '{n} perc múlva', hour: '{n} óra múlva', day: '{n} nap múlva', month: '{n} hónap múlva', year: '{n} év múlva' },
  },
  en: {
    now: 'just now',
    past: { second: '{n} seconds ago', minute: '{n} minutes ago', hour: '{n} hours ago', day: '{n} days ago', month: '{n} months ago', year: '{n} years ago' },
    future: { second: 'in {n} seconds', minute: 'in {n} minutes', hour: 'in {n} hours', day: 'in {n} days', month: 'in {n} months', year: 'in {n} years' },
  },
};
const EN_ONE: Record<Unit, string> = { second: 'second', minute: 'minute', hour: 'hour', day: 'day', month: 'month', year: 'year' };

/** A stored 'YYYY-MM-DD[ HH:MM[:SS]]' string (or a Date) as a local Date; null if unreadable. */
export function parseStored(value: string | Date | null | undefined): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (!value) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(String(value));
  if (!m || m[1] === '0000') return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  return Number.isNaN(d.getTime()) ? null : d;
}

export interface Formatter {
  lang: Lang;
  /** 7400.5 → "7 400,5" (hu) / "7,400.5" (en); null/NaN → "". */
  number(n: number | string | null | undefined, maxFractionDigits?: number): string;
  /** 7400, "HUF" → "7 400 Ft" (hu) / "HUF 7,400" (en). An unknown currency code stays beside the number. */
  money(amount: number | string | null | undefined, currency: string | null | undefined): string;
  /** "2026-11-23…" → "2026. 11. 23." / "23 Nov 2026". */
  date(value: string | Date | null | undefined): string;
  /** "2026-11-23 14:05:09" → "2026. 11. 23. 14:05" / "23 Nov 2026, 14:05". */
  dateTime(value: string | Date | null | undefined): string;
  /** "2026-11-23 14:05:09" → "14:05:09". */
  time(value: string | Date | null | undefined): string;
  /** "3 órája" / "3 hours ago" (or "… múlva" / "in …" for a future time). */
  relative(value: string | Date | null | undefined, now?: Date): string;
  /** 1234 ms → "1,2 mp" / "1.2 s"; 83 000 ms → "1 perc 23 mp" / "1 min 23 s". */
  duration(ms: number | null | undefined): string;
}

export function formatter(lang: Lang): Formatter {
  const locale = LOCALE[lang];
  const numbers = new Map<number, Intl.NumberFormat>();
  const numberFormat = (digits: number) => {
    let f = numbers.get(digits);
    if (!f) numbers.set(digits, (f = new Intl.NumberFormat(locale, { maximumFractionDigits: digits, useGrouping: 'always' } as Intl.NumberFormatOptions)));
    return f;
  };
  const dateFormat = new Intl.DateTimeFormat(locale, lang === 'hu' ? { year: 'numeric', month: '2-digit', day: '2-digit' } : { year: 'numeric', month: 'short', day: 'numeric' });
  const timeFormat = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const secondsFormat = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const rel = RELATIVE[lang];

  const toNumber = (n: number | string | null | undefined): number | null => {
    if (n === null || n === undefined || n === '') return null;
    const v = typeof n === 'number' ? n : Number(n);
    return Number.isFinite(v) ? v : null;
  };

  const self: Formatter = {
    lang,
    number(n, maxFractionDigits = 4) {
      const v = toNumber(n);
      return v === null ? '' : numberFormat(maxFractionDigits).format(v);
    },
    money(amount, currency) {
      const v = toNumber(amount);
      if (v === null) return '';
      const code = String(currency ?? '').trim().toUpperCase();
      if (!/^[A-Z]{3}$/.test(code)) return self.number(v, 2);
      const whole = WHOLE_CURRENCIES.has(code) && Math.abs(v - Math.round(v)) < 0.005;
      try {
        return new Intl.NumberFormat(locale, { style: 'currency', currency: code, minimumFractionDigits: whole ? 0 : 2, maximumFractionDigits: whole ? 0 : 2, useGrouping: 'always' } as Intl.NumberFormatOptions).format(v);
      } catch {
        return `${self.number(v, 2)} ${code}`;
      }
    },
    date(value) {
      const d = parseStored(value);
      return d ? dateFormat.format(d) : '';
    },
    dateTime(value) {
      const d = parseStored(value);
      if (!d) return '';
      return lang === 'hu' ? `${dateFormat.format(d)} ${timeFormat.format(d)}` : `${dateFormat.format(d)}, ${timeFormat.format(d)}`;
    },
    time(value) {
      const d = parseStored(value);
      return d ? secondsFormat.format(d) : '';
    },
    relative(value, now = new Date()) {
      const d = parseStored(value);
      if (!d) return '';
      const seconds = Math.round((d.getTime() - now.getTime()) / 1000);
      const abs = Math.abs(seconds);
      if (abs < 45) return rel.now;
      const [unit, n]: [Unit, number] =
        abs < 3600 ? ['minute', Math.max(1, Math.round(abs / 60))]
        : abs < 86_400 ? ['hour', Math.round(abs / 3600)]
        : abs < 30 * 86_400 ? ['day', Math.round(abs / 86_400)]
        : abs < 365 * 86_400 ? ['month', Math.round(abs / (30 * 86_400))]
        : ['year', Math.round(abs / (365 * 86_400))];
      let s = (seconds < 0 ? rel.past : rel.future)[unit].replace('{n}', self.number(n, 0));
      if (lang === 'en' && n === 1) s = s.replace(`1 ${EN_ONE[unit]}s`, `1 ${EN_ONE[unit]}`);
      return s;
    },
    duration(ms) {
      const v = toNumber(ms);
      if (v === null) return '';
      if (v < 1000) return `${self.number(Math.round(v), 0)} ms`;
      const sec = lang === 'hu' ? 'mp' : 's';
      if (v < 60_000) return `${self.number(v / 1000, 1)} ${sec}`;
      const minutes = Math.floor(v / 60_000);
      const seconds = Math.round((v % 60_000) / 1000);
      return `${self.number(minutes, 0)} ${lang === 'hu' ? 'perc' : 'min'} ${seconds} ${sec}`;
    },
  };
  return self;
}
