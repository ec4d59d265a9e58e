// Who may call the integration URLs: the import password, or the webshop id AND the password as
// HTTP Basic. Each half of a credential is checked; a right password with a wrong webshop id is denied.
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../app/settings/schema.js';
import { checkErpCredentials, parseBasicAuth } from '../../app/sync/erp-credentials.js';

const settings = (over: Partial<typeof DEFAULTS> = {}) => ({ ...DEFAULTS, webshop_id: 'bolt1', password: 'jelszo', import_password: 'kulcs', ...over });
const basic = (user: string, password: string) => ({ basic: { user, password } });

describe('ERP credentials', () => {
  it('HTTP Basic needs the webshop id and the password, both right', () => {
    expect(checkErpCredentials(settings(), basic('bolt1', 'jelszo'))).toBe('ok');
    expect(checkErpCredentials(settings(), basic('bolt2', 'jelszo'))).toBe('denied');
    expect(checkErpCredentials(settings(), basic('bolt1', 'rossz'))).toBe('denied');
    expect(checkErpCredentials(settings(), basic('', ''))).toBe('denied');
  });

  it('the import password alone is enough, and a wrong one is denied even beside right Basic credentials', () => {
    expect(checkErpCredentials(settings(), { key: 'kulcs' })).toBe('ok');
    expect(checkErpCredentials(settings(), { key: 'rossz' })).toBe('denied');
    expect(checkErpCredentials(settings(), { key: 'rossz', ...basic('bolt1', 'jelszo') })).toBe('ok');
    expect(checkErpCredentials(settings(), { key: '' })).toBe('denied');
  });

  it('a credential the shop has not set up opens nothing', () => {
    expect(checkErpCredentials(settings({ import_password: '' }), { key: '' })).toBe('denied');
    expect(checkErpCredentials(settings({ webshop_id: '' }), basic('', 'jelszo'))).toBe('denied');
    expect(checkErpCredentials(settings({ password: '' }), basic('bolt1', ''))).toBe('denied');
    expect(checkErpCredentials(settings({ import_password: '' }), basic('bolt1', 'jelszo'))).toBe('ok');
    expect(checkErpCredentials(settings({ webshop_id: '', password: '' }), { key: 'kulcs' })).toBe('ok');
  });

  it('says not_configured when neither credential is set, and missing when none is presented', () => {
    expect(checkErpCredentials(settings({ import_password: '', webshop_id: '' }), { key: 'x' })).toBe('not_configured');
    expect(checkErpCredentials(settings({ import_password: '', password: '' }), basic('bolt1', ''))).toBe('not_configured');
    expect(checkErpCredentials(settings(), {})).toBe('missing');
  });
});

describe('the Basic header', () => {
  const header = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
  it('reads the user and the password, split at the first colon', () => {
    expect(parseBasicAuth(header('bolt1:jel:szo'))).toEqual({ user: 'bolt1', password: 'jel:szo' });
    expect(parseBasicAuth(`basic   ${Buffer.from('a:').toString('base64')}  `)).toEqual({ user: 'a', password: '' });
    expect(parseBasicAuth(header('bolt1:jelszó'))).toEqual({ user: 'bolt1', password: 'jelszó' });
    expect(parseBasicAuth(header(':jelszo'))).toEqual({ user: '', password: 'jelszo' });
  });
  it('nothing from a header that is not Basic, not base64 or without a colon', () => {
    for (const h of [undefined, '', 'Bearer abc', `Basic ${Buffer.from('nocolon').toString('base64')}`, 'Basic a:b', `x Basic ${Buffer.from('a:b').toString('base64')}`, `${header('a:b')} extra`])
      expect(parseBasicAuth(h), String(h)).toBeUndefined();
  });
});
