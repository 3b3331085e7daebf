/**
 * main/auth/exchange.ts: the code exchange and sessionFromTokenResponse, with ID tokens minted by
 * jose and served through the injected fetch (fault injection at the fetch port: the bench provider
 * cannot be made to sign a wrong nonce or issuer). The happy path against the real bench is in
 * signin.e2e.test.ts.
 */
import { generateKeyPair, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildAuthorizationRequest, type PendingAuthorization } from '../../main/auth/authorize';
import { validateCallback } from '../../main/auth/callback';
import { type AppConfig, validateConfig } from '../../main/auth/config';
import { type DiscoveredProvider, discoverProvider } from '../../main/auth/discovery';
import { exchangeAuthorizationCode, sessionFromTokenResponse } from '../../main/auth/exchange';
import type { Clock } from '../../main/platform/ports';
import { memorySettings, recordingLogger, sampleSession } from './fixtures';

const ISSUER = 'https://id.example.com';
const CLIENT = 'desktop';
const REDIRECT = 'http://127.0.0.1:49152/callback';
const NOW = 1_700_000_000_000;
const fixedClock: Clock = { now: () => NOW, monotonicNow: () => 0 };

let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
beforeAll(async () => {
  ({ privateKey } = await generateKeyPair('RS256'));
});

type Claims = Record<string, unknown>;
async function idToken(claims: Claims, omit: string[] = []): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const all: Claims = { iss: ISSUER, aud: CLIENT, sub: 'alice', iat: now, exp: now + 300, name: 'Alice (ID token)', ...claims };
  for (const key of omit) delete all[key];
  return new SignJWT(all).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
}

interface FakeAs {
  /** Token endpoint answer: JSON body (status 200) or a Response. `nonce` is the pending request's. */
  token?: (ctx: { nonce: string; body: URLSearchParams }) => Promise<Response | Claims>;
  userinfo?: (headers: Headers) => Response | Claims;
}
interface Recorded {
  token: { body: URLSearchParams; headers: Headers }[];
  userinfo: number;
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** A provider whose every answer comes from the injected fetch. */
async function fakeProvider(
  config: AppConfig,
  fake: FakeAs,
  current: { pending?: PendingAuthorization } = {},
): Promise<{ provider: DiscoveredProvider; recorded: Recorded }> {
  const recorded: Recorded = { token: [], userinfo: 0 };
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const headers = new Headers(init?.headers);
    if (url.pathname === '/.well-known/openid-configuration') {
      return json({
        issuer: ISSUER,
        authorization_endpoint: `${ISSUER}/auth`,
        token_endpoint: `${ISSUER}/token`,
        userinfo_endpoint: `${ISSUER}/me`,
        code_challenge_methods_supported: ['S256'],
        id_token_signing_alg_values_supported: ['RS256'],
        authorization_response_iss_parameter_supported: true,
      });
    }
    if (url.pathname === '/token') {
      const body = new URLSearchParams(String(init?.body));
      recorded.token.push({ body, headers });
      const answer = await fake.token!({ nonce: current.pending?.secrets.nonce ?? '', body });
      return answer instanceof Response ? answer : json(answer, 200, { date: new Date(NOW).toUTCString() });
    }
    if (url.pathname === '/me') {
      recorded.userinfo += 1;
      const answer = fake.userinfo ? fake.userinfo(headers) : { sub: 'alice', name: 'Alice (userinfo)', email: 'alice@example.test' };
      return answer instanceof Response ? answer : json(answer);
    }
    return new Response('not found', { status: 404 });
  };
  const provider = await discoverProvider(config, { fetch, settings: memorySettings(), clock: fixedClock, logger: recordingLogger() });
  return { provider, recorded };
}

async function signInUpTo(config: AppConfig, provider: DiscoveredProvider): Promise<{ pending: PendingAuthorization; params: URLSearchParams }> {
  const pending = await buildAuthorizationRequest(config, provider, { redirectUri: REDIRECT });
  const callback = new URL(REDIRECT);
  callback.searchParams.set('code', 'auth-code-value');
  callback.searchParams.set('state', pending.secrets.state);
  callback.searchParams.set('iss', ISSUER);
  return { pending, params: validateCallback(provider, callback, pending.secrets.state) };
}

async function exchangeWith(fake: FakeAs, configOverrides: Record<string, string> = {}) {
  const config = validateConfig({ issuer: ISSUER, clientId: CLIENT, ...configOverrides });
  const current: { pending?: PendingAuthorization } = {};
  const { provider, recorded } = await fakeProvider(config, fake, current);
  const { pending, params } = await signInUpTo(config, provider);
  current.pending = pending;
  const logger = recordingLogger();
  const result = exchangeAuthorizationCode({ config, provider, clock: fixedClock, logger }, pending, params);
  return { result, recorded, pending, provider, logger };
}

