/**
 * main/auth/authorize.ts: the authorization request and the redaction of its secrets. Pure: the
 * metadata is a literal (the end-to-end run against the bench is in signin.e2e.test.ts).
 */
import { inspect } from 'node:util';
import * as oauth from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import { AuthorizationSecrets, buildAuthorizationRequest } from '../../main/auth/authorize';
import { validateConfig } from '../../main/auth/config';

const ISSUER = 'https://id.example.com';
const provider = {
  as: { issuer: ISSUER, authorization_endpoint: `${ISSUER}/authorize?tenant=acme`, token_endpoint: `${ISSUER}/token` },
  client: { client_id: 'desktop' },
};
const REDIRECT = 'http://127.0.0.1:49152/callback';
const config = validateConfig({ issuer: ISSUER, clientId: 'desktop' });

describe('authorize: the request', () => {
  it('N2 carries an S256 code_challenge of the kept verifier; never plain', async () => {
    const pending = await buildAuthorizationRequest(config, provider, { redirectUri: REDIRECT });
    const url = new URL(pending.url);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toBe(await oauth.calculatePKCECodeChallenge(pending.secrets.codeVerifier));
    expect(url.searchParams.get('code_challenge')).not.toBe(pending.secrets.codeVerifier);
    expect(pending.secrets.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/); // RFC 7636 §4.1
  });

  it('N8 C1 fresh high-entropy state, nonce and verifier for every request', async () => {
    const seen = { state: new Set<string>(), nonce: new Set<string>(), verifier: new Set<string>() };
    for (let i = 0; i < 20; i++) {
      const pending = await buildAuthorizationRequest(config, provider, { redirectUri: REDIRECT });
      const url = new URL(pending.url);
      expect(url.searchParams.get('state')).toBe(pending.secrets.state);
      expect(url.searchParams.get('nonce')).toBe(pending.secrets.nonce);
      seen.state.add(pending.secrets.state);
      seen.nonce.add(pending.secrets.nonce);
      seen.verifier.add(pending.secrets.codeVerifier);
      // 32 random bytes, base64url: 256 bits each
      expect(pending.secrets.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(pending.secrets.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
    expect(seen.state.size).toBe(20);
    expect(seen.nonce.size).toBe(20);
    expect(seen.verifier.size).toBe(20);
  });

  it('N9 N10 N11 response_type=code only, exact redirect_uri, client_id only, scope; endpoint query kept', async () => {
    const pending = await buildAuthorizationRequest(config, provider, { redirectUri: REDIRECT });
    const url = new URL(pending.url);
    expect(url.origin + url.pathname).toBe(`${ISSUER}/authorize`);
    expect(url.searchParams.get('tenant')).toBe('acme');
    expect(url.searchParams.getAll('response_type')).toEqual(['code']);
    expect(url.searchParams.getAll('redirect_uri')).toEqual([REDIRECT]);
    expect(pending.redirectUri).toBe(REDIRECT);
    expect(url.searchParams.get('client_id')).toBe('desktop');
    expect(url.searchParams.has('client_secret')).toBe(false);
    expect(url.searchParams.has('response_mode')).toBe(false);
    expect(url.searchParams.get('scope')).toBe('openid profile email offline_access');
  });

  it('RFC 8707 one resource parameter per configured resource', async () => {
    const withResources = validateConfig({ issuer: ISSUER, clientId: 'desktop', resource: 'https://api.one https://api.two' });
    const pending = await buildAuthorizationRequest(withResources, provider, { redirectUri: REDIRECT });
    expect(new URL(pending.url).searchParams.getAll('resource')).toEqual(['https://api.one', 'https://api.two']);
    expect(pending.resources).toEqual(['https://api.one', 'https://api.two']);
  });

  it('prompt=consent on every request that asks for offline_access (OIDC Core §11), never without it', async () => {
    const first = await buildAuthorizationRequest(config, provider, { redirectUri: REDIRECT });
    expect(new URL(first.url).searchParams.get('prompt')).toBe('consent');
    expect(first.promptConsent).toBe(true);
    // A later sign-in asks again: strict providers drop offline_access without it (no refresh token).
    const later = await buildAuthorizationRequest(config, provider, { redirectUri: REDIRECT });
    expect(new URL(later.url).searchParams.get('prompt')).toBe('consent');
    const online = validateConfig({ issuer: ISSUER, clientId: 'desktop', scope: 'openid profile' });
    const onlineReq = await buildAuthorizationRequest(online, provider, { redirectUri: REDIRECT });
    expect(new URL(onlineReq.url).searchParams.has('prompt')).toBe(false);
    expect(onlineReq.offlineRequested).toBe(false);
  });

  it('uses pre-generated secrets when given (the receiver needs state first)', async () => {
    const secrets = new AuthorizationSecrets();
    const pending = await buildAuthorizationRequest(config, provider, { redirectUri: REDIRECT, secrets });
    expect(pending.secrets).toBe(secrets);
    expect(new URL(pending.url).searchParams.get('state')).toBe(secrets.state);
  });

  it('S7 a non-https authorization endpoint is refused before any URL is built', async () => {
    const insecure = { ...provider, as: { ...provider.as, authorization_endpoint: 'http://id.example.com/authorize' } };
    await expect(
      buildAuthorizationRequest(config, insecure, { redirectUri: REDIRECT }),
    ).rejects.toMatchObject({ code: 'insecure_endpoint' });
  });
});

describe('authorize: redaction by construction (T4)', () => {
  it('T4 JSON, inspect and string forms of the pending request and its secrets show no secret', async () => {
    const pending = await buildAuthorizationRequest(config, provider, { redirectUri: REDIRECT });
    const secretValues = [
      pending.secrets.state,
      pending.secrets.nonce,
      pending.secrets.codeVerifier,
      new URL(pending.url).searchParams.get('code_challenge')!,
    ];
    const renderings = [
      JSON.stringify(pending),
      JSON.stringify({ nested: { pending, secrets: pending.secrets } }),
      inspect(pending, { depth: 10, showHidden: true }),
      inspect(pending.secrets, { depth: 10, showHidden: true }),
      inspect({ pending }, { depth: 10 }),
      String(pending),
      `${pending.secrets}`,
      Object.keys(pending).join(','),
    ];
    for (const text of renderings) {
      for (const secret of secretValues) expect(text).not.toContain(secret);
    }
    expect(JSON.parse(JSON.stringify(pending))).toMatchObject({ redirectUri: REDIRECT, url: '[redacted]', secrets: '[redacted]' });
  });
});
