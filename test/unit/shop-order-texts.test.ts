// The two pure readers of the order side of app/shop: a payment or shipping method as 3.x stores
// it (name + code) or as 4.x does (JSON {name, code} in the method column), and the coupon code
// in a coupon total's title, found as OpenCart's confirm() finds it.
import { describe, expect, it } from 'vitest';
import { methodOf } from '../../app/shop/orders.js';
import { couponCodeOf } from '../../app/shop/order-tax.js';

describe('methodOf', () => {
  it('reads 3.x: the name trimmed, the code as stored', () => {
    expect(methodOf('  Utánvét \n', 'cod')).toEqual({ code: 'cod', name: 'Utánvét' });
    expect(methodOf('Futárszolgálat', 'flat.flat')).toEqual({ code: 'flat.flat', name: 'Futárszolgálat' });
  });

  it('reads 4.x JSON, also after white space, and takes its code and name over the code column', () => {
    expect(methodOf('{"name":"Bankkártya","code":"card.card"}', 'other')).toEqual({ code: 'card.card', name: 'Bankkártya' });
    expect(methodOf(' \t{"code":"flat.flat","name":"Futár"}', '')).toEqual({ code: 'flat.flat', name: 'Futár' });
    expect(methodOf('{"code":5,"name":7}', 'x')).toEqual({ code: '5', name: '7' });
  });

  it('JSON without a code takes the code column; without a name gives an empty name', () => {
    expect(methodOf('{"name":"Átvétel"}', 'pickup.pickup')).toEqual({ code: 'pickup.pickup', name: 'Átvétel' });
    expect(methodOf('{"code":"cod"}', 'x')).toEqual({ code: 'cod', name: '' });
    expect(methodOf('{}', null as unknown as string)).toEqual({ code: '', name: '' });
  });

  it('a text that starts with "{" but is no JSON is a plain name', () => {
    expect(methodOf(' {Utánvét} ', 'cod')).toEqual({ code: 'cod', name: '{Utánvét}' });
    expect(methodOf('{"name":', 'cod')).toEqual({ code: 'cod', name: '{"name":' });
  });

  it('a missing name or code reads as empty', () => {
    expect(methodOf(null as unknown as string, 'cod')).toEqual({ code: 'cod', name: '' });
    expect(methodOf(undefined as unknown as string, undefined as unknown as string)).toEqual({ code: '', name: '' });
    expect(methodOf('Utánvét', null as unknown as string)).toEqual({ code: '', name: 'Utánvét' });
  });
});

describe('couponCodeOf', () => {
  it('takes the text between the first "(" and the last ")"', () => {
    expect(couponCodeOf('Kupon (NYAR10)')).toBe('NYAR10');
    expect(couponCodeOf('(A1)')).toBe('A1');
    expect(couponCodeOf('Coupon (A(B)C) ')).toBe('A(B)C');
    expect(couponCodeOf('Kupon (X) és (Y)')).toBe('X) és (Y');
  });

  it('gives nothing without a pair in that order', () => {
    expect(couponCodeOf('Kupon')).toBe('');
    expect(couponCodeOf('Kupon (NYAR10')).toBe('');
    expect(couponCodeOf('Kupon NYAR10)')).toBe('');
    expect(couponCodeOf(')NYAR10(')).toBe('');
    expect(couponCodeOf('Kupon ()')).toBe('');
  });
});
