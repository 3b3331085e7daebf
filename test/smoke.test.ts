/**
 * Proves the test bench end to end before any product code: the real authorization server
 * (oidc-provider), the real system browser (chromium), the real keychain (Secret Service) and the
 * demo API, driven by a plain oauth4webapi client. If any part is missing, these tests fail with
 * a message that says which and how to fix it.
 */
import * as oauth from 'oauth4webapi';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi } from './support/api';
import { startSystemBrowser, type SystemBrowser } from './support/browser';
import { openTestKeychain, type TestKeychain } from './support/keyring';
import { type DevProvider, startTestProvider } from './support/provider';
import type { ResourceServer } from './support/api';
import {
  buildAuthorizationRequest,
  discover,
  exchangeCode,
  refresh,
  signInWithReferenceClient,
  startCallbackListener,
} from './support/reference-client';

let provider: DevProvider;
let api: ResourceServer;
let browser: SystemBrowser;
let keychain: TestKeychain;

beforeAll(async () => {
  provider = await startTestProvider();
  api = await startTestApi(provider);
  browser = await startSystemBrowser();
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await provider?.close();
});

afterEach(async () => {
  provider.resetFaults();
  if (keychain) await keychain.cleanup();
});

describe('smoke: the bench end to end with a plain oauth4webapi client', () => {
  it('signs in with code + PKCE in chromium, keeps the refresh token in the keychain, refreshes, and calls the API', async () => {
    keychain = await openTestKeychain('smoke');

    // 1. Discovery: the bench advertises what a native app needs.
    const as = await discover(provider.issuer);
    expect(as.code_challenge_methods_supported).toEqual(['S256']);
    expect(as.authorization_response_iss_parameter_supported).toBe(true);

    // 2. Authorization request through the system browser, back to a loopback listener.
    const listener = await startCallbackListener();
    let tokens: oauth.TokenEndpointResponse;
    try {
      const request = await buildAuthorizationRequest(as, {
        clientId: provider.clientId,
        redirectUri: listener.redirectUri,
        resource: provider.resource,
      });
      const seen = await browser.signIn(request.url.href, { account: 'alice', consent: 'approve' });
      expect(seen.redirected).toBe(true);
      expect(seen.status).toBe(200);
      expect(seen.text).toContain('callback received');

      const callback = await listener.nextCallback();
      expect(callback.searchParams.get('iss')).toBe(provider.issuer);

      // 3. Code exchange (state, iss, nonce, ID token validated by oauth4webapi).
      tokens = await exchangeCode(as, request, callback);
    } finally {
      await listener.close();
    }
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.refresh_token).toBeTypeOf('string');
    expect(oauth.getValidatedIdTokenClaims(tokens)?.sub).toBe('alice');

    // 4. The refresh token goes into the real keychain and comes back out.
    await keychain.set('alice', tokens.refresh_token!);
    expect(await keychain.accounts()).toEqual(['alice']);
    const stored = await keychain.get('alice');
    expect(stored).toBe(tokens.refresh_token);

    // 5. A refresh with the stored token succeeds and rotates it.
    const refreshed = await refresh(as, provider.clientId, stored!);
    expect(refreshed.access_token).toBeTypeOf('string');
    expect(refreshed.refresh_token).toBeTypeOf('string');
    expect(refreshed.refresh_token).not.toBe(stored);
    expect(provider.stats.refreshTokensRotated).toBeGreaterThanOrEqual(1);

    // 6. The API accepts the access token and refuses a tampered one.
    const ok = await fetch(`${api.origin}/me`, { headers: { authorization: `Bearer ${refreshed.access_token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ sub: 'alice', scopes: expect.arrayContaining(['api:read']) });

    const tampered = tamper(refreshed.access_token);
    const refused = await fetch(`${api.origin}/me`, { headers: { authorization: `Bearer ${tampered}` } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
  });
});

describe('smoke: the bench controls', () => {
  it('counts requests per endpoint', async () => {
    provider.resetCounts();
    const { as, tokens } = await signInWithReferenceClient(provider, browser);
    expect(provider.counts.discovery).toBe(1);
    expect(provider.counts.authorization).toBeGreaterThanOrEqual(1);
    expect(provider.counts.token).toBe(1);
    await refresh(as, provider.clientId, tokens.refresh_token!);
    expect(provider.counts.token).toBe(2);
    expect(provider.countsByPath['/token']).toBe(2);
  });

  it('stops and restarts on the same port, keeping grants (offline, then back)', async () => {
    const { as, tokens } = await signInWithReferenceClient(provider, browser);
    const issuerBefore = provider.issuer;

    await provider.stop();
    expect(provider.running).toBe(false);
    await expect(fetchWithRetryOnReset(provider.discoveryUrl)).rejects.toThrow();

    await provider.restart();
    expect(provider.running).toBe(true);
    expect(provider.issuer).toBe(issuerBefore);
    const back = await refresh(as, provider.clientId, tokens.refresh_token!);
    expect(back.access_token).toBeTypeOf('string');
  });

  it('injects token endpoint faults: 5xx, hang, reset, slow', async () => {
    const { as, tokens } = await signInWithReferenceClient(provider, browser);
    const client = { client_id: provider.clientId };
    const tokenRequest = (signal?: AbortSignal) =>
      oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, {
        [oauth.allowInsecureRequests]: true,
        signal,
      });

    provider.failTokenEndpoint(503);
    const unavailable = await tokenRequest();
    expect(unavailable.status).toBe(503);
    expect(await unavailable.json()).toMatchObject({ error: 'temporarily_unavailable' });

    provider.failTokenEndpoint(500, { times: 1 });
    expect((await tokenRequest()).status).toBe(500);

    provider.failTokenEndpoint('hang');
    await expect(tokenRequest(AbortSignal.timeout(300))).rejects.toThrow();

    provider.failTokenEndpoint('reset');
    await expect(tokenRequest()).rejects.toThrow();

    // Faults never reached oidc-provider: the refresh token is still unused.
    provider.failTokenEndpoint({ delayMs: 200 });
    const slow = await tokenRequest();
    expect(slow.status).toBe(200);
    provider.resetFaults();
  });

  it('revokes a grant server-side: the next refresh fails with invalid_grant', async () => {
    const { as, tokens } = await signInWithReferenceClient(provider, browser, { account: 'bob' });
    expect(provider.revokeGrant('bob')).toBeGreaterThanOrEqual(1);
    const error = await refresh(as, provider.clientId, tokens.refresh_token!).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(oauth.ResponseBodyError);
    expect((error as oauth.ResponseBodyError).error).toBe('invalid_grant');
  });

  it('detects refresh token reuse (rotation): the whole grant dies', async () => {
    const before = provider.stats.refreshTokenReuseDetected;
    const { as, tokens } = await signInWithReferenceClient(provider, browser);
    const rotated = await refresh(as, provider.clientId, tokens.refresh_token!);
    const reuse = await refresh(as, provider.clientId, tokens.refresh_token!).catch((e: unknown) => e);
    expect((reuse as oauth.ResponseBodyError).error).toBe('invalid_grant');
    expect(provider.stats.refreshTokenReuseDetected).toBe(before + 1);
    const after = await refresh(as, provider.clientId, rotated.refresh_token!).catch((e: unknown) => e);
    expect((after as oauth.ResponseBodyError).error).toBe('invalid_grant');
  });
});

/** Flips a character in the signature part of a JWT. */
function tamper(jwt: string): string {
  const [header, payload, signature] = jwt.split('.');
  const flipped = (signature![0] === 'A' ? 'B' : 'A') + signature!.slice(1);
  return `${header}.${payload}.${flipped}`;
}

/**
 * A fetch against a stopped server: a pooled keep-alive socket may surface as "other side closed"
 * instead of ECONNREFUSED; both are the offline failure the test wants, so try twice.
 */
async function fetchWithRetryOnReset(url: string): Promise<Response> {
  try {
    return await fetch(url);
  } catch {
    return await fetch(url);
  }
}
