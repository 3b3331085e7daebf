/**
 * Fault injection during a browser sign-in (issue 8 §2): the provider down before it starts, the
 * token endpoint failing or answering garbage at the code exchange, and the keychain refusing the
 * write right after a good token response. For each: what the user sees (state, error code, the
 * renderer's headline, an actionable message), nothing half-stored, the loopback port closed, and
 * — for the keychain — a session that says it lasts only until the app closes, then is saved when
 * the keychain is back. Real bench provider, chromium as the user's browser, real keychain.
 */
import { connect } from 'node:net';
import { readdir } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuthErrorCode } from '../../main/auth/errors';
import { createKeytarSecretStore } from '../../main/platform/secret-store.keytar';
import { type Bench, startBench, storedRecord } from '../auth/session-harness';
import { asBrowserLauncher, type SignInResult, type SystemBrowser, startSystemBrowser } from '../support/browser';
import { loadKeytar } from '../support/keyring';
import type { Fault } from '../support/provider';
import { ACTIONABLE, sessionFacts, switchableKeytar, userSees } from './harness';

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

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const redirectPort = (url: string) => Number(new URL(new URL(url).searchParams.get('redirect_uri')!).port);

const PROXY_PAGE = '<!DOCTYPE html><html><head><title>Proxy error</title></head><body>Bad gateway</body></html>';

