import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, safeEqual } from '../../app/util/secrets.js';

describe('secrets', () => {
  it('encrypts with a fresh IV and decrypts with the same APP_SECRET only', () => {
    const a = encryptSecret('jelszó-ő', 'app-secret-1234567');
    const b = encryptSecret('jelszó-ő', 'app-secret-1234567');
    expect(a).not.toBe(b);
    expect(a).not.toContain('jelszó');
    expect(decryptSecret(a, 'app-secret-1234567')).toBe('jelszó-ő');
    expect(() => decryptSecret(a, 'another-secret-123')).toThrow(/APP_SECRET/);
  });

  it('compares strings exactly', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });
});
