// Journal words for people: who ran a sync ("ERP (127.0.0.1)"), what a run counted
// ("5 beérkezett, 3 frissítve"), why a record was not applied (a reason code and its values,
// rendered through the catalogue; rows journaled before reasons had codes show their stored
// text), and what a run's status means in a sentence. Templates get this as `label`.
import type { Formatter } from './format.js';
import type { Translate } from './messages.js';
import { orderErrorText } from './order-errors.js';

export const COUNT_KEYS = ['received', 'updated', 'unchanged', 'created', 'unknown', 'ambiguous', 'invalid', 'ignored'] as const;

export interface ReasonRow {
  reason?: string | null;
  reason_code?: string | null;
  reason_vars?: string | null;
}

export interface RunLike {
  status: string;
  http_status?: number | null;
  dry_run?: number | boolean;
  [count: string]: unknown;
}

/** "::ffff:127.0.0.1" → "127.0.0.1" (an IPv4 client seen through an IPv6 socket). */
export const plainAddress = (a: string) => a.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');

export function labels(t: Translate, fmt: Formatter) {
  const field = (name: unknown) => {
    const key = `erpfield.${String(name)}`;
    const s = t(key);
    return s === key ? String(name) : s;
  };
  const self = {
    /** "erp ::ffff:127.0.0.1" → "ERP (127.0.0.1)"; "cli" → "parancssor"; "admin bob" → "bob (admin felület)". */
    actor(actor: unknown): string {
      const a = String(actor ?? '').trim();
      let m = /^erp\s+(.+)$/i.exec(a);
      if (m) return t('actor.erp', { address: plainAddress(m[1]!) });
      if (a === 'erp') return t('actor.erp_plain');
      if (a === 'cli') return t('actor.cli');
      if (a === 'scheduler') return t('actor.scheduler');
      if (a === 'admin test') return t('actor.admin_test');
      m = /^admin\s+(.+)$/i.exec(a);
      if (m) return t('actor.admin', { name: m[1]! });
      if (a === 'admin') return t('actor.admin_plain');
      return a;
    },
    /** The run's non-zero counts in words: "5 beérkezett, 3 frissítve, 2 ismeretlen". */
    counts(run: Record<string, unknown>, all = false): string {
      return COUNT_KEYS.filter((k) => all || Number(run[k] ?? 0) !== 0)
        .map((k) => t(`count.${k}`, { n: fmt.number(Number(run[k] ?? 0), 0) }))
        .join(', ');
    },
    /** A record's outcome as a word. */
    outcome(o: unknown): string {
      const key = `outcome.${String(o)}`;
      const s = t(key);
      return s === key ? String(o) : s;
    },
    /** An ERP field name (ar, szabadraktar…) as the owner knows it. */
    field,
    /** Why a record was not applied, in the page's language. */
    reason(row: ReasonRow): string {
      // No code: an order export's item (its sentence is read back by order-problem templates), or an older row.
      if (!row.reason_code) return orderErrorText(t, String(row.reason ?? ''), fmt);
      let vars: Record<string, string | number> = {};
      try {
        vars = row.reason_vars ? (JSON.parse(row.reason_vars) as Record<string, string | number>) : {};
      } catch {
        return String(row.reason ?? '');
      }
      const key = `reason.${row.reason_code}`;
      const shown: Record<string, string | number> = { ...vars };
      for (const k of ['field', 'codeField', 'other']) if (k in shown) shown[k] = field(shown[k]);
      if (typeof shown.n === 'number') shown.n = fmt.number(shown.n, 0);
      const s = t(key, shown);
      return s === key ? String(row.reason ?? '') : s;
    },
    /** Why an order is held or did not reach the ERP (the outbox's stored sentence). */
    orderError: (stored: string | null | undefined) => orderErrorText(t, stored, fmt),
    /** What the run's status means, in one sentence (never "every record applied" for a run that did not finish). */
    runSummary(run: RunLike, notApplied: number): string {
      const http = run.http_status ?? 0;
      const applied = Number(run.updated ?? 0) + Number(run.created ?? 0);
      switch (run.status) {
        case 'running':
          return t('run.summary.running');
        case 'rejected':
          return t(`run.summary.rejected.${[400, 401, 403, 409, 413, 415, 503].includes(http) ? http : 'other'}`, { status: http });
        case 'failed':
          return applied > 0 ? t('run.summary.failed_after', { n: fmt.number(applied, 0) }) : t(`run.summary.failed.${http === 503 ? 503 : 'other'}`, { status: http });
        case 'interrupted':
          return t('run.summary.interrupted');
        case 'partial':
          return t('run.summary.partial', { applied: fmt.number(applied, 0), n: fmt.number(notApplied, 0) });
        default:
          return notApplied > 0 ? t('run.summary.ok_ignored', { n: fmt.number(notApplied, 0) }) : run.dry_run ? t('run.summary.ok_dry') : t('run.summary.ok');
      }
    },
  };
  return self;
}

export type Labels = ReturnType<typeof labels>;
