// Why an order is held or did not reach the ERP, or the ERP's word on it waits for the shop
// (app/erp/order-problems.ts codes), in the admin's languages. The outbox and the journal keep the English sentence; the orders page and the
// export's run page read each sentence back into its code and values and show it here. A text no
// template makes (an older row) is shown as stored.
import { ORDER_PROBLEM_TEXT, readOrderProblems, type OrderProblemCode } from '../../erp/order-problems.js';
import type { Translate } from './messages.js';
import type { Formatter } from './format.js';

const hu: Record<OrderProblemCode, string> = {
  code_missing: '„{setting}” nincs beállítva, pedig a rendelés egyik sora ({line}) ezt kéri',
  total_differs: 'a bizonylat bruttó végösszege ({gross}) eltér a rendelés végösszegétől ({total}), a különbség {diff}',
  tax_unmatched: '„{name}” adója (egységenként {tax}) a bolt egyik adóosztályával sem egyezik a rendelés címén',
  tax_unexplained: 'a rendelés „{title}” adóját ({amount}) a bolt adószabályai nem adják ki a tételekből',
  tax_differs: 'a tételek „{name}” adója ({exact}) eltér az OpenCart által tárolttól ({row}), a különbség {diff}',
  net_differs: 'a tételek nettó összege ({exact}) eltér az OpenCart adó előtti végösszegétől ({total}), a különbség {diff}',
  replaced: 'az XML-ben nem továbbítható vezérlőkaraktereket (pl. NUL, függőleges tabulátor) U+FFFD jelre cseréltük itt: {fields}',
  http_status: 'az ERP HTTP {status} hibával válaszolt: {body}',
  timeout: '{host} nem válaszolt {seconds} másodpercen belül',
  unreachable: '{host} nem érhető el: {reason}',
  unwritable: 'nem lehet írni ebbe a mappába: {dir} ({code})',
  unreadable: 'a tárolt bizonylat nem olvasható; az újraküldés a boltból újra elkészíti',
  unservable: 'a tárolt bizonylat nem adható ki ({detail}); az újraküldés a boltból újra elkészíti',
  api_no_shop_url: 'a bolt címe nincs megadva (Beállítások, rendelésállapot)',
  api_no_user_set: 'nincs kiválasztva a bolt API-felhasználója (Beállítások, rendelésállapot: ott létre is hozható)',
  api_tables_unreadable: 'a bolt API-táblái nem olvashatók: {detail}',
  api_no_tables: 'a boltnak nincsenek API-táblái',
  api_no_user: 'a boltban nincs engedélyezett „{user}” API-felhasználó (Rendszer → Felhasználók → API)',
  api_answered: 'a bolt API-ja ezt válaszolta: {error}',
  api_no_result: 'a bolt API-ja HTTP {status} választ adott eredmény nélkül ({text})',
  api_timeout: 'a bolt API-ja ({origin}) nem válaszolt {seconds} másodpercen belül',
  api_unreachable: 'a bolt API-ja nem érhető el itt: {origin} ({why})',
  written_directly: 'közvetlenül az adatbázisba írva (e-mail nélkül)',
};

/** The order total lines that need an ERP item code (app/erp/order-document.ts LINE_CODE_SETTINGS), as the owner names them. */
const LINES = {
  en: { shipping: 'shipping', handling: 'handling fee', low_order_fee: 'low order fee', coupon: 'coupon', reward: 'reward points', voucher: 'voucher', gift_voucher: 'gift voucher', credit: 'store credit' },
  hu: { shipping: 'szállítás', handling: 'kezelési díj', low_order_fee: 'kis rendelés díja', coupon: 'kupon', reward: 'hűségpont', voucher: 'utalvány', gift_voucher: 'ajándékutalvány', credit: 'jóváírás' },
};

const catalogueOf = (texts: Record<string, string>, lines: Record<string, string>, via: { http: string; file: string }) => ({
  ...Object.fromEntries(Object.entries(texts).map(([k, v]) => [`orderproblem.${k}`, v])),
  ...Object.fromEntries(Object.entries(lines).map(([k, v]) => [`orderproblem.line.${k}`, v])),
  'orderproblem.via.http': via.http,
  'orderproblem.via.file': via.file,
});

export const ORDER_ERRORS_EN: Record<string, string> = catalogueOf(ORDER_PROBLEM_TEXT, LINES.en, { http: 'HTTP delivery: {text}', file: 'file drop: {text}' });
export const ORDER_ERRORS_HU: Record<string, string> = catalogueOf(hu, LINES.hu, { http: 'HTTP-küldés: {text}', file: 'fájlba írás: {text}' });

/** The templates' amounts: stored with a decimal point, shown in the page's number format ("275,95"). */
const AMOUNTS = ['gross', 'total', 'diff', 'tax', 'amount', 'exact', 'row'];

/** A stored order error in the page's language (the parts no template makes, as stored). */
export function orderErrorText(t: Translate, stored: string | null | undefined, fmt?: Formatter): string {
  if (!stored) return '';
  return readOrderProblems(stored).map((p) => {
    if (!p.code) return p.text ?? '';
    const vars: Record<string, string> = { ...p.vars };
    if (fmt) for (const k of AMOUNTS) if (k in vars && /^-?\d+(\.\d+)?$/.test(vars[k]!)) vars[k] = fmt.number(Number(vars[k]), 4);
    if (p.code === 'code_missing') {
      const field = t(`field.${vars.setting}`);
      if (field !== `field.${vars.setting}`) vars.setting = field;
      const line = t(`orderproblem.line.${vars.line}`);
      if (line !== `orderproblem.line.${vars.line}`) vars.line = line;
    }
    const text = t(`orderproblem.${p.code}`, vars);
    return p.via ? t(`orderproblem.via.${p.via}`, { text }) : text;
  }).join('; ');
}
