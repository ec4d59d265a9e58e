// The export's pure rules: which settings it needs before it queues anything, the retry delay,
// and the journal's note about replaced characters.
import { describe, expect, it } from 'vitest';
import { DEFAULTS, type Settings } from '../../app/settings/schema.js';
import { REQUIRED_FOR_EXPORT, backoffMs, missingForExport } from '../../app/sync/order-export.js';
import { replacedNote } from '../../app/sync/order-documents.js';

const settings = (over: Partial<Settings> = {}): Settings => ({ ...structuredClone(DEFAULTS), ...over });
const ready = { webshop_id: 'bolt1', password: 'pw', shipping_fee_code: 'SZALL', export_start_date: '2026-01-01' };

describe('what the export needs before it queues an order', () => {
  it('names every missing setting, in order; white space alone is missing', () => {
    expect(REQUIRED_FOR_EXPORT).toEqual(['webshop_id', 'password', 'shipping_fee_code', 'export_start_date']);
    expect(missingForExport(settings(ready))).toEqual([]);
    expect(missingForExport(settings({ ...ready, webshop_id: '', password: '', shipping_fee_code: '', export_start_date: '' }))).toEqual([...REQUIRED_FOR_EXPORT]);
    expect(missingForExport(settings({ ...ready, password: '  \t', export_start_date: '' }))).toEqual(['password', 'export_start_date']);
    expect(missingForExport(settings({ ...ready, shipping_fee_code: ' x ' }))).toEqual([]);
    // A value the settings never had (an older stored row) is missing too, not an error.
    expect(missingForExport({ ...settings(ready), webshop_id: undefined, password: null } as unknown as Settings)).toEqual(['webshop_id', 'password']);
  });
});

describe('the retry delay', () => {
  it('starts at the base, doubles per attempt, and stops at the maximum', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffMs(a, 100, 1000))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffMs(0, 100, 1000)).toBe(100);
    expect(backoffMs(-3, 100, 1000)).toBe(100);
    expect(backoffMs(4, 30_000, 3_600_000)).toBe(240_000);
    expect(backoffMs(9, 30_000, 3_600_000)).toBe(3_600_000);
    expect(backoffMs(3, 100, 400)).toBe(400);
  });
});

describe('the journal note about replaced characters', () => {
  it('names the fields, and is cut to 500 characters', () => {
    expect(replacedNote(['customer.name', 'lines[0].name'])).toBe('characters XML cannot carry (control characters such as NUL or a vertical tab) were replaced with U+FFFD in: customer.name, lines[0].name');
    expect(replacedNote(['internalNote'])).toMatch(/ in: internalNote$/);
    const long = replacedNote(Array.from({ length: 100 }, (_, i) => `lines[${i}].name`));
    expect(long).toHaveLength(500);
    expect(long.startsWith('characters XML cannot carry')).toBe(true);
  });
});
