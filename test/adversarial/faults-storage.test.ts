/**
 * Fault injection at the storage port (issue 8 §2): the REAL keytar adapter over a keytar that
 * fails the way real machines make it fail (a locked collection, no D-Bus session), reads failing
 * half-way through a launch, a delete refused at sign-out, damaged keychain entries of every shape,
 * and a damaged settings file at launch while the provider is down. For each: what the user sees,
 * that nothing that should be kept is lost (an entry that could not be READ is never deleted), and
 * that nothing that should be gone survives (a damaged entry is deleted and never quoted).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../main/auth/session';
import { decodeStoredSession } from '../../main/auth/tokens';
import { TokenVault } from '../../main/auth/vault';
import { createFsRefreshLock } from '../../main/platform/refresh-lock.fs';
import { createKeytarSecretStore } from '../../main/platform/secret-store.keytar';
import { createConfSettingsStore } from '../../main/platform/settings.conf';
import { type Bench, createManualWake, createRecordingLogger, startBench, storedEntry } from '../auth/session-harness';
import { asBrowserLauncher, type SystemBrowser, startSystemBrowser } from '../support/browser';
import { loadKeytar } from '../support/keyring';
import { ACTIONABLE, brokenKeytar, sessionFacts, splitClock, switchableKeytar, userSees } from './harness';

let browser: SystemBrowser;
let bench: Bench | undefined;
const dirs: string[] = [];

beforeAll(async () => {
  browser = await startSystemBrowser();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await bench?.close();
  bench = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A bench with alice signed in (entry in the keychain); the signing-in session is disposed. */
async function signedInBench(label: string): Promise<Bench> {
  bench = await startBench(label, {}, { browser });
  const first = bench.session();
  await first.restore();
  await first.signIn();
  first.dispose();
  return bench;
}

describe('the keychain cannot be used at launch', () => {
  it.each([
    ['K1 a locked collection', 'Object does not exist at path “/org/freedesktop/secrets/collection/login”'],
    ['K2 no Secret Service (no D-Bus session)', 'Cannot autolaunch D-Bus without X11 $DISPLAY'],
  ])('%s: storage-unavailable with what to do; the saved session is not touched', async (_name, reason) => {
    const b = await signedInBench('adv-launch-locked');
    const before = await storedEntry(b);
    const session = b.session({ secretStore: createKeytarSecretStore(brokenKeytar(reason)) });
    const restored = await session.restore();
    expect(sessionFacts(restored)).toEqual({ state: 'storage-unavailable', sub: null, code: 'storage_unavailable', memoryOnly: false });
    const seen = await userSees(session);
    expect(seen.headline).toBe("Your keychain isn't available");
    expect(seen.view.storage.detail).toContain(reason);
    expect(seen.view.lastError?.message).toMatch(/Install and unlock a keyring/);
    // Nothing lost: the entry the app could not read is still there, byte for byte.
    expect(await storedEntry(b)).toEqual(before);
    expect(b.provider.counts.token).toBe(1);
  });

  it('K1 reads fail at launch while the keychain otherwise answers: storage-unavailable, the entry is NOT treated as damaged', async () => {
    const b = await signedInBench('adv-launch-read');
    const before = await storedEntry(b);
    const keytar = switchableKeytar(loadKeytar());
    keytar.failing.add('get');
    keytar.reason = 'The name org.freedesktop.secrets was not provided by any .service files';
    const session = b.session({ secretStore: createKeytarSecretStore(keytar.load) });
    const restored = await session.restore();
    expect(sessionFacts(restored)).toEqual({ state: 'storage-unavailable', sub: null, code: 'storage_unavailable', memoryOnly: false });
    expect(await storedEntry(b)).toEqual(before);

    // The keychain comes back: Retry finds the session; nothing was lost.
    keytar.failing.clear();
    const back = await session.retryNow();
    expect(sessionFacts(back)).toEqual({ state: 'signed-in', sub: 'alice', code: null, memoryOnly: false });
  });
});

