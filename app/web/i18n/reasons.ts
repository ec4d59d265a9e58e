// Why a record was not applied (app/erp/reasons.ts codes) and the ERP's field names, in the
// admin's languages. English is the wire sentence itself, so the English admin reads exactly
// what the ERP was answered.
import { REASON_TEXT, type ReasonCode } from '../../erp/reasons.js';

export const REASONS_EN: Record<string, string> = Object.fromEntries(Object.entries(REASON_TEXT).map(([k, v]) => [`reason.${k}`, v]));

const hu: Record<ReasonCode, string> = {
  no_code: 'a(z) {record}. tételből ({line}. sor) hiányzik a(z) {field}',
  code_too_long_shop: 'a(z) {field} hosszabb, mint a bolt {codeField} mezője ({max} karakter, ahogy a bolt tárolja)',
  code_too_long: 'a(z) {field} hosszabb {max} karakternél',
  twins: 'a kód {n}-szor szerepel a dokumentumban (tételek: {records}): egyik sem került feldolgozásra',
  not_number: 'a(z) {field} („{value}”) nem szám',
  negative: 'a(z) {field} negatív: {value}',
  too_large: 'a(z) {field} túl nagy: {value}',
  four_byte: 'a(z) {field} olyan karaktert tartalmaz, amelyet a bolt táblái nem tudnak tárolni (emoji vagy más 4 bájtos karakter)',
  control_char: 'a(z) {field} vezérlőkaraktert tartalmaz',
  too_long: 'a(z) {field} hosszabb {max} karakternél',
  too_long_stored: 'a(z) {field} hosszabb {max} karakternél (ahogy a bolt tárolja)',
  no_price_or_data: 'nincs ár és nincs termékadat: nincs mit frissíteni',
  nothing_to_apply: 'nincs {field}: nincs mit frissíteni',
  no_promo: 'nincs akciós ár: az akciók változatlanok',
  picture_not_base64: 'a kép adata nem érvényes base64',
  picture_too_large: 'a kép nagyobb {max} MB-nál',
  picture_not_image: 'a kép adata nem JPEG, PNG, GIF vagy WebP kép',
  picture_labelled: 'a kép típusa {type}, ez nem képformátum',
  picture_no_folder: 'a kép magát a képet tartalmazza, de a bolt képmappája (SHOP_IMAGE_DIR) nincs beállítva: nincs hová menteni',
  picture_reference: 'a kép („{value}”) se nem http(s) cím, se nem képfájl útvonala',
  not_vat_rate: 'az ÁFA-kulcs („{value}”) nem érvényes kulcs',
  vat_unmapped: 'a(z) {rate}%-os ÁFA-kulcshoz nincs adóosztály rendelve (Beállítások → Termékek → ÁFA-kulcs → adóosztály)',
  not_date: 'a(z) {field} („{value}”) nem dátum',
  promo_end_before_start: 'az akció vége ({end}) korábbi, mint a kezdete ({start})',
  unknown_category: 'a kategória („{value}”) nem olyan, amelyet az ERP már elküldött (előbb a kategóriákat kell küldeni)',
  unknown_code: 'nincs termék ezzel a kóddal ({codeField}): „{code}”',
  unknown_code_full: 'nincs termék ezzel a kóddal ({codeField}): „{code}” (névvel küldve létrejönne)',
  ambiguous_code: '{n} termék kódja ({codeField}) „{code}”: egyik sem módosult',
  no_name: 'hiányzik a név',
  own_parent: 'a kategória saját magának a szülője',
  not_whole_number: 'a(z) {field} („{value}”) nem egész szám',
  not_yes_no: 'a(z) {field} („{value}”) nem 1/0 (igen/nem)',
  parent_invalid: 'a szülőkategória („{value}”) hibás',
  parent_unknown: 'a szülőkategória („{value}”) se ebben a dokumentumban, se az ERP eddigi kategóriái között nincs',
  parent_cycle: 'a szülők lánca körbeér ({chain})',
};
export const REASONS_HU: Record<string, string> = Object.fromEntries(Object.entries(hu).map(([k, v]) => [`reason.${k}`, v]));

/** The ERP's field names (and the shop's code columns) as the owner knows them. */
const FIELDS_HU: Record<string, string> = {
  termekkod: 'termékkód', kod: 'kód', ar: 'ár', szabadraktar: 'szabad készlet', arakcios: 'akciós ár', akcio_kezdete: 'akció kezdete',
  akcio_vege: 'akció vége', nev: 'név', tmegjegyzes: 'leírás', mee: 'mennyiségi egység', kep: 'kép', kat: 'kategória', afakulcs: 'ÁFA-kulcs',
  sorrend: 'sorrend', aktiv: 'aktív', szulo: 'szülőkategória', model: 'modell', sku: 'cikkszám (SKU)', upc: 'UPC', ean: 'EAN', jan: 'JAN', isbn: 'ISBN', mpn: 'MPN',
};
export const ERP_FIELDS_HU: Record<string, string> = Object.fromEntries(Object.entries(FIELDS_HU).map(([k, v]) => [`erpfield.${k}`, v]));
