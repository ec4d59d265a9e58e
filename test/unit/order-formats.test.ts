// The order document on the wire, written out whole: every element, attribute and column the
// ERP reads, so a field dropped, renamed or misplaced fails here.
import { describe, expect, it } from 'vitest';
import type { OrderDocument } from '../../app/erp/order-document.js';
import { orderToXml, ordersToCsv, ordersToXml, renderOrders } from '../../app/erp/order-formats.js';

const party = (city: string) => ({ name: 'Éva Kovács', company: 'K&K Bt.', address1: 'Fő u. 1', address2: 'II/3', city, postcode: '6720', country: 'HU', zone: 'Csongrád' });
const doc = (over: Partial<OrderDocument> = {}): OrderDocument => ({
  orderNumber: 'INV-7', orderId: 7, date: '2026-11-20 10:00:00', currency: 'HUF', currencyValue: 1, orderCurrency: { code: 'HUF', value: 1 },
  shopStatus: { id: 2, name: 'Feldolgozás <1>' }, description: 'Bolt #INV-7', headerComment: 'Webshop order INV-7', internalNote: 'Csengessen',
  customer: { key: 'C3', recognition: 'smart', processing: 'auto', code: 'C3', name: 'Éva Kovács', company: 'K&K Bt.', taxNumber: '11111111-1-11', email: 'eva@example.hu', phone: '+36 1', billing: party('Szeged'), shipping: party('Pécs') },
  articleProcessing: 'none', revenueGroup: 'WEB"1',
  payment: { shopCode: 'cod', name: 'Utánvét', erpCode: 'UTV' },
  shipping: { shopCode: 'flat.flat', name: 'Futár', erpCode: '' },
  lines: [
    { kind: 'product', code: 'SKU-1', name: 'Kés', quantity: 2, unit: 'db', netUnitPrice: 1000, vatRate: 27, net: 2000, vat: 540, fixedTax: 4, gross: 2544 },
    { kind: 'voucher', code: 'UTALV', quantity: 1, vatRate: null, net: -500, vat: 0, gross: -500 },
  ],
  totals: { net: 1500, vat: [{ rate: 27, net: 2000, vat: 540 }, { rate: 5, net: 0, vat: 0 }], fixedTaxes: [{ name: 'Öko <díj>', amount: 4 }], gross: 2044, shopTotal: 2044 },
  ...over,
} as OrderDocument);

const partyXml = (tag: string, city: string) => `<${tag}><nev>Éva Kovács</nev><ceg>K&amp;K Bt.</ceg><cim1>Fő u. 1</cim1><cim2>II/3</cim2><varos>${city}</varos><irsz>6720</irsz><orszag>HU</orszag><megye>Csongrád</megye></${tag}>`;
const XML =
  '<rendeles azonosito="7"><!-- Webshop order INV-7 -->' +
  '<rendelesszam>INV-7</rendelesszam><datum>2026-11-20 10:00:00</datum><penznem>HUF</penznem><arfolyam>1</arfolyam>' +
  '<allapot kod="2">Feldolgozás &lt;1&gt;</allapot><megjegyzes>Bolt #INV-7</megjegyzes><belsomegjegyzes>Csengessen</belsomegjegyzes>' +
  '<vevo azonosito="C3" felismeres="smart" kezeles="auto"><kod>C3</kod><nev>Éva Kovács</nev><ceg>K&amp;K Bt.</ceg><adoszam>11111111-1-11</adoszam><email>eva@example.hu</email><telefon>+36 1</telefon>' +
  partyXml('szamlazasicim', 'Szeged') + partyXml('szallitasicim', 'Pécs') + '</vevo>' +
  '<fizetesimod shopkod="cod" erpkod="UTV">Utánvét</fizetesimod><szallitasimod shopkod="flat.flat" erpkod="">Futár</szallitasimod>' +
  '<tetelek cikkkezeles="none" arbevetelcsoport="WEB&quot;1">' +
  '<tetel tipus="product"><cikkszam>SKU-1</cikkszam><megnevezes>Kés</megnevezes><mennyiseg>2</mennyiseg><mee>db</mee><nettoegysegar>1000</nettoegysegar><afakulcs>27</afakulcs><netto>2000</netto><afa>540</afa><egyebado>4</egyebado><brutto>2544</brutto></tetel>' +
  '<tetel tipus="voucher"><cikkszam>UTALV</cikkszam><mennyiseg>1</mennyiseg><netto>-500</netto><afa>0</afa><brutto>-500</brutto></tetel>' +
  '</tetelek>' +
  '<osszesen><netto>1500</netto><afa kulcs="27" netto="2000">540</afa><afa kulcs="5" netto="0">0</afa><egyebado nev="Öko &lt;díj&gt;">4</egyebado><brutto>2044</brutto></osszesen>' +
  '</rendeles>';

