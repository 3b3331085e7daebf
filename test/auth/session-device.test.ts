/**
 * The device authorization grant through the session service (issue 6, in the app): the snapshot
 * shows the user code while polling, chromium on "another device" enters it, and the tokens go
 * through the same keychain and session as the browser flow. Also: opt-in only, and cancel.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isAuthError } from '../../main/auth/errors';
import type { SessionSnapshot } from '../../main/auth/snapshot';
import { decodeStoredSession } from '../../main/auth/tokens';
import { type SystemBrowser, startSystemBrowser } from '../support/browser';
import { type Bench, startBench, storedEntry, waitForSnapshot } from './session-harness';

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

describe('device sign-in through the session', () => {
  it('shows the user code in the snapshot, signs in when the code is entered elsewhere, stores the session in the keychain', async () => {
    bench = await startBench('device-session', {}, { browser });
    const session = bench.session({ config: { deviceFlow: true }, tunables: { deviceIntervalMs: 100 } });
    const seen: SessionSnapshot[] = [];
    session.onChange((s) => seen.push(s));

    const signedIn = session.signInWithDevice();
    const waiting = await waitForSnapshot(session, (s) => s.signIn?.kind === 'device');
    expect(waiting.state).toBe('signing-in');
    if (waiting.signIn?.kind !== 'device') throw new Error('expected a device sign-in');
    expect(waiting.signIn.userCode).toMatch(/\S{4,}/);
    expect(waiting.signIn.verificationUri).toContain(bench.provider.issuer);
    expect(waiting.signIn.expiresAt).toBeGreaterThan(Date.now());

    const entered = await browser.enterDeviceCode(waiting.signIn.verificationUri, waiting.signIn.userCode, { account: 'bob' });
    expect(entered.success).toBe(true);

    const done = await signedIn;
    expect(done.state).toBe('signed-in');
    expect(done.account?.sub).toBe('bob');
    expect(done.signIn).toBeNull();
    const entry = await storedEntry(bench);
    if (!entry) throw new Error('expected a keychain entry');
    const stored = decodeStoredSession(entry.raw);
    expect(stored.account.sub).toBe('bob');
    expect(stored.refreshToken).toEqual(expect.any(String));
    // The snapshots that crossed to the UI never carried the device_code or a token.
    const serialized = JSON.stringify(seen);
    expect(serialized).not.toContain(stored.refreshToken!);
    expect(serialized).not.toContain(stored.accessToken!);
  });

  it('is refused unless OAUTH_DEVICE_FLOW is on (RFC 8628 §5.4), and the session returns to signed out', async () => {
    bench = await startBench('device-off', {}, { browser });
    const session = bench.session({ tunables: { deviceIntervalMs: 100 } });
    const error = await session.signInWithDevice().catch((e: unknown) => e);
    expect(isAuthError(error, 'config_invalid')).toBe(true);
    expect((error as Error).message).toContain('RFC 8628');
    expect(session.snapshot().state).toBe('signed-out');
    expect(bench.provider.counts.device_authorization).toBe(0);
  });

  it('while the code is being requested, the pending sign-in is not reported as a browser sign-in', async () => {
    // Regression: the snapshot fell back to `{ kind: 'browser', browserOpened: false }` until the
    // device authorization response arrived, so the app showed "Your browser didn't open. Copy the
    // sign-in link" for a sign-in that has no browser and no link.
    bench = await startBench('device-starting', {}, { browser });
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const session = bench.session({
      config: { deviceFlow: true },
      tunables: { deviceIntervalMs: 100 },
      fetch: async (input, init) => {
        const url = input instanceof Request ? input.url : String(input);
        if (url.includes('/device/auth')) await held;
        return globalThis.fetch(input, init);
      },
    });
    const seen: SessionSnapshot[] = [];
    session.onChange((s) => seen.push(s));
    const outcome = session.signInWithDevice().catch((e: unknown) => e);
    const starting = await waitForSnapshot(session, (s) => s.state === 'signing-in').finally(release);
    expect(starting.signIn).toBeNull();
    await waitForSnapshot(session, (s) => s.signIn?.kind === 'device');
    session.cancelSignIn();
    expect(isAuthError(await outcome, 'cancelled')).toBe(true);
    expect(seen.some((s) => s.signIn?.kind === 'browser')).toBe(false);
  });

  it('cancel stops polling: cancelled, back to signed out, nothing stored', async () => {
    bench = await startBench('device-cancel', {}, { browser });
    const session = bench.session({ config: { deviceFlow: true }, tunables: { deviceIntervalMs: 100 } });
    const signedIn = session.signInWithDevice();
    await waitForSnapshot(session, (s) => s.signIn?.kind === 'device');
    session.cancelSignIn();
    const error = await signedIn.catch((e: unknown) => e);
    expect(isAuthError(error, 'cancelled')).toBe(true);
    expect(session.snapshot().state).toBe('signed-out');
    const polls = bench.provider.counts.token;
    await new Promise((r) => setTimeout(r, 400));
    expect(bench.provider.counts.token).toBe(polls);
    expect(await storedEntry(bench)).toBeNull();
  });
});