const tokens = (idt: string, extra: Claims = {}): Claims => ({
  access_token: 'at-value',
  token_type: 'Bearer',
  expires_in: 300,
  refresh_token: 'rt-value',
  id_token: idt,
  ...extra,
});

describe('exchange: the code exchange', () => {
  it('N2 N9 N10 sends the verifier and the exact redirect_uri, no secret; builds the session', async () => {
    const { result, recorded, pending, provider, logger } = await exchangeWith({
      token: async ({ nonce }) => tokens(await idToken({ nonce })),
    });
    const session = await result;
    expect(recorded.token).toHaveLength(1);
    const { body, headers } = recorded.token[0]!;
    expect(body.get('grant_type')).toBe('authorization_code');
    expect(body.get('code')).toBe('auth-code-value');
    expect(body.get('redirect_uri')).toBe(REDIRECT);
    expect(body.get('code_verifier')).toBe(pending.secrets.codeVerifier);
    expect(body.get('client_id')).toBe(CLIENT);
    expect(body.has('client_secret')).toBe(false);
    expect(headers.has('authorization')).toBe(false);
    expect(session).toEqual({
      issuer: ISSUER,
      clientId: CLIENT,
      account: { sub: 'alice', name: 'Alice (userinfo)', email: 'alice@example.test' },
      identity: { iss: ISSUER, sub: 'alice', aud: CLIENT },
      refreshToken: 'rt-value',
      accessToken: 'at-value',
      accessTokenExpiresAt: NOW + 300_000,
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      receivedAt: NOW,
    });
    expect(recorded.userinfo).toBe(1);
    expect(provider.http.lastServerTime()?.skewSeconds).toBe(0);
    expect(logger.text()).not.toMatch(/at-value|rt-value|auth-code-value/);
  });

  it('C1 an ID token with another nonce is rejected (id_token_invalid)', async () => {
    const { result, recorded } = await exchangeWith({ token: async () => tokens(await idToken({ nonce: 'replayed-nonce' })) });
    await expect(result).rejects.toMatchObject({ name: 'AuthError', code: 'id_token_invalid' });
    expect(recorded.userinfo).toBe(0);
  });

  it('C1 an ID token without nonce is rejected', async () => {
    const { result } = await exchangeWith({ token: async () => tokens(await idToken({})) });
    await expect(result).rejects.toMatchObject({ name: 'AuthError', code: 'id_token_invalid' });
  });

  function withNonce(claims: (nonce: string) => Claims, omit: string[] = []) {
    return exchangeWith({ token: async ({ nonce }) => tokens(await idToken(claims(nonce), omit)) });
  }

  it('C3 an ID token from another issuer is rejected (id_token_invalid)', async () => {
    const { result } = await withNonce((nonce) => ({ nonce, iss: 'https://evil.example' }));
    await expect(result).rejects.toMatchObject({ code: 'id_token_invalid' });
  });

  it('C3 an ID token for another audience is rejected (id_token_invalid)', async () => {
    const { result } = await withNonce((nonce) => ({ nonce, aud: 'someone-else' }));
    await expect(result).rejects.toMatchObject({ code: 'id_token_invalid' });
  });

  it('C3 an expired ID token is rejected (id_token_invalid)', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    const { result } = await withNonce((nonce) => ({ nonce, iat: past - 300, exp: past }));
    await expect(result).rejects.toMatchObject({ code: 'id_token_invalid' });
  });

  it('C3 an ID token without iat or sub, or with a non-string sub, is rejected (id_token_invalid)', async () => {
    for (const missing of ['iat', 'sub']) {
      const { result } = await withNonce((nonce) => ({ nonce }), [missing]);
      await expect(result).rejects.toMatchObject({ code: 'id_token_invalid' });
    }
    const { result } = await withNonce((nonce) => ({ nonce, sub: 42 }));
    await expect(result).rejects.toMatchObject({ code: 'id_token_invalid' });
  });

  it('a token response without an ID token is rejected (openid requires one)', async () => {
    const { result } = await exchangeWith({ token: async () => ({ access_token: 'a', token_type: 'bearer' }) });
    await expect(result).rejects.toMatchObject({ code: 'token_response_invalid' });
  });

  it('invalid_grant from the token endpoint → invalid_grant; the description is not shown', async () => {
    const { result } = await exchangeWith({
      token: async () => json({ error: 'invalid_grant', error_description: 'code replayed by evil' }, 400),
    });
    const error = await result.catch((e) => e);
    expect(error.code).toBe('invalid_grant');
    expect(error.message).not.toContain('evil');
  });

  it('C6 UserInfo for another subject ends the sign-in (userinfo_sub_mismatch)', async () => {
    const { result } = await withNonceAndUserinfo({ sub: 'mallory', name: 'Mallory' });
    await expect(result).rejects.toMatchObject({ code: 'userinfo_sub_mismatch' });
  });

  function withNonceAndUserinfo(userinfo: Claims | Response) {
    return exchangeWith({ token: async ({ nonce }) => tokens(await idToken({ nonce })), userinfo: () => userinfo });
  }

  it('C6 UserInfo refused (401 invalid_token, e.g. a resource-bound token) → ID token claims, silently', async () => {
    const { result, logger } = await withNonceAndUserinfo(
      new Response(null, { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } }),
    );
    const session = await result;
    expect(session.account).toEqual({ sub: 'alice', name: 'Alice (ID token)' });
    expect(logger.lines.some((l) => l.level === 'warn' && /userinfo/.test(l.message))).toBe(true);
  });

  it('RFC 8707 with resource indicators the resource param is sent and UserInfo is not called', async () => {
    const run = await exchangeWith(
      { token: async ({ nonce }) => tokens(await idToken({ nonce }), { scope: 'api:read' }) },
      { resource: 'https://api.example' },
    );
    const session = await run.result;
    expect(run.recorded.token[0]!.body.getAll('resource')).toEqual(['https://api.example']);
    expect(run.recorded.userinfo).toBe(0);
    expect(session.account.name).toBe('Alice (ID token)');
    expect(session.scopes).toEqual(['api:read']);
  });
});

