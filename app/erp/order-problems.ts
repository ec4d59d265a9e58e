// Why an order cannot go to the ERP, or did not get there, and why the ERP's word on an order waits
// for the shop: a code and its values, made where it happens. The outbox and the journal keep the English sentence (the CLI, the log and the orders
// feed's holders read it); the admin recognises each sentence by these same templates and shows
// it in the owner's language (app/web/i18n/order-errors.ts). Several problems of one order are
// joined with "; ". Pure: it lives with the wire formats.
import { fillReason, type ReasonVars } from './reasons.js';

export const ORDER_PROBLEM_TEXT = {
  // The order's document (app/erp/order-document.ts, order-vat.ts).
  code_missing: "the ERP item code setting {setting} is not set (needed for the order's {line} line)",
  total_differs: "the document's gross total {gross} differs from the order total {total} by {diff}",
  tax_unmatched: 'the tax of "{name}" ({tax} per unit) matches none of the shop\'s tax classes for this order\'s address',
  tax_unexplained: 'the order\'s tax "{title}" ({amount}) is not explained by the shop\'s tax rules for its lines',
  tax_differs: 'the lines\' tax "{name}" {exact} differs from OpenCart\'s {row} by {diff}',
  net_differs: "the lines' net {exact} differs from OpenCart's total before tax {total} by {diff}",
  replaced: 'characters XML cannot carry (control characters such as NUL or a vertical tab) were replaced with U+FFFD in: {fields}',
  // Delivery (app/sync/order-transports.ts, order-export.ts, order-feed.ts), after "http: " or "file: ".
  http_status: 'HTTP {status}: {body}',
  timeout: 'cannot reach {host}: no answer within {seconds} s',
  unreachable: 'cannot reach {host}: {reason}',
  unwritable: 'cannot write into {dir}: {code}',
  unreadable: 'the stored document cannot be read; retry the order to rebuild it from the shop',
  unservable: 'the stored document cannot be served ({detail}); retry the order to rebuild it from the shop',
  // A status change from the ERP that waits for the shop's API (app/sync/shop-api.ts, order-status.ts).
  api_no_shop_url: "the shop's address is not set (setting shop_url)",
  api_no_user_set: 'no API user is chosen (setting shop_api_user; `erp-bridge shop-api-user` creates one)',
  api_tables_unreadable: "the shop's API tables cannot be read: {detail}",
  api_no_tables: 'the shop has no API tables',
  api_no_user: 'the shop has no enabled API user "{user}" (System → Users → API)',
  api_answered: "the shop's API answered: {error}",
  api_no_result: "the shop's API answered HTTP {status} without a result ({text})",
  api_timeout: "the shop's API cannot be reached at {origin}: no answer within {seconds} s",
  api_unreachable: "the shop's API cannot be reached at {origin}: {why}",
  written_directly: 'written directly (no e-mail)',
} as const;

export type OrderProblemCode = keyof typeof ORDER_PROBLEM_TEXT;

/** The English sentence of an order problem. */
export function orderProblem(code: OrderProblemCode, vars: ReasonVars = {}): string {
  return fillReason(ORDER_PROBLEM_TEXT[code], vars);
}

export interface ReadProblem {
  /** "http" or "file" when the sentence came from a delivery. */
  via?: string;
  code?: OrderProblemCode;
  vars?: Record<string, string>;
  /** The text as stored, when no template matches (older rows, an exception's own message). */
  text?: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const MATCHERS = (Object.entries(ORDER_PROBLEM_TEXT) as Array<[OrderProblemCode, string]>).map(([code, template]) => {
  const names: string[] = [];
  const source = template.split(/(\{\w+\})/).map((part) => {
    const m = /^\{(\w+)\}$/.exec(part);
    if (!m) return escape(part);
    names.push(m[1]!);
    return '([\\s\\S]*?)';
  }).join('');
  return { code, names, re: new RegExp(`^${source}$`) };
});

function readOne(text: string): ReadProblem | null {
  const via = /^(http|file): /.exec(text)?.[1];
  const rest = via ? text.slice(via.length + 2) : text;
  for (const m of MATCHERS) {
    const found = m.re.exec(rest);
    if (found) return { ...(via ? { via } : {}), code: m.code, vars: Object.fromEntries(m.names.map((n, i) => [n, found[i + 1]!])) };
  }
  return null;
}

/**
 * A stored text back into its problems: each part that a template makes is its code and values,
 * the rest is kept as text. Parts are taken shortest first, so a "; " inside a value (a product
 * named "A; B") joins the parts around it only when no shorter reading exists.
 */
export function readOrderProblems(stored: string): ReadProblem[] {
  const parts = stored.split('; ');
  const out: ReadProblem[] = [];
  for (let i = 0; i < parts.length; ) {
    let found: ReadProblem | null = null;
    let j = i;
    for (; j < parts.length && !found; j++) found = readOne(parts.slice(i, j + 1).join('; '));
    if (found) {
      out.push(found);
      i = j;
    } else {
      out.push({ text: parts[i]! });
      i++;
    }
  }
  return out;
}