describe('sign-out while the keychain refuses the delete', () => {
  it('R3 the report says the tokens are still stored, the user is told what to do; signing out again finishes the job', async () => {
    const b = await signedInBench('adv-signout-delete');
    const keytar = switchableKeytar(loadKeytar());
    const session = b.session({ secretStore: createKeytarSecretStore(keytar.load) });
    await session.restore();
    keytar.failing.add('delete');
    const report = await session.signOut();
    expect(report.localTokensDeleted).toBe(false);
    expect(report.revocation).toBe('revoked');
    const seen = await userSees(session);
    expect(seen.view.state).toBe('signed-out');
    expect(seen.view.account).toBeNull();
    expect(seen.view.lastError?.code).toBe('storage_unavailable');
    expect(seen.view.lastError?.message).toMatch(/could not be deleted.*sign out again/i);
    // Honest: the entry really is still there (and its refresh token is dead at the provider).
    expect(await b.keychain.accounts()).toHaveLength(1);
    await expect(session.callApi({ url: `${b.api.origin}/me` })).rejects.toMatchObject({ code: 'not_signed_in' });

    keytar.failing.clear();
    const again = await session.signOut();
    expect(again.localTokensDeleted).toBe(true);
    expect(await b.keychain.accounts()).toEqual([]);
  });
});

describe('damaged keychain entries', () => {
  const CASES: Array<[string, (valid: Record<string, unknown>) => string]> = [
    ['not JSON', () => 'this is not json at all'],
    ['JSON cut off', (v) => JSON.stringify(v).slice(0, 60)],
    ['a JSON array', (v) => JSON.stringify([v])],
    ['JSON null', () => 'null'],
    ['an unknown record version', (v) => JSON.stringify({ ...v, v: 2 })],
    ['no version', (v) => JSON.stringify({ ...v, v: undefined })],
    ['no account', (v) => JSON.stringify({ ...v, acct: undefined })],
    ['no tokens at all', (v) => JSON.stringify({ ...v, rt: null, at: null })],
    ['a refresh token that is a number', (v) => JSON.stringify({ ...v, rt: 12345678 })],
    ['an expiry that is a string', (v) => JSON.stringify({ ...v, exp: 'tomorrow' })],
    ['another provider\'s session under our name', (v) => JSON.stringify({ ...v, iss: 'https://evil.example' })],
    ['3 KB of binary garbage', () => Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 37) % 256)).toString('latin1')],
  ];

  it.each(CASES)('K5 %s: signed out, told once, the entry deleted, its content never shown', async (_name, damage) => {
    bench = await startBench('adv-corrupt', {}, { browser });
    const vault = new TokenVault(createKeytarSecretStore(), bench.keychain.service, bench.config.issuer, bench.config.clientId);
    const valid = {
      v: 1,
      iss: bench.config.issuer,
      cid: bench.config.clientId,
      acct: { sub: 'alice', n: 'Alice Liddell' },
      idt: null,
      rt: 'rt-a-planted-refresh-token-value',
      at: 'at-a-planted-access-token-value',
      exp: Date.now() + 300_000,
      scp: 'openid',
      rcv: Date.now(),
    };
    // Written by the vault itself first, so the damage lands under whatever name the vault reads.
    await vault.save(decodeStoredSession(JSON.stringify(valid)));
    const [entryName] = await bench.keychain.accounts();
    const raw = damage(valid);
    await bench.keychain.set(entryName!, raw);
    const session = bench.session();
    const restored = await session.restore();
    expect(sessionFacts(restored)).toEqual({ state: 'signed-out', sub: null, code: 'storage_corrupt', memoryOnly: false });
    const seen = await userSees(session);
    expect(seen.headline).toBe('The saved session was damaged');
    expect(seen.view.lastError?.message).toMatch(/Sign in again/);
    expect(await bench.keychain.accounts()).toEqual([]);
    // Never quoted: not in the snapshot, the view, or any log line.
    const shown = JSON.stringify([restored, seen.view, session.logger.lines]);
    for (const secret of ['rt-a-planted-refresh-token-value', 'at-a-planted-access-token-value']) expect(shown.includes(secret)).toBe(false);
    if (raw.length >= 8) expect(shown.includes(raw)).toBe(false);
    // Reported once: a second restore has nothing left to complain about.
    const again = await session.restore();
    expect(again.lastError?.code ?? null).toBe('storage_corrupt');
    expect(session.logger.lines.filter((l) => l.includes('damaged keychain entry')).length).toBe(1);
    expect(bench.provider.counts.token).toBe(0);
  });

  it('K5 a damaged entry beside a good one (another name under the same service): the good session is kept and used', async () => {
    const b = await signedInBench('adv-corrupt-beside');
    const good = await storedEntry(b);
    const vault = new TokenVault(createKeytarSecretStore(), b.keychain.service, b.config.issuer, b.config.clientId);
    const damagedName = vault.accountKey('zz-damaged');
    await b.keychain.set(damagedName, '{"v":1,"rt":');
    const session = b.session();
    const restored = await session.restore();
    expect(sessionFacts(restored)).toEqual({ state: 'signed-in', sub: 'alice', code: null, memoryOnly: false });
    expect((await b.keychain.get(good!.account)) === good!.raw, 'the good entry is untouched').toBe(true);
    expect((await session.callApi({ url: `${b.api.origin}/me` })).status).toBe(200);
    await b.keychain.delete(damagedName);
  });
});