describe('an order as XML', () => {
  it('carries every field of the document, escaped, in the order the ERP reads them', () => {
    expect(orderToXml(doc())).toBe(XML);
  });

  it('keeps the header comment a comment whatever the order number holds', () => {
    expect(orderToXml(doc({ headerComment: 'Webshop order A--B-' }))).toContain('<!-- Webshop order A- -B-  -->');
  });

  it('escapes the customer\'s attributes too, whatever a stored document holds', () => {
    // Today they come from the settings' fixed lists; a document written by an older version or
    // edited by hand must still give well-formed XML.
    const customer = { ...doc().customer, recognition: 'a"b<', processing: "c'&d" };
    expect(orderToXml(doc({ customer } as Partial<OrderDocument>))).toContain('<vevo azonosito="C3" felismeres="a&quot;b&lt;" kezeles="c&#39;&amp;d">');
  });

  it('writes each fixed tax of the totals as an <egyebado> of its own, one after the other', () => {
    const totals = { net: 1, vat: [], fixedTaxes: [{ name: 'Öko', amount: 4 }, { name: 'Eco', amount: 2 }], gross: 7, shopTotal: 7 };
    expect(orderToXml(doc({ totals }))).toContain('<osszesen><netto>1</netto><egyebado nev="Öko">4</egyebado><egyebado nev="Eco">2</egyebado><brutto>7</brutto></osszesen>');
  });

  it('a document without fixed taxes has no <egyebado> total', () => {
    expect(orderToXml(doc({ totals: { net: 1, vat: [], fixedTaxes: undefined as never, gross: 1, shopTotal: 1 } }))).toContain('<osszesen><netto>1</netto><brutto>1</brutto></osszesen>');
  });

  it('wraps the documents in <rendelesek>, one a line, with the feed\'s next page as an attribute', () => {
    expect(ordersToXml([doc(), doc()])).toBe(`<?xml version="1.0" encoding="UTF-8"?>\n<rendelesek>\n${XML}\n${XML}\n</rendelesek>\n`);
    expect(renderOrders([doc()], 'xml', 8)).toEqual({ body: `<?xml version="1.0" encoding="UTF-8"?>\n<rendelesek next="8">\n${XML}\n</rendelesek>\n`, type: 'application/xml; charset=utf-8' });
    expect(renderOrders([], 'xml').body).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<rendelesek>\n</rendelesek>\n');
  });
});

describe('orders as CSV and JSON', () => {
  it('one row per line under the header, the method\'s ERP code else its shop code', () => {
    const csv = ordersToCsv([doc()]);
    expect(csv).toBe(
      'rendelesszam;datum;vevo_azonosito;vevo_nev;vevo_email;tipus;cikkszam;megnevezes;mennyiseg;mee;nettoegysegar;afakulcs;netto;afa;brutto;fizetesimod;szallitasimod;egyebado\r\n' +
      'INV-7;2026-11-20 10:00:00;C3;Éva Kovács;eva@example.hu;product;SKU-1;Kés;2;db;1000;27;2000;540;2544;UTV;flat.flat;4\r\n' +
      'INV-7;2026-11-20 10:00:00;C3;Éva Kovács;eva@example.hu;voucher;UTALV;;1;;;;-500;0;-500;UTV;flat.flat;\r\n',
    );
    expect(renderOrders([doc()], 'csv')).toEqual({ body: csv, type: 'text/csv; charset=utf-8' });
  });

  it('JSON is the documents themselves under rendelesek, with the next page or null', () => {
    const r = renderOrders([doc()], 'json', 9);
    expect(r.type).toBe('application/json; charset=utf-8');
    expect(JSON.parse(r.body)).toEqual({ rendelesek: [doc()], next: 9 });
    expect(JSON.parse(renderOrders([], 'json').body)).toEqual({ rendelesek: [], next: null });
  });
});
