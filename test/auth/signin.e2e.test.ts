/**
 * startBrowserSignIn end to end, with real parts only: the bench provider (oidc-provider on
 * 127.0.0.1), chromium playing the user's system browser through the BrowserLauncher adapter, the
 * real loopback receiver, the conf-backed settings file, and the real OS keychain.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AppConfig, validateConfig } from '../../main/auth/config';
import { type DiscoveredProvider, discoverProvider } from '../../main/auth/discovery';
import { AuthError } from '../../main/auth/errors';
import { type BrowserSignIn, startBrowserSignIn } from '../../main/auth/signin';
import { TokenVault } from '../../main/auth/vault';
import { createKeytarSecretStore } from '../../main/platform/secret-store.keytar';
import { createConfSettingsStore } from '../../main/platform/settings.conf';
import { type BrowserLauncher, type SettingsStore, systemClock } from '../../main/platform/ports';
import { asBrowserLauncher, type BrowserBehaviour, type SignInResult, startSystemBrowser, type SystemBrowser } from '../support/browser';
import { openTestKeychain } from '../support/keyring';
import { type DevProvider, type DevProviderOptions, startTestProvider } from '../support/provider';
import { recordingLogger } from './fixtures';

let browser: SystemBrowser;
let bench: DevProvider;
let dir: string;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  browser = await startSystemBrowser();
  bench = await startTestProvider();
});
afterAll(async () => {
  await bench?.close();
  await browser?.close();
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface Harness {
  config: AppConfig;
  provider: DiscoveredProvider;
  settings: SettingsStore;
  logger: ReturnType<typeof recordingLogger>;
  start(browserLauncher: BrowserLauncher, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<BrowserSignIn>;
}

async function harness(p: DevProvider = bench, overrides: Record<string, string> = {}): Promise<Harness> {
  dir = mkdtempSync(join(tmpdir(), 'oauth-desktop-signin-'));
  const tempDir = dir;
  cleanups.push(() => rmSync(tempDir, { recursive: true, force: true }));
  const config = validateConfig({ issuer: p.issuer, clientId: p.clientId, ...overrides });
  const settings = createConfSettingsStore({ dir: tempDir });
  const logger = recordingLogger();
  const provider = await discoverProvider(config, { fetch, settings, clock: systemClock, logger });
  return {
    config,
    provider,
    settings,
    logger,
    start: (launcher, options) =>
      startBrowserSignIn({ config, provider, browser: launcher, clock: systemClock, logger }, options),
  };
}

/** A BrowserLauncher playing the user; the next test starts only once this user is done (one shared browser). */
function launcher(behaviour?: BrowserBehaviour) {
  const l = asBrowserLauncher(browser, behaviour);
  cleanups.push(() => l.settled().then(() => undefined));
  return l;
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function rejection(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the sign-in to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  return error as AuthError;
}

/** No secret of the flow in the log (T4). */
function expectCleanLog(h: Harness, flow: BrowserSignIn) {
  const url = new URL(flow.authorizationUrl);
  const text = h.logger.text();
  for (const name of ['state', 'nonce', 'code_challenge']) expect(text).not.toContain(url.searchParams.get(name)!);
}

describe('sign-in through the system browser (bench provider + chromium)', () => {
  it('N2 N3 N9 N10 L7 full sign-in as alice: refresh token, saved to and loaded from the real keychain', async () => {
    const h = await harness();
    bench.resetCounts();
    const tokensBefore = bench.stats.tokensIssued.authorization_code ?? 0;
    const browserLauncher = launcher({ action: 'sign-in', account: 'alice' });

    const started = performance.now();
    const flow = await h.start(browserLauncher);
    const session = await flow.result;
    const elapsedMs = performance.now() - started;
    console.log(`[measure] sign-in end to end (receiver → browser login+consent → exchange → userinfo): ${elapsedMs.toFixed(0)} ms`);

    expect(await flow.browserOpened).toBe(true);
    expect(session.issuer).toBe(bench.issuer);
    expect(session.clientId).toBe(bench.clientId);
    expect(session.account).toMatchObject({ sub: 'alice', name: 'Alice Liddell', email: 'alice@example.test' });
    expect(session.identity).toEqual({ iss: bench.issuer, sub: 'alice', aud: bench.clientId });
    expect(session.refreshToken).toEqual(expect.any(String));
    expect(session.accessToken).toEqual(expect.any(String));
    expect(session.accessTokenExpiresAt! - session.receivedAt).toBe(300_000);
    expect(session.scopes).toEqual(expect.arrayContaining(['openid', 'offline_access']));

    // N2: S256 challenge in the URL, and the provider (which requires PKCE for this public client
    // and refuses `plain`) issued tokens: the verifier was sent and matched.
    const url = new URL(flow.authorizationUrl);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('prompt')).toBe('consent');
    // N3 N9: the redirect URI is the receiver's IP-literal URI with the OS-chosen port.
    const redirect = new URL(url.searchParams.get('redirect_uri')!);
    expect(redirect.hostname).toBe('127.0.0.1');
    expect(redirect.pathname).toBe('/callback');
    expect(Number(redirect.port)).toBeGreaterThan(0);
    // L7: exactly one token request; N10: the client has no secret to send.
    expect(bench.counts.token).toBe(1);
    expect((bench.stats.tokensIssued.authorization_code ?? 0) - tokensBefore).toBe(1);
    expect(h.provider.client).toEqual({ client_id: bench.clientId });
    // The tab shows the success page.
    const [tab] = (await browserLauncher.settled()) as SignInResult[];
    expect(tab?.text).toContain('You are signed in to oauth-desktop');
    // N6: the port is closed once the result is in.
    expect(await isListening(Number(redirect.port))).toBe(false);
    // K8: the token response's Date header was sampled; bench and test share a clock.
    expect(Math.abs(h.provider.http.lastServerTime()!.skewSeconds)).toBeLessThanOrEqual(2);
    expectCleanLog(h, flow);

    const keychain = await openTestKeychain('signin');
    cleanups.push(() => keychain.cleanup().then(() => undefined));
    const vault = new TokenVault(createKeytarSecretStore(), keychain.service, h.config.issuer, h.config.clientId);
    await vault.save(session);
    expect(await vault.load()).toEqual({ kind: 'found', session });
  });

  it('N2 the verifier binds the code: a token request carrying another verifier is refused (fault injected at the fetch port)', async () => {
    const h = await harness();
    // Same config and settings, but a fetch that swaps the PKCE verifier on its way out.
    const swapVerifier: typeof fetch = (input, init) => {
      if (init?.body instanceof URLSearchParams && init.body.has('code_verifier')) {
        init.body.set('code_verifier', 'x'.repeat(43));
      }
      return fetch(input, init);
    };
    const provider = await discoverProvider(h.config, { fetch: swapVerifier, settings: h.settings, clock: systemClock, logger: h.logger });
    bench.resetCounts();
    const flow = await startBrowserSignIn({
      config: h.config,
      provider,
      browser: launcher(),
      clock: systemClock,
      logger: h.logger,
    });
    expect((await rejection(flow.result)).code).toBe('invalid_grant');
    expect(bench.counts.token).toBe(1);
  });

  it('N8 C1 fresh state, nonce and verifier per request', async () => {
    const h = await harness();
    const first = await h.start(launcher({ action: 'sign-in', account: 'bob' }));
    await first.result;
    const second = await h.start(launcher({ action: 'sign-in', account: 'bob' }));
    expect((await second.result).account.sub).toBe('bob');
    const a = new URL(first.authorizationUrl).searchParams;
    const b = new URL(second.authorizationUrl).searchParams;
    for (const name of ['state', 'nonce', 'code_challenge', 'redirect_uri']) expect(a.get(name)).not.toBe(b.get(name));
  });

  it('every sign-in that asks for offline_access sends prompt=consent and gets a refresh token (OIDC Core §11)', async () => {
    const h = await harness();
    for (let i = 0; i < 2; i += 1) {
      const flow = await h.start(launcher({ action: 'sign-in', account: 'bob' }));
      expect((await flow.result).refreshToken).toEqual(expect.any(String));
      expect(new URL(flow.authorizationUrl).searchParams.get('prompt')).toBe('consent');
    }
    expect(h.logger.lines.some((l) => /no refresh token/.test(l.message))).toBe(false);
  });

  it('N8 L7 a replayed callback after success reaches no listener and makes no token request', async () => {
    const h = await harness();
    let callbackUrl: string | undefined;
    const flow = await h.start(
      launcher({
        action: 'custom',
        run: async (url, b) => {
          const r = await b.signIn(url);
          callbackUrl = r.callbackUrl;
          return r;
        },
      }),
    );
    await flow.result;
    bench.resetCounts();
    const replay = await browser.openRaw(callbackUrl!);
    expect(replay.status).toBe(0); // nothing listens any more (N6)
    expect(bench.counts.token).toBe(0);
  });

  it('S3 a tampered callback (iss changed on the way) is rejected: iss_mismatch, no token request, error page', async () => {
    const h = await harness();
    bench.resetCounts();
    const browserLauncher = launcher({
        action: 'custom',
        run: async (url, b) => {
          // Playwright routes only the first request of a redirect chain, so take over the consent
          // POST, follow the provider's redirects by hand and hand the browser a tampered final
          // redirect: a man in the middle rewriting `iss` on the way to the app.
          const isConsent = (u: URL) => u.origin === bench.issuer && /^\/interaction\/[^/]+$/.test(u.pathname);
          await b.context.route(isConsent, async (route) => {
            if (route.request().method() !== 'POST' || !/prompt=consent/.test(route.request().postData() ?? '')) {
              return route.fallback();
            }
            let response = await route.fetch({ maxRedirects: 0 });
            let location = response.headers().location;
            while (location && new URL(location, bench.issuer).origin === bench.issuer) {
              response = await b.context.request.get(new URL(location, bench.issuer).href, { maxRedirects: 0 });
              location = response.headers().location;
            }
            if (!location) return route.fulfill({ response });
            const tampered = new URL(location);
            tampered.searchParams.set('iss', 'https://evil.example');
            return route.fulfill({ status: 303, headers: { location: tampered.href } });
          });
          try {
            return await b.signIn(url);
          } finally {
            await b.context.unroute(isConsent);
          }
        },
      });
    const flow = await h.start(browserLauncher);
    const error = await rejection(flow.result);
    expect(error.code).toBe('iss_mismatch');
    expect(bench.counts.token).toBe(0);
    const [tab] = (await browserLauncher.settled()) as SignInResult[];
    expect(tab?.redirected).toBe(true);
    expect(tab?.text).toContain('Something went wrong');
  });

  it('S3 a provider that sends another issuer in iss is rejected (iss_mismatch)', async () => {
    const wrong = await startTestProvider({ misbehave: { authorizationResponseIss: 'wrong' } } satisfies DevProviderOptions);
    cleanups.push(() => wrong.close());
    const h = await harness(wrong);
    const flow = await h.start(launcher());
    expect((await rejection(flow.result)).code).toBe('iss_mismatch');
    expect(wrong.counts.token).toBe(0);
  });

  it('S3 a provider that advertises iss but omits it is rejected (iss_mismatch)', async () => {
    const missing = await startTestProvider({ misbehave: { authorizationResponseIss: 'missing' } });
    cleanups.push(() => missing.close());
    const h = await harness(missing);
    expect(h.provider.as.authorization_response_iss_parameter_supported).toBe(true);
    const flow = await h.start(launcher());
    expect((await rejection(flow.result)).code).toBe('iss_mismatch');
    expect(missing.counts.token).toBe(0);
  });

  it('L5 the user denies consent: access_denied, the tab says cancelled, no token request', async () => {
    const h = await harness();
    bench.resetCounts();
    const browserLauncher = launcher({ action: 'sign-in', consent: 'deny' });
    const flow = await h.start(browserLauncher);
    const error = await rejection(flow.result);
    expect(error.code).toBe('access_denied');
    expect(bench.counts.token).toBe(0);
    const [tab] = (await browserLauncher.settled()) as SignInResult[];
    expect(tab?.text).toContain('Sign-in was cancelled');
  });

  it('L19 the browser never comes back: timed_out, and the port is closed', async () => {
    const h = await harness();
    const flow = await h.start(launcher({ action: 'abandon' }), { timeoutMs: 1_500 });
    const port = Number(new URL(new URL(flow.authorizationUrl).searchParams.get('redirect_uri')!).port);
    expect((await rejection(flow.result)).code).toBe('timed_out');
    expect(await isListening(port)).toBe(false);
  });

  it('L20 cancel via the AbortSignal: cancelled, and the port is closed', async () => {
    const h = await harness();
    const controller = new AbortController();
    const flow = await h.start(launcher({ action: 'abandon' }), { signal: controller.signal });
    const port = Number(new URL(new URL(flow.authorizationUrl).searchParams.get('redirect_uri')!).port);
    expect(await flow.browserOpened).toBe(true);
    expect(await isListening(port)).toBe(true);
    controller.abort();
    expect((await rejection(flow.result)).code).toBe('cancelled');
    expect(await isListening(port)).toBe(false);
  });

  it('L20 cancel() on the flow: cancelled', async () => {
    const h = await harness();
    const flow = await h.start(launcher({ action: 'abandon' }));
    flow.cancel();
    expect((await rejection(flow.result)).code).toBe('cancelled');
  });

  it('L20 an already-aborted signal fails fast with cancelled and opens nothing', async () => {
    const h = await harness();
    const browserLauncher = launcher();
    await expect(h.start(browserLauncher, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'cancelled' });
    expect(browserLauncher.opened).toEqual([]);
  });

  it('L21 the browser cannot be opened: browserOpened false, the URL is available, and pasting it still works', async () => {
    const h = await harness();
    const flow = await h.start(launcher({ action: 'fail', error: new AuthError('browser_unavailable', 'no browser') }));
    expect(await flow.browserOpened).toBe(false);
    expect(flow.authorizationUrl.startsWith(`${bench.issuer}/auth?`)).toBe(true);
    // the user copies the link into a browser by hand
    await browser.signIn(flow.authorizationUrl, { account: 'carol' });
    const session = await flow.result;
    expect(session.account.sub).toBe('carol');
    expect(h.logger.lines.some((l) => l.level === 'warn' && l.fields?.code === 'browser_unavailable')).toBe(true);
  });

  it('K18 discovery falls back to the cached metadata while the provider is stopped', async () => {
    const h = await harness();
    expect(h.provider.fromCache).toBe(false);
    await bench.stop();
    try {
      const offline = await discoverProvider(h.config, { fetch, settings: h.settings, clock: systemClock, logger: h.logger });
      expect(offline.fromCache).toBe(true);
      expect(offline.as).toEqual(h.provider.as);
      // …and only while it is down: with no cache the same failure is an error
      const empty = createConfSettingsStore({ dir: mkdtempSync(join(dir, 'empty-')) });
      await expect(discoverProvider(h.config, { fetch, settings: empty, clock: systemClock, logger: h.logger })).rejects.toMatchObject({
        code: 'network',
      });
    } finally {
      await bench.restart();
    }
    const online = await discoverProvider(h.config, { fetch, settings: h.settings, clock: systemClock, logger: h.logger });
    expect(online.fromCache).toBe(false);
  });
});