describe('a damaged settings file at launch', () => {
  it('K6 K9 with the provider down: the session is kept ("offline"), the file moved aside and reported once, and it recovers when the provider is back', async () => {
    const b = await signedInBench('adv-settings');
    const before = await storedEntry(b);
    // The next launch finds settings.json damaged (and so no cached provider metadata, K18).
    const userData = mkdtempSync(join(tmpdir(), 'adv-settings-'));
    dirs.push(userData);
    writeFileSync(join(userData, 'settings.json'), '{"discoveryCache": {"http://127.0.0.1:1": {"metad');
    const logger = createRecordingLogger();
    const settings = createConfSettingsStore({ dir: userData, logger });
    expect(settings.recovered?.reason).toBe('the file was not valid JSON');
    await b.provider.stop();

    const clock = splitClock();
    const wake = createManualWake();
    const session = createSession({
      config: b.config,
      fetch: globalThis.fetch,
      secretStore: createKeytarSecretStore(),
      settings,
      browser: asBrowserLauncher(browser),
      clock,
      wakeSignals: wake,
      refreshLock: createFsRefreshLock({ dir: join(userData, 'locks') }),
      logger,
      tunables: { httpTimeoutMs: 1_000, backoffBaseMs: 10_000, backoffMaxMs: 20_000 },
    });
    try {
      clock.advance(400_000);
      await session.restore();
      await session.retryNow();
      const offline = session.snapshot();
      expect(sessionFacts(offline)).toEqual({ state: 'offline', sub: 'alice', code: 'network', memoryOnly: false });
      expect((await userSees(session)).view.lastError?.message).toMatch(ACTIONABLE);
      expect(await storedEntry(b)).toEqual(before);
      // The damaged file is kept aside for inspection, reported once; fresh settings replace it.
      expect(readdirSync(userData).filter((f) => f.startsWith('settings.json.corrupt-'))).toHaveLength(1);
      expect(existsSync(join(userData, 'settings.json'))).toBe(true);
      expect(logger.lines.filter((l) => l.includes('settings file was damaged'))).toHaveLength(1);

      await b.provider.restart();
      wake.fire('online');
      await new Promise<void>((resolve) => {
        const off = session.onChange((s) => {
          if (s.state === 'signed-in') {
            off();
            resolve();
          }
        });
      });
      expect(sessionFacts(session.snapshot())).toEqual({ state: 'signed-in', sub: 'alice', code: null, memoryOnly: false });
      expect(Object.keys(settings.get('discoveryCache'))).toEqual([b.config.issuer]);
      expect(b.provider.stats.refreshTokenReuseDetected).toBe(0);
    } finally {
      session.dispose();
    }
  });
});
