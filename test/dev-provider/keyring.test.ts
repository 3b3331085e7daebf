/**
 * The keychain helpers against the real Secret Service: a probe that fails loudly, unique services,
 * and a cleanup that leaves nothing behind.
 */
import { describe, expect, it } from 'vitest';
import {
  assertKeyringAvailable,
  clearKeychainService,
  loadKeytar,
  openTestKeychain,
  TEST_SERVICE_PREFIX,
  uniqueKeychainService,
} from '../support/keyring';

describe('test keychain helpers', () => {
  it('finds a usable keychain (run inside scripts/with-keyring.sh)', async () => {
    await expect(assertKeyringAvailable()).resolves.toBeUndefined();
  });

  it('gives each test its own service name', () => {
    const a = uniqueKeychainService('same label');
    const b = uniqueKeychainService('same label');
    expect(a).not.toBe(b);
    expect(a.startsWith(`${TEST_SERVICE_PREFIX}same-label-`)).toBe(true);
  });

  it('stores, isolates and cleans up', async () => {
    const one = await openTestKeychain('one');
    const two = await openTestKeychain('two');
    try {
      await one.set('alice', 'secret-1');
      await one.set('bob', 'secret-2');
      await two.set('alice', 'other');
      expect((await one.accounts()).sort()).toEqual(['alice', 'bob']);
      expect(await one.get('alice')).toBe('secret-1');
      expect(await two.get('alice')).toBe('other');
      expect(await one.cleanup()).toBe(2);
      expect(await one.accounts()).toEqual([]);
      expect(await two.get('alice')).toBe('other');
    } finally {
      await one.cleanup();
      await two.cleanup();
    }
    expect(await loadKeytar().findCredentials(two.service)).toEqual([]);
  });

  it('clears a service by name', async () => {
    const service = uniqueKeychainService('clear');
    await loadKeytar().setPassword(service, 'x', 'y');
    expect(await clearKeychainService(service)).toBe(1);
    expect(await clearKeychainService(service)).toBe(0);
  });
});