describe('the provider fails during a sign-in', () => {
  it('K11 the provider is down before the sign-in starts: a clear error, no browser, no listener, nothing stored', async () => {
    bench = await startBench('adv-signin-down', {}, { browser });
    await bench.provider.stop();
    const launcher = asBrowserLauncher(browser);
    const session = bench.session({ browser: launcher });
    await session.restore();
    const error = await session.signIn().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'network' });
    expect(sessionFacts(session.snapshot())).toEqual({ state: 'signed-out', sub: null, code: 'network', memoryOnly: false });
    const seen = await userSees(session);
    expect(seen.headline).toBe("Can't reach the provider");
    expect(seen.view.lastError?.message).toMatch(ACTIONABLE);
    expect(launcher.opened).toEqual([]);
    expect(await bench.keychain.accounts()).toEqual([]);
  });

  const exchangeFaults: Array<[string, AuthErrorCode, Fault, RegExp]> = [
    ['HTTP 500', 'server_error', 500, /having trouble/],
    ['an HTML page from a proxy (HTTP 502)', 'server_error', { status: 502, body: PROXY_PAGE, headers: { 'content-type': 'text/html' } }, /having trouble/],
    ['an HTML page from a proxy (HTTP 200)', 'network', { status: 200, body: PROXY_PAGE, headers: { 'content-type': 'text/html' } }, /Can't reach/],
    ['a reset connection', 'network', 'reset', /Can't reach/],
    ['a token response without access_token', 'token_response_invalid', { status: 200, body: { token_type: 'Bearer', expires_in: 300 } }, /couldn't be used/],
    ['a token response without token_type', 'token_response_invalid', { status: 200, body: { access_token: 'opaque-token-from-a-sloppy-provider', expires_in: 300 } }, /couldn't be used/],
    ['a token response without an ID token', 'token_response_invalid', { status: 200, body: { access_token: 'opaque-token-from-a-sloppy-provider', token_type: 'Bearer', expires_in: 300 } }, /couldn't be used/],
  ];
  it.each(exchangeFaults)('N6 the code exchange gets %s: the sign-in fails with %s, the tab says so, the port closes, nothing is stored', async (_name, code, fault, headline) => {
    bench = await startBench(`adv-exchange-${code}`, {}, { browser });
    const launcher = asBrowserLauncher(browser);
    const session = bench.session({ browser: launcher });
    await session.restore();
    bench.provider.failTokenEndpoint(fault);
    const error = await session.signIn().catch((e: unknown) => e);
    expect(error).toMatchObject({ code });
    expect(sessionFacts(session.snapshot())).toEqual({ state: 'signed-out', sub: null, code, memoryOnly: false });
    const seen = await userSees(session);
    expect(seen.headline).toMatch(headline);
    expect(seen.view.lastError?.message).toMatch(ACTIONABLE);
    // The browser tab is told it failed (never "you can close this window, you are signed in").
    const [tab] = (await launcher.settled()) as SignInResult[];
    expect(tab?.redirected).toBe(true);
    expect(tab?.text).not.toMatch(/signed in/i);
    expect(await portOpen(redirectPort(launcher.opened[0]!))).toBe(false);
    expect(await bench.keychain.accounts()).toEqual([]);
    expect(bench.provider.counts.token).toBe(1);
  });
});

describe('the keychain fails right after a good token response', () => {
  it('K1 the write is refused: the user is told the session lasts until the app closes, nothing is on disk, and it is saved once the keychain is back', async () => {
    bench = await startBench('adv-signin-write', {}, { browser });
    const keytar = switchableKeytar(loadKeytar());
    const session = bench.session({ secretStore: createKeytarSecretStore(keytar.load) });
    await session.restore();
    // Reads work (launch looked fine); the write after the token response is refused.
    keytar.failing.add('set');
    const result = await session.signIn();
    // Not "signed in" as if all were well: the state and the error say what is wrong.
    expect(sessionFacts(result)).toEqual({ state: 'storage-unavailable', sub: 'alice', code: 'storage_unavailable', memoryOnly: true });
    const seen = await userSees(session);
    expect(seen.headline).toBe("Your keychain isn't available");
    expect(seen.view.lastError?.message).toMatch(/until the app closes/);
    expect(seen.view.lastError?.message).toMatch(/Install and unlock a keyring|Unlock/);
    expect(seen.view.storage.available).toBe(false);
    // Kept in memory and usable; never written anywhere else.
    expect((await session.callApi({ url: `${bench.api.origin}/me` })).status).toBe(200);
    expect(await bench.keychain.accounts()).toEqual([]);
    const files = await readdir(bench.userData);
    expect(files.filter((f) => !f.startsWith('settings.json') && f !== 'locks')).toEqual([]);

    keytar.failing.clear();
    const back = await session.retryNow();
    expect(sessionFacts(back)).toEqual({ state: 'signed-in', sub: 'alice', code: null, memoryOnly: false });
    expect((await storedRecord(bench))?.acct.sub).toBe('alice');
  });

  it('K1 K12 the write after a renewal is refused: the NEW refresh token lives on in memory, the spent one in the keychain is never redeemed', async () => {
    bench = await startBench('adv-refresh-write', {}, { browser });
    const keytar = switchableKeytar(loadKeytar());
    const { splitClock } = await import('./harness');
    const clock = splitClock();
    const session = bench.session({ clock, secretStore: createKeytarSecretStore(keytar.load) });
    await session.restore();
    await session.signIn();
    const spent = await storedRecord(bench);

    keytar.failing.add('set');
    clock.advance(400_000);
    const renewed = await session.retryNow();
    expect(sessionFacts(renewed)).toEqual({ state: 'storage-unavailable', sub: 'alice', code: 'storage_unavailable', memoryOnly: true });
    expect((await userSees(session)).view.lastError?.message).toMatch(/until the app closes/);
    // The keychain still holds the spent token; memory holds the new one, which works.
    expect((await storedRecord(bench))?.rt === spent?.rt, 'the keychain still holds the spent token').toBe(true);
    expect((await session.callApi({ url: `${bench.api.origin}/me` })).status).toBe(200);

    // Another renewal while the keychain still refuses writes: it must redeem the token in
    // memory, not the spent one it can read back from the keychain (that would revoke the grant).
    clock.advance(400_000);
    expect((await session.retryNow()).memoryOnly).toBe(true);
    expect(bench.provider.stats.refreshTokenReuseDetected).toBe(0);

    keytar.failing.clear();
    const saved = await session.retryNow();
    expect(sessionFacts(saved)).toEqual({ state: 'signed-in', sub: 'alice', code: null, memoryOnly: false });
    const now = await storedRecord(bench);
    expect(now?.rt === spent?.rt, 'the new refresh token was saved').toBe(false);
    // A new process (the next launch) renews from the keychain without reuse detection.
    const next = bench.session({ clock });
    await next.restore();
    clock.advance(400_000);
    expect((await next.retryNow()).state).toBe('signed-in');
    expect(bench.provider.stats.refreshTokenReuseDetected).toBe(0);
  });
});
