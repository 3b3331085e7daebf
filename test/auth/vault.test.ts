/**
 * main/auth/vault.ts against the real OS keychain (Secret Service via scripts/with-keyring.sh),
 * each test under its own service name, removed afterwards.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthError } from '../../main/auth/errors';
import { encodeStoredSession, MAX_ENTRY_BYTES } from '../../main/auth/tokens';
import { TokenVault } from '../../main/auth/vault';
import type { SecretStore } from '../../main/platform/ports';
import { createKeytarSecretStore } from '../../main/platform/secret-store.keytar';
import { openTestKeychain, type TestKeychain } from '../support/keyring';
import { sampleSession } from './fixtures';

describe('vault: real keychain', () => {
  let keychain: TestKeychain;
  let vault: TokenVault;
  const session = sampleSession();

  beforeEach(async () => {
    keychain = await openTestKeychain('vault');
    vault = new TokenVault(createKeytarSecretStore(), keychain.service, session.issuer, session.clientId);
  });
  afterEach(async () => {
    await keychain.cleanup();
  });

  it('saves one entry per (issuer, client) and loads it back', async () => {
    expect(await vault.load()).toEqual({ kind: 'empty' });
    await vault.save(session);
    expect(await keychain.accounts()).toEqual([vault.entryKey]);
    expect(await vault.load()).toEqual({ kind: 'found', session });
  });

  it('a launch reads its entry with one keychain lookup and no listing', async () => {
    await vault.save(session);
    const calls: string[] = [];
    const real = createKeytarSecretStore();
    const counted = <T>(name: string, run: () => Promise<T>) => {
      calls.push(name);
      return run();
    };
    const counting: SecretStore = {
      backend: real.backend,
      get: (s, a) => counted('get', () => real.get(s, a)),
      set: (s, a, v) => counted('set', () => real.set(s, a, v)),
      delete: (s, a) => counted('delete', () => real.delete(s, a)),
    };
    const launch = new TokenVault(counting, keychain.service, session.issuer, session.clientId);
    expect(await launch.load()).toEqual({ kind: 'found', session });
    expect(calls).toEqual(['get']);
  });

  it('a sign-in as another account replaces the entry; removing the earlier account leaves it', async () => {
    const bob = sampleSession({ account: { sub: 'bob' }, identity: null, receivedAt: 2 });
    await vault.save(session);
    await vault.save(bob);
    expect(await vault.remove('alice')).toBe(true);
    expect(await vault.load()).toEqual({ kind: 'found', session: bob });
    expect(await keychain.accounts()).toEqual([vault.entryKey]);
  });

  it('another registration under the same service does not see the entry', async () => {
    await vault.save(session);
    const other = new TokenVault(createKeytarSecretStore(), keychain.service, session.issuer, 'other-client');
    expect(await other.load()).toEqual({ kind: 'empty' });
  });

  it('remove deletes the entry and verifies it is gone (R3)', async () => {
    await vault.save(session);
    expect(await vault.remove('alice')).toBe(true);
    expect(await keychain.accounts()).toEqual([]);
  });

  it('K4 a session larger than 2,560 bytes is refused with storage_too_large and nothing is written', async () => {
    const big = sampleSession({ accessToken: 'x'.repeat(MAX_ENTRY_BYTES) });
    await expect(vault.save(big)).rejects.toMatchObject({ name: 'AuthError', code: 'storage_too_large' });
    expect(await keychain.accounts()).toEqual([]);
  });

  it('K5 a corrupt entry is discarded and deleted; the value never appears in the error', async () => {
    await keychain.set(vault.entryKey, '{"v":1,"rt":"rt-secret-value"');
    const result = await vault.load();
    expect(result.kind).toBe('discarded');
    if (result.kind !== 'discarded') return;
    expect(result.error).toBeInstanceOf(AuthError);
    expect(result.error.code).toBe('storage_corrupt');
    expect(JSON.stringify(result.error)).not.toContain('rt-secret-value');
    expect(await keychain.accounts()).toEqual([]);
    expect(await vault.load()).toEqual({ kind: 'empty' });
  });

  it('K5 an entry under our name that names another provider registration is discarded and deleted', async () => {
    await keychain.set(vault.entryKey, encodeStoredSession(sampleSession({ clientId: 'someone-else' })));
    expect(await vault.load()).toMatchObject({ kind: 'discarded', error: { code: 'storage_corrupt' } });
    expect(await keychain.accounts()).toEqual([]);
  });

  it('K5 an unknown-version entry is discarded and deleted', async () => {
    const record = JSON.parse(JSON.stringify({ v: 9, iss: session.issuer, cid: session.clientId }));
    await keychain.set(vault.entryKey, JSON.stringify(record));
    const result = await vault.load();
    expect(result).toMatchObject({ kind: 'discarded', error: { code: 'storage_corrupt' } });
    expect(await keychain.accounts()).toEqual([]);
  });

});
