// ERP_BRIDGE_LEASE_TTL_MS (README): how long a dead holder can block the next run. Read once when
// app/plugin/lease.ts loads, so each case loads the module afresh with the variable set.
import { afterEach, describe, expect, it, vi } from 'vitest';

async function ttlWith(raw: string | undefined): Promise<number> {
  if (raw === undefined) delete process.env.ERP_BRIDGE_LEASE_TTL_MS;
  else process.env.ERP_BRIDGE_LEASE_TTL_MS = raw;
  vi.resetModules();
  return (await import('../../app/plugin/lease.js')).LEASE_TTL_MS;
}

describe('ERP_BRIDGE_LEASE_TTL_MS', () => {
  const saved = process.env.ERP_BRIDGE_LEASE_TTL_MS;
  afterEach(() => {
    if (saved === undefined) delete process.env.ERP_BRIDGE_LEASE_TTL_MS;
    else process.env.ERP_BRIDGE_LEASE_TTL_MS = saved;
    vi.resetModules();
  });

  it('is 45 seconds when unset or empty', async () => {
    expect(await ttlWith(undefined)).toBe(45_000);
    expect(await ttlWith('')).toBe(45_000);
  });

  it('takes whole milliseconds from 1000 to 600000, both ends included', async () => {
    expect(await ttlWith('1000')).toBe(1_000);
    expect(await ttlWith('1500')).toBe(1_500);
    expect(await ttlWith('600000')).toBe(600_000);
  });

  it('refuses anything else at start, naming the variable and the value', async () => {
    for (const bad of ['999', '600001', '1500.5', 'soon', ' ']) {
      await expect(ttlWith(bad)).rejects.toThrow(`ERP_BRIDGE_LEASE_TTL_MS: "${bad}" is not a whole number of milliseconds from 1000 to 600000`);
    }
  });
});
