// Why a record was not applied: a code and its values, made where the decision is made. The
// ERP's answer carries the English sentence (docs/integration.md shows it, and ERPs may log it);
// the journal keeps the code and values too, so the admin renders the reason in the owner's
// language (app/web/i18n/reasons.ts). The templates below ARE the wire text: change one and the
// ERP's answer changes. Pure: it lives with the wire formats.
export const REASON_TEXT = {
  no_code: 'record {record} (line {line}) has no {field}',
  code_too_long_shop: "{field} is longer than the shop's {codeField} column ({max} characters, as the shop stores it)",
  code_too_long: '{field} is longer than {max} characters',
  twins: 'the code stands {n} times in the document (records {records}): none of them is applied',
  not_number: '{field} "{value}" is not a number',
  negative: '{field} {value} is negative',
  too_large: '{field} {value} is too large',
  four_byte: "{field} holds a character the shop's tables cannot store (emoji or other 4-byte character)",
  control_char: '{field} holds a control character',
  too_long: '{field} is longer than {max} characters',
  too_long_stored: '{field} is longer than {max} characters (as the shop stores it)',
  no_price_or_data: 'no ar and no product data: nothing to apply',
  nothing_to_apply: 'no {field}: nothing to apply',
  no_promo: 'no arakcios: specials left alone',
  picture_not_base64: 'kep holds data that is not valid base64',
  picture_too_large: 'kep holds a picture larger than {max} MB',
  picture_not_image: 'kep holds data that is not a JPEG, PNG, GIF or WebP picture',
  picture_labelled: 'kep is labelled {type}, not a picture type',
  picture_no_folder: "kep holds the picture itself, but SHOP_IMAGE_DIR (the shop's image folder) is not set: there is nowhere to store it",
  picture_reference: 'kep "{value}" is neither an http(s) URL nor an image path',
  not_vat_rate: 'afakulcs "{value}" is not a VAT rate',
  vat_unmapped: 'VAT rate {rate}% has no tax class in the VAT mapping (setting vat_map)',
  not_date: '{field} "{value}" is not a date',
  promo_end_before_start: 'akcio_vege {end} is before akcio_kezdete {start}',
  unknown_category: 'kat "{value}" is not a category the ERP has sent (push the categories first)',
  unknown_code: 'no product has {codeField} "{code}"',
  unknown_code_full: 'no product has {codeField} "{code}" (send nev to create it)',
  ambiguous_code: '{n} products have {codeField} "{code}": none was changed',
  no_name: 'no nev',
  own_parent: 'the category is its own parent',
  not_whole_number: '{field} "{value}" is not a whole number',
  not_yes_no: '{field} "{value}" is not 1/0 (igen/nem)',
  parent_invalid: 'parent "{value}" is invalid',
  parent_unknown: 'parent "{value}" is neither in this document nor a known ERP category',
  parent_cycle: 'the parent chain makes a cycle ({chain})',
} as const;

export type ReasonCode = keyof typeof REASON_TEXT;
export type ReasonVars = Record<string, string | number>;

export interface Reason {
  reason: string;
  reasonCode: ReasonCode;
  reasonVars: ReasonVars;
}

export function fillReason(template: string, vars: ReasonVars): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}

/** The English sentence of a reason code (the wire text), with its code and values kept. */
export function reason(code: ReasonCode, vars: ReasonVars = {}): Reason {
  return { reason: fillReason(REASON_TEXT[code], vars), reasonCode: code, reasonVars: vars };
}

/** Thrown inside a validation step; caught and journaled where the record is known. */
export class ReasonError extends Error {
  constructor(readonly why: Reason) {
    super(why.reason);
    this.name = 'ReasonError';
  }
}
