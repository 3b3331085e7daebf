/**
 * The bench provider and demo API without a browser: configuration switches, extra clients, the
 * API's token checks, and the offline/fault controls of the API.
 */
import * as oauth from 'oauth4webapi';
import { afterEach, describe, expect, it } from 'vitest';
import { type ResourceServer, startTestApi } from '../support/api';
import { CLI_CLIENT, type DevProvider, NO_DEVICE_CLIENT, startTestProvider } from '../support/provider';
import { discover, INSECURE_LOOPBACK } from '../support/reference-client';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function bench(opts: Parameters<typeof startTestProvider>[0] = {}) {
  const provider = await startTestProvider({ extraClients: ['cli', 'no-device'], ...opts });
  cleanups.push(() => provider.close());
  const api = await startTestApi(provider);
  cleanups.push(() => api.close());
  return { provider, api };
}

/** A client-credentials token for the demo API (no user, no browser). */
async function cliToken(provider: DevProvider, scope: string): Promise<string> {
  const as = await discover(provider.issuer);
  const client = { client_id: CLI_CLIENT.client_id };
  const response = await oauth.clientCredentialsGrantRequest(
    as,
    client,
    oauth.ClientSecretBasic(CLI_CLIENT.client_secret as string),
    { scope, resource: provider.resource },
    INSECURE_LOOPBACK,
  );
  return (await oauth.processClientCredentialsResponse(as, client, response)).access_token;
}

const get = (url: string, token?: string) =>
  fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('dev provider: configuration', () => {
  it('advertises what a native app needs by default', async () => {
    const { provider } = await bench();
    const as = await discover(provider.issuer);
    expect(as.issuer).toBe(provider.issuer);
    expect(as.code_challenge_methods_supported).toEqual(['S256']);
    expect(as.authorization_response_iss_parameter_supported).toBe(true);
    expect(as.revocation_endpoint).toBe(`${provider.issuer}/token/revocation`);
    expect(as.introspection_endpoint).toBeTypeOf('string');
    expect(as.device_authorization_endpoint).toBeTypeOf('string');
    expect(as.end_session_endpoint).toBeTypeOf('string');
    expect(as.response_types_supported).toEqual(['code']);
    expect(as.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code']),
    );
  });

  it('switches features off', async () => {
    const { provider } = await bench({
      features: {
        revocation: false,
        introspection: false,
        deviceFlow: false,
        endSession: false,
        pkceAdvertised: false,
        iss: false,
      },
    });
    const as = await discover(provider.issuer);
    expect(as.revocation_endpoint).toBeUndefined();
    expect(as.introspection_endpoint).toBeUndefined();
    expect(as.device_authorization_endpoint).toBeUndefined();
    expect(as.end_session_endpoint).toBeUndefined();
    expect(as.code_challenge_methods_supported).toBeUndefined();
    expect(as.authorization_response_iss_parameter_supported).toBeUndefined();
  });

  it('listens on a given port and names the issuer after it', async () => {
    const first = await startTestProvider();
    const port = first.port;
    await first.close();
    const provider = await startTestProvider({ port });
    cleanups.push(() => provider.close());
    expect(provider.issuer).toBe(`http://127.0.0.1:${port}`);
  });

  it('refuses the device grant to a client without it', async () => {
    const { provider } = await bench();
    const as = await discover(provider.issuer);
    const client = { client_id: NO_DEVICE_CLIENT.client_id };
    const response = await oauth.deviceAuthorizationRequest(as, client, oauth.None(), { scope: 'openid' }, INSECURE_LOOPBACK);
    const error = await oauth.processDeviceAuthorizationResponse(as, client, response).catch((e: unknown) => e);
    // oidc-provider answers invalid_request ("…device_code is not allowed for this client").
    expect(error).toBeInstanceOf(oauth.ResponseBodyError);
    expect((error as oauth.ResponseBodyError).status).toBe(400);
    expect((error as oauth.ResponseBodyError).error).toBe('invalid_request');
  });

  it('issues JWT access tokens for the demo API to the confidential CLI client', async () => {
    const { provider, api } = await bench();
    const token = await cliToken(provider, 'api:read');
    const [header] = token.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
    const res = await get(`${api.origin}/items`, token);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { items: unknown[] }).items.length).toBeGreaterThan(0);
  });
});

describe('demo API: token checks (RFC 6750)', () => {
  it('answers 401 without an error code when no token is sent', async () => {
    const { api } = await bench();
    const res = await get(`${api.origin}/me`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="demo-api"');
    expect(api.outcomes.noToken).toBe(1);
  });

  it('answers 403 insufficient_scope when /items is called without api:read', async () => {
    const { provider, api } = await bench();
    const token = await cliToken(provider, 'api:write');
    expect((await get(`${api.origin}/me`, token)).status).toBe(200);
    const res = await get(`${api.origin}/items`, token);
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toMatch(/error="insufficient_scope".*scope="api:read"/);
  });

  it('refuses a token signed by another bench provider (other keys, other issuer)', async () => {
    const { api } = await bench();
    const other = await bench();
    const foreign = await cliToken(other.provider, 'api:read');
    const res = await get(`${api.origin}/me`, foreign);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('refuses an expired token', async () => {
    const { provider, api } = await bench({ ttl: { accessToken: 1 } });
    const token = await cliToken(provider, 'api:read');
    expect((await get(`${api.origin}/me`, token)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const res = await get(`${api.origin}/me`, token);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token", error_description="token expired"/);
  });

  it('counts, fails on demand, and goes offline and back on the same port', async () => {
    const { provider, api } = await bench();
    const token = await cliToken(provider, 'api:read');
    api.fail('me', 502, { times: 1 });
    expect((await get(`${api.origin}/me`, token)).status).toBe(502);
    expect((await get(`${api.origin}/me`, token)).status).toBe(200);
    expect(api.counts.me).toBe(2);

    const origin = api.origin;
    await api.stop();
    await expect(get(`${origin}/me`, token).catch(() => get(`${origin}/me`, token))).rejects.toThrow();
    await api.restart();
    expect((await get(`${origin}/me`, token)).status).toBe(200);
  });
});

describe('resource server options', () => {
  it('needs a provider or an issuer and audience', async () => {
    const { startResourceServer } = await import('../support/api');
    await expect(startResourceServer({})).rejects.toThrow(/needs `provider`/);
  });

  it('can be pointed at an explicit issuer, JWKS and audience', async () => {
    const { provider } = await bench();
    const { startResourceServer } = await import('../support/api');
    const api: ResourceServer = await startResourceServer({
      issuer: provider.issuer,
      jwksUri: provider.jwksUri,
      audience: provider.resource,
      requiredScope: 'api:write',
    });
    cleanups.push(() => api.close());
    const token = await cliToken(provider, 'api:read');
    expect((await get(`${api.origin}/items`, token)).status).toBe(403);
  });
});
