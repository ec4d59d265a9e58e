// A complete order document as the export stores it (every field the XML writer reads), for
// tests of what carries documents (the feed, the transports) rather than of how one is built.
import type { OrderDocument } from '../../app/erp/order-document.js';

const party = { name: 'Éva Kovács', company: '', address1: 'Fő u. 1', address2: '', city: 'Szeged', postcode: '6720', country: 'HU', zone: 'Csongrád' };

export const sampleOrderDocument = (orderId: number, orderNumber = `INV-${orderId}`): OrderDocument => ({
  orderNumber, orderId, date: '2026-11-20 10:00:00', currency: 'HUF', currencyValue: 1, orderCurrency: { code: 'HUF', value: 1 },
  shopStatus: { id: 2, name: 'Feldolgozás' }, description: `Bolt #${orderNumber}`, headerComment: `Webshop order ${orderNumber}`, internalNote: '',
  customer: { key: 'C3', recognition: 'smart', processing: 'add', code: 'C3', name: 'Éva Kovács', company: '', taxNumber: '', email: 'eva@example.hu', phone: '', billing: party, shipping: party },
  articleProcessing: 'manual', revenueGroup: '',
  payment: { shopCode: 'cod', name: 'Utánvét', erpCode: 'UTV' },
  shipping: { shopCode: 'flat.flat', name: 'Futár', erpCode: 'SZALL' },
  lines: [{ kind: 'product', code: 'SKU-1', name: 'Kés', quantity: 1, unit: 'db', netUnitPrice: 1000, vatRate: 27, net: 1000, vat: 270, fixedTax: 0, gross: 1270 }],
  totals: { net: 1000, vat: [{ rate: 27, net: 1000, vat: 270 }], fixedTaxes: [], gross: 1270, shopTotal: 1270 },
});
