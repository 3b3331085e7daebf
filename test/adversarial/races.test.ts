/**
 * Races (issue 8 §4), each forced into its worst interleaving by holding one step at a port
 * (the fetch port, the storage port) while the other side runs:
 * - sign-out while a renewed session is being WRITTEN to the keychain (K17);
 * - a second sign-in while the first one's code exchange is in flight (L22);
 * - ten copies of the callback arriving at the same instant (L7);
 * - another process signing out while this one's renewal is in flight: a renewal must not write
 *   back a session the user just signed out of (the refresh racing a vault write).
 * Two processes refreshing at once (K12) runs with real child processes in
 * test/auth/session-concurrency.test.ts; sign-out during the token request (K17) in
 * test/auth/session-refresh.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FetchLike } from '../../main/platform/ports';
import { type Bench, isRefreshRequest, refreshTokenStillWorks, startBench, storedRecord } from '../auth/session-harness';
import type { Route } from 'playwright-core';
import { asBrowserLauncher, type SystemBrowser, startSystemBrowser } from '../support/browser';
import { faultyStore, sessionFacts, sleep, splitClock, userSees } from './harness';

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

/** A gate the test opens: `wait()` resolves once `open()` was called. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { open, wait: () => opened };
}

function bodyOf(init?: RequestInit): string {
  const body = init?.body;
  return body instanceof URLSearchParams ? body.toString() : typeof body === 'string' ? body : '';
}

describe('races', () => {
  it('K17 sign-out while the renewed session is being written to the keychain: nothing comes back, the new refresh token is revoked', async () => {
    bench = await startBench('race-signout-write', {}, { browser });
    const store = faultyStore();
    const clock = splitClock();
    const session = bench.session({ clock, secretStore: store });
    await session.restore();
    await session.signIn();

    clock.advance(400_000);
    const write = store.hold('set');
    const renewal = session.retryNow();
    await write.reached; // the provider answered (and rotated); the write is on its way
    const signingOut = session.signOut();
    await sleep(50);
    write.release(); // the write lands after sign-out began
    const report = await signingOut;
    await renewal;

    expect(report.localTokensDeleted).toBe(true);
    expect(report.revocation).toBe('revoked');
    expect(sessionFacts(session.snapshot())).toEqual({ state: 'signed-out', sub: null, code: null, memoryOnly: false });
    expect(await bench.keychain.accounts()).toEqual([]);
    await sleep(200);
    expect(await bench.keychain.accounts()).toEqual([]);
    expect(session.snapshot().state).toBe('signed-out');
    await expect(session.callApi({ url: `${bench.api.origin}/me` })).rejects.toMatchObject({ code: 'not_signed_in' });
  });

  it('L22 a second sign-in while the first one\'s code exchange is in flight: the first answer is dropped, only the second is stored', async () => {
    bench = await startBench('race-second-signin', {}, { browser });
    const firstExchange = gate();
    const firstAnswered = gate();
    let exchanges = 0;
    const fetch: FetchLike = async (input, init) => {
      if (!bodyOf(init).includes('grant_type=authorization_code')) return globalThis.fetch(input, init);
      exchanges += 1;
      if (exchanges > 1) return globalThis.fetch(input, init);
      // The first exchange reaches the provider (which issues tokens), then its answer is held.
      const response = await globalThis.fetch(input, init);
      const body = await response.text();
      firstAnswered.open();
      // Held like a slow network: an abort (the sign-in being superseded) still ends the wait.
      await new Promise<void>((resolve, reject) => {
        const signal = init?.signal;
        if (signal?.aborted) reject(signal.reason);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        void firstExchange.wait().then(resolve);
      });
      return new Response(body, { status: response.status, headers: response.headers });
    };
    const launcher = asBrowserLauncher(browser);
    const session = bench.session({ fetch, browser: launcher });
    await session.restore();
    const first = session.signIn();
    first.catch(() => {});
    await firstAnswered.wait();

    const second = session.signIn();
    await expect(first).rejects.toMatchObject({ code: 'superseded' });
    firstExchange.open();
    const done = await second;
    expect(sessionFacts(done)).toEqual({ state: 'signed-in', sub: 'alice', code: null, memoryOnly: false });
    expect(bench.provider.counts.token).toBe(2);
    // One session stored: the second one's (its access token is the one in use).
    expect(await bench.keychain.accounts()).toHaveLength(1);
    const stored = await storedRecord(bench);
    expect((await session.callApi({ url: `${bench.api.origin}/me` })).status).toBe(200);
    expect(await storedRecord(bench)).toEqual(stored);
    // Both listeners are gone.
    for (const url of launcher.opened) {
      const port = Number(new URL(new URL(url).searchParams.get('redirect_uri')!).port);
      const open = await fetch(`http://127.0.0.1:${port}/`).then(
        () => true,
        () => false,
      );
      expect(open).toBe(false);
    }
  });

  it('L7 ten copies of the callback at the same instant: one token request, one session, every copy answered or refused', async () => {
    bench = await startBench('race-duplicate-callback', {}, { browser });
    const statuses: number[] = [];
    const launcher = asBrowserLauncher(browser, {
      action: 'custom',
      run: async (url, b) => {
        // The browser is about to be sent to the app's callback. Before it goes, a hostile local
        // page (or a confused extension) fires the same callback from ten connections at once;
        // the browser's own copy arrives last.
        const provider = new URL(url).origin;
        const app = new URL(new URL(url).searchParams.get('redirect_uri')!).origin;
        // The provider's login and consent forms POST, then redirect (via /auth/:uid) to the app.
        // Redirects cannot be intercepted, so the chain is followed here, up to the app.
        const forms = (u: URL) => u.origin === provider && u.pathname.startsWith('/interaction/');
        const replay = async (route: Route) => {
          if (route.request().method() !== 'POST') return route.fallback();
          const response = await route.fetch({ maxRedirects: 0 });
          const first = response.headers().location;
          if (!first || response.status() < 300 || response.status() >= 400) return route.fulfill({ response });
          let location = new URL(first, route.request().url()).href;
          if (location.startsWith(`${provider}/auth/`)) {
            const resumed = await b.context.request.get(location, { maxRedirects: 0 });
            const next = resumed.headers().location;
            if (!next) return route.fulfill({ response: resumed });
            location = new URL(next, location).href;
          }
          if (location.startsWith(app)) {
            const copies = await Promise.all(
              Array.from({ length: 10 }, () =>
                globalThis.fetch(location, { redirect: 'manual' }).then(
                  (r) => r.status,
                  () => 0,
                ),
              ),
            );
            statuses.push(...copies);
          }
          return route.fulfill({ status: 303, headers: { location } });
        };
        await b.context.route(forms, replay);
        try {
          return await b.signIn(url);
        } finally {
          await b.context.unroute(forms, replay);
        }
      },
    });
    const session = bench.session({ browser: launcher });
    await session.restore();
    const signedIn = await session.signIn();
    expect(sessionFacts(signedIn)).toEqual({ state: 'signed-in', sub: 'alice', code: null, memoryOnly: false });
    await launcher.settled();
    expect(bench.provider.counts.token).toBe(1);
    expect(bench.provider.stats.authorizationCodeReuseDetected).toBe(0);
    expect(statuses).toHaveLength(10);
    // Exactly one copy was taken (303 to the clean page); the rest got the fixed "already
    // completed" answer (409), or found the port closed once the sign-in was done.
    expect(statuses.filter((s) => s === 303)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 303).every((s) => s === 409 || s === 0)).toBe(true);
    expect(await bench.keychain.accounts()).toHaveLength(1);
  });

  it('K12 K17 another process signs out while this one\'s renewal is in flight: the renewal does not write the session back', async () => {
    bench = await startBench('race-signout-elsewhere', {}, { browser });
    const clock = splitClock();
    // "The app": its renewal reaches the provider, then the answer is held.
    const held = gate();
    const answered = gate();
    let newRefreshToken: string | null = null;
    const fetch: FetchLike = async (input, init) => {
      if (!isRefreshRequest(init)) return globalThis.fetch(input, init);
      const response = await globalThis.fetch(input, init);
      const body = await response.text();
      newRefreshToken = (JSON.parse(body) as { refresh_token?: string }).refresh_token ?? null;
      answered.open();
      await held.wait();
      return new Response(body, { status: response.status, headers: response.headers });
    };
    const app = bench.session({ clock, fetch });
    await app.restore();
    await app.signIn();
    clock.advance(400_000);
    const renewal = app.retryNow();
    await answered.wait();

    // "The CLI": `logout` in another process (its own session service, same keychain and locks).
    const cli = bench.session({ tunables: { refreshOnRestore: false, lockTimeoutMs: 5_000 } });
    const logout = cli.signOut();
    await sleep(100);
    held.open();
    const report = await logout;
    await renewal;
    await sleep(100);

    expect(report.localTokensDeleted).toBe(true);
    // The user signed out: no process may leave a session in the keychain afterwards …
    expect(await bench.keychain.accounts()).toEqual([]);
    // … the app learns it the next time it looks at the keychain, and keeps nothing usable …
    const looked = await app.restore();
    expect(looked.state).toBe('signed-out');
    expect((await userSees(app)).view.account).toBeNull();
    expect(await bench.keychain.accounts()).toEqual([]);
    // … and the refresh token the renewal received is dead at the provider.
    expect(newRefreshToken).not.toBeNull();
    expect(await refreshTokenStillWorks(bench, newRefreshToken!)).toBe(false);
  });
});