/** A processed refresh response, as the session helper will have it. */
async function processedRefresh(body: Claims): Promise<oauth.TokenEndpointResponse> {
  return oauth.processRefreshTokenResponse({ issuer: ISSUER, id_token_signing_alg_values_supported: ['RS256'] }, { client_id: CLIENT }, json(body));
}

describe('exchange: sessionFromTokenResponse (the refresh path)', () => {
  const config = validateConfig({ issuer: ISSUER, clientId: CLIENT });
  const provider = { as: { issuer: ISSUER }, client: { client_id: CLIENT } };
  const previous = sampleSession({ issuer: ISSUER, clientId: CLIENT, identity: { iss: ISSUER, sub: 'alice', aud: CLIENT } });

  it('K15 a refresh response without refresh_token keeps the previous one; no scope keeps the previous scopes', async () => {
    const response = await processedRefresh({ access_token: 'new-at', token_type: 'bearer', expires_in: 60 });
    const session = sessionFromTokenResponse(config, provider, response, { previous, receivedAt: NOW });
    expect(session.refreshToken).toBe(previous.refreshToken);
    expect(session.accessToken).toBe('new-at');
    expect(session.accessTokenExpiresAt).toBe(NOW + 60_000);
    expect(session.scopes).toEqual(previous.scopes);
    expect(session.account).toEqual(previous.account);
    expect(session.identity).toEqual(previous.identity);
  });

  it('K8 expiry is receipt time + expires_in; none when expires_in is absent', async () => {
    const response = await processedRefresh({ access_token: 'a', token_type: 'bearer', refresh_token: 'rotated', scope: 'openid' });
    const session = sessionFromTokenResponse(config, provider, response, { previous, receivedAt: NOW });
    expect(session.accessTokenExpiresAt).toBeNull();
    expect(session.refreshToken).toBe('rotated');
    expect(session.scopes).toEqual(['openid']);
  });

  it('C5 a refreshed ID token for the same iss/sub/aud is accepted and updates the profile', async () => {
    const response = await processedRefresh({
      access_token: 'a',
      token_type: 'bearer',
      id_token: await idToken({ name: 'Alice Renamed' }),
    });
    const session = sessionFromTokenResponse(config, provider, response, { previous, receivedAt: NOW });
    expect(session.account).toEqual({ sub: 'alice', name: 'Alice Renamed', email: previous.account.email });
  });

  it('C5 a refreshed ID token for another subject → subject_changed', async () => {
    const response = await processedRefresh({ access_token: 'a', token_type: 'bearer', id_token: await idToken({ sub: 'mallory' }) });
    expect(() => sessionFromTokenResponse(config, provider, response, { previous, receivedAt: NOW })).toThrow(
      expect.objectContaining({ code: 'subject_changed' }),
    );
  });

  it('C5 a refreshed ID token with another audience set → subject_changed', async () => {
    const response = await processedRefresh({
      access_token: 'a',
      token_type: 'bearer',
      id_token: await idToken({ aud: [CLIENT, 'other-app'], azp: CLIENT }),
    });
    expect(() => sessionFromTokenResponse(config, provider, response, { previous, receivedAt: NOW })).toThrow(
      expect.objectContaining({ code: 'subject_changed' }),
    );
  });

  it('a new session without an ID token is refused', async () => {
    const response = await processedRefresh({ access_token: 'a', token_type: 'bearer' });
    expect(() => sessionFromTokenResponse(config, provider, response, { previous: null, receivedAt: NOW })).toThrow(
      expect.objectContaining({ code: 'token_response_invalid' }),
    );
  });
});
