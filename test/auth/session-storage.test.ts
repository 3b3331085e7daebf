/**
 * The keychain failing (CHECKLIST K1–K3): a typed "storage unavailable" state, a memory-only
 * session the UI is told about, never a plaintext fallback; and the session saved as soon as the
 * keychain is usable again. K2 "no Secret Service at all" runs for real in test/cli (a CLI without
 * a D-Bus session); here keytar itself is made unloadable (K3) and the real keychain is switched
 * off and on under a running session (K1: locked after launch).
 */
import { readdir } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../../main/auth/errors';
import type { SecretStore } from '../../main/platform/ports';
import { createKeytarSecretStore } from '../../main/platform/secret-store.keytar';
import { type SystemBrowser, startSystemBrowser } from '../support/browser';
import { type Bench, createTestClock, startBench, storedRecord } from './session-harness';

let browser: SystemBrowser;
let bench: Bench | undefined;

beforeAll(async () => {
  browser = await startSystemBrowser();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

/** The real keychain with an off switch, as a locked keychain looks to keytar. */
function switchableStore(): SecretStore & { available: boolean } {
  const real = createKeytarSecretStore();
  const guard = <T>(fn: () => Promise<T>): Promise<T> =>
    store.available ? fn() : Promise.reject(new AuthError('storage_unavailable', 'Secret Service keyring is not available (locked).'));
  const store = {
    available: true,
    backend: real.backend,
    get: (s: string, a: string) => guard(() => real.get(s, a)),
    set: (s: string, a: string, v: string) => guard(() => real.set(s, a, v)),
    delete: (s: string, a: string) => guard(() => real.delete(s, a)),
  };
  return store;
}

describe('storage unavailable', () => {
  it('K3 keytar cannot be loaded: state storage-unavailable, sign-in works in memory only, no file is written', async () => {
    bench = await startBench('k3', {}, { browser });
    const broken = createKeytarSecretStore(() => {
      throw new Error("Cannot find module '../build/Release/keytar.node'");
    });
    const session = bench.session({ secretStore: broken });
    const restored = await session.restore();
    expect(restored.state).toBe('storage-unavailable');
    expect(restored.storage.available).toBe(false);
    expect(restored.storage.detail).toContain('keychain module could not be loaded');
    expect(restored.lastError?.code).toBe('storage_unavailable');

    const signedIn = await session.signIn();
    expect(signedIn.state).toBe('storage-unavailable');
    expect(signedIn.memoryOnly).toBe(true);
    expect(signedIn.account?.sub).toBe('alice');
    expect((await session.callApi({ url: `${bench.api.origin}/me` })).status).toBe(200);
    // Never a plaintext fallback: the user-data folder holds settings (and lock files) only.
    const files = await readdir(bench.userData);
    expect(files.filter((f) => !f.startsWith('settings.json') && f !== 'locks')).toEqual([]);
    expect(await bench.keychain.accounts()).toEqual([]);

    const report = await session.signOut();
    expect(report.localTokensDeleted).toBe(true);
    expect(session.snapshot()).toMatchObject({ state: 'storage-unavailable', account: null, memoryOnly: false });
  });

  it('K1 keychain locked after launch: the renewed session stays in memory (UI told), and is saved once it is back', async () => {
    bench = await startBench('k1', {}, { browser });
    const store = switchableStore();
    const clock = createTestClock();
    const session = bench.session({ secretStore: store, clock });
    await session.restore();
    await session.signIn();
    const before = await storedRecord(bench);

    store.available = false;
    clock.advance(400_000);
    const locked = await session.retryNow();
    expect(locked.state).toBe('storage-unavailable');
    expect(locked.memoryOnly).toBe(true);
    expect(locked.account?.sub).toBe('alice');
    expect(locked.lastError?.code).toBe('storage_unavailable');
    expect((await session.callApi({ url: `${bench.api.origin}/me` })).status).toBe(200);

    store.available = true;
    const back = await session.retryNow();
    expect(back.state).toBe('signed-in');
    expect(back.memoryOnly).toBe(false);
    const after = await storedRecord(bench);
    // The rotated refresh token that lived in memory is now the one in the keychain.
    expect(after?.rt).not.toBe(before?.rt);
    expect(bench.provider.stats.refreshTokenReuseDetected).toBe(0);
  });
});
