// Order documents on the wire: JSON (the document itself), XML, and CSV with a row per line.
import { toCsv } from '../util/csv.js';
import { xmlText as esc } from './xml-text.js';
import type { OrderDocument, OrderLine, Party } from './order-document.js';

export type OrderFormat = 'json' | 'xml' | 'csv';

const el = (name: string, value: string | number | undefined) => (value === undefined ? '' : `<${name}>${esc(String(value))}</${name}>`);
const party = (name: string, p: Party) =>
  `<${name}>${el('nev', p.name)}${el('ceg', p.company)}${el('cim1', p.address1)}${el('cim2', p.address2)}${el('varos', p.city)}${el('irsz', p.postcode)}${el('orszag', p.country)}${el('megye', p.zone)}</${name}>`;
// A means of payment (voucher, store credit) has no VAT rate: <afakulcs> is left out. A fixed-amount
// tax is its own element, <egyebado>, never folded into the rate.
const line = (l: OrderLine) =>
  `<tetel tipus="${esc(l.kind)}">${el('cikkszam', l.code)}${el('megnevezes', l.name)}${el('mennyiseg', l.quantity)}${el('mee', l.unit)}${el('nettoegysegar', l.netUnitPrice)}${el('afakulcs', l.vatRate ?? undefined)}${el('netto', l.net)}${el('afa', l.vat)}${el('egyebado', l.fixedTax)}${el('brutto', l.gross)}</tetel>`;

export function orderToXml(d: OrderDocument): string {
  const c = d.customer;
  return (
    `<rendeles azonosito="${d.orderId}">` +
    `<!-- ${esc(d.headerComment).replace(/--/g, '- -').replace(/-$/, '- ')} -->` +
    el('rendelesszam', d.orderNumber) + el('datum', d.date) + el('penznem', d.currency) + el('arfolyam', d.currencyValue) +
    `<allapot kod="${d.shopStatus.id}">${esc(d.shopStatus.name)}</allapot>` +
    el('megjegyzes', d.description) + el('belsomegjegyzes', d.internalNote) +
    `<vevo azonosito="${esc(c.key)}" felismeres="${esc(c.recognition)}" kezeles="${esc(c.processing)}">` +
    el('kod', c.code) + el('nev', c.name) + el('ceg', c.company) + el('adoszam', c.taxNumber) + el('email', c.email) + el('telefon', c.phone) +
    party('szamlazasicim', c.billing) + party('szallitasicim', c.shipping) +
    `</vevo>` +
    `<fizetesimod shopkod="${esc(d.payment.shopCode)}" erpkod="${esc(d.payment.erpCode)}">${esc(d.payment.name)}</fizetesimod>` +
    `<szallitasimod shopkod="${esc(d.shipping.shopCode)}" erpkod="${esc(d.shipping.erpCode)}">${esc(d.shipping.name)}</szallitasimod>` +
    `<tetelek cikkkezeles="${d.articleProcessing}" arbevetelcsoport="${esc(d.revenueGroup)}">${d.lines.map(line).join('')}</tetelek>` +
    `<osszesen>${el('netto', d.totals.net)}${d.totals.vat.map((v) => `<afa kulcs="${v.rate}" netto="${v.net}">${v.vat}</afa>`).join('')}${(d.totals.fixedTaxes ?? []).map((f) => `<egyebado nev="${esc(f.name)}">${f.amount}</egyebado>`).join('')}${el('brutto', d.totals.gross)}</osszesen>` +
    `</rendeles>`
  );
}

export function ordersToXml(docs: OrderDocument[], extra = ''): string {
  // extra: attributes of the root, e.g. the feed's next-page cursor.
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rendelesek${extra}>\n${docs.map((d) => orderToXml(d) + '\n').join('')}</rendelesek>\n`;
}

const CSV_COLUMNS = ['rendelesszam', 'datum', 'vevo_azonosito', 'vevo_nev', 'vevo_email', 'tipus', 'cikkszam', 'megnevezes', 'mennyiseg', 'mee', 'nettoegysegar', 'afakulcs', 'netto', 'afa', 'brutto', 'fizetesimod', 'szallitasimod', 'egyebado'];

/** One row per line, ';'-separated as Hungarian spreadsheets expect. */
export function ordersToCsv(docs: OrderDocument[]): string {
  const rows: unknown[][] = [CSV_COLUMNS];
  for (const d of docs)
    for (const l of d.lines)
      rows.push([d.orderNumber, d.date, d.customer.key, d.customer.name, d.customer.email, l.kind, l.code, l.name, l.quantity, l.unit, l.netUnitPrice, l.vatRate ?? '', l.net, l.vat, l.gross, d.payment.erpCode || d.payment.shopCode, d.shipping.erpCode || d.shipping.shopCode, l.fixedTax ?? '']);
  return toCsv(rows);
}

export function renderOrders(docs: OrderDocument[], format: OrderFormat, next: number | null = null): { body: string; type: string } {
  if (format === 'xml') return { body: ordersToXml(docs, next ? ` next="${next}"` : ''), type: 'application/xml; charset=utf-8' };
  if (format === 'csv') return { body: ordersToCsv(docs), type: 'text/csv; charset=utf-8' };
  return { body: JSON.stringify({ rendelesek: docs, next }), type: 'application/json; charset=utf-8' };
}
