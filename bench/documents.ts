// The ERP documents the bench pushes, and the codes and values they carry. Every case draws a
// fresh "round", so a push or a floor always changes every row it names (nothing is skipped as
// unchanged unless the case is meant to be).
export const code = (i: number) => `BENCH-${String(i + 1).padStart(7, '0')}`;
export const price = (i: number, round: number) => 1000 + round + (i % 97) + 0.5;
export const quantity = (i: number, round: number) => (i + round) % 50;
export const promo = (i: number, round: number) => 500 + round + (i % 89);
export const name = (i: number, round: number) => `Termék ${round} ${i + 1}`;

let rounds = 0;
/** A round no earlier case used (quantities repeat every 50 rounds; a bench uses far fewer). */
export const nextRound = () => ++rounds;

function xml(n: number, record: (i: number) => string): Buffer {
  const parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<termekek>\n'];
  for (let i = 0; i < n; i++) parts.push(`<termek>${record(i)}</termek>\n`);
  parts.push('</termekek>\n');
  return Buffer.from(parts.join(''), 'utf8');
}

const hu = (v: number) => v.toFixed(2).replace('.', ',');

/** Stock-and-price document: termekkod, ar, szabadraktar (pushed to /prices and /stock). */
export const stockPriceXml = (n: number, round: number) =>
  xml(n, (i) => `<termekkod>${code(i)}</termekkod><ar>${hu(price(i, round))}</ar><szabadraktar>${quantity(i, round)}</szabadraktar>`);

/** Promo prices for every product: termekkod, arakcios (from today, no end). */
export const promoXml = (n: number, round: number) => xml(n, (i) => `<termekkod>${code(i)}</termekkod><arakcios>${promo(i, round)}</arakcios>`);

/**
 * Full sync: the first half names existing products (codes 0 … n/2-1), the second half new
 * codes, so products are created; names, VAT and unit with every record.
 */
export const newCode = (tag: string, round: number, i: number) => `${tag}${round}-${String(i + 1).padStart(7, '0')}`;
export const fullSyncCode = (n: number, round: number, i: number) => (i < n / 2 ? code(i) : newCode('NEW', round, i));
export const fullSyncXml = (n: number, round: number) =>
  xml(n, (i) => `<termekkod>${fullSyncCode(n, round, i)}</termekkod><ar>${hu(price(i, round))}</ar><nev>${name(i, round)}</nev><afakulcs>27</afakulcs><mee>db</mee>`);
