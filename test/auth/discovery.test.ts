/**
 * main/auth/discovery.ts against small metadata servers on 127.0.0.1 (the bench provider is used in
 * signin.e2e.test.ts): issuer pinning (S6), https endpoints (S7), PKCE S256, leniency, the RFC 8414
 * fallback and the offline cache (K18).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../main/auth/config';
import { discoverProvider } from '../../main/auth/discovery';
import { systemClock } from '../../main/platform/ports';
import { memorySettings, recordingLogger } from './fixtures';

interface MetadataServer {
  origin: string;
  requests: string[];
  close(): Promise<void>;
}

const servers: MetadataServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** Serves `documents[path]` as JSON, 404 elsewhere. `documents` may use {origin}. */
async function metadataServer(documents: (origin: string) => Record<string, unknown>): Promise<MetadataServer> {
  const requests: string[] = [];
  let docs: Record<string, unknown> = {};
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = docs[req.url ?? ''];
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  docs = documents(origin);
  const handle: MetadataServer = {
    origin,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  servers.push(handle);
  return handle;
}

function metadata(issuer: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    userinfo_endpoint: `${issuer}/me`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic'],
    authorization_response_iss_parameter_supported: true,
    ...overrides,
  };
}

function deps() {
  return { fetch, settings: memorySettings(), clock: systemClock, logger: recordingLogger() };
}

const OIDC = '/.well-known/openid-configuration';
const RFC8414 = '/.well-known/oauth-authorization-server';

describe('discovery', () => {
  it('N10 discovers a provider: public client (client_id only, auth method none), metadata cached', async () => {
    const s = await metadataServer((o) => ({ [OIDC]: metadata(o) }));
    const config = validateConfig({ issuer: s.origin, clientId: 'desktop' });
    const d = deps();
    const provider = await discoverProvider(config, d);
    expect(provider.fromCache).toBe(false);
    expect(provider.as.token_endpoint).toBe(`${s.origin}/token`);
    expect(provider.as.authorization_response_iss_parameter_supported).toBe(true);
    expect(provider.client).toEqual({ client_id: 'desktop' });
    expect(Object.keys(provider.client)).not.toContain('client_secret');
    // None(): the client authentication adds only client_id to the body, no header, no secret.
    const body = new URLSearchParams();
    const headers = new Headers();
    await provider.clientAuth(provider.as, provider.client, body, headers);
    expect([...body.keys()]).toEqual(['client_id']);
    expect(headers.has('authorization')).toBe(false);
    expect(d.settings.data.discoveryCache[s.origin]?.metadata.issuer).toBe(s.origin);
    expect(d.logger.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('S6 discovery whose issuer differs from the configured one is refused and not cached', async () => {
    const s = await metadataServer(() => ({ [OIDC]: metadata('http://127.0.0.1:1') }));
    const config = validateConfig({ issuer: s.origin, clientId: 'desktop' });
    const d = deps();
    await expect(discoverProvider(config, d)).rejects.toMatchObject({ name: 'AuthError', code: 'issuer_mismatch' });
    expect(d.settings.data.discoveryCache).toEqual({});
    // no fallback to the RFC 8414 location after a mismatch
    expect(s.requests).toEqual([OIDC]);
  });

  it('falls back to RFC 8414 metadata when there is no OIDC document (issuer with a path)', async () => {
    const s = await metadataServer((o) => ({ [`${RFC8414}/tenant`]: metadata(`${o}/tenant`) }));
    const config = validateConfig({ issuer: `${s.origin}/tenant`, clientId: 'desktop' });
    const provider = await discoverProvider(config, deps());
    expect(provider.as.issuer).toBe(`${s.origin}/tenant`);
    expect(s.requests).toEqual([`/tenant${OIDC}`, `${RFC8414}/tenant`]);
  });

  it('no metadata at either location → discovery_failed naming both', async () => {
    const s = await metadataServer(() => ({}));
    const config = validateConfig({ issuer: s.origin, clientId: 'desktop' });
    const error = await discoverProvider(config, deps()).catch((e) => e);
    expect(error.code).toBe('discovery_failed');
    expect(error.message).toMatch(/openid-configuration and \/\.well-known\/oauth-authorization-server/);
  });

  it('lenient: missing "none", refresh_token grant and code_challenge_methods_supported only warn', async () => {
    const s = await metadataServer((o) => ({
      [OIDC]: metadata(o, {
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
        grant_types_supported: ['authorization_code'],
        code_challenge_methods_supported: undefined,
      }),
    }));
    const config = validateConfig({ issuer: s.origin, clientId: 'desktop' });
    const d = deps();
    const provider = await discoverProvider(config, d);
    expect(provider.as.issuer).toBe(s.origin);
    const warnings = d.logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warnings).toHaveLength(3);
    expect(warnings.join('\n')).toMatch(/code_challenge_methods_supported/);
    expect(warnings.join('\n')).toMatch(/omits "none"/);
    expect(warnings.join('\n')).toMatch(/omits refresh_token/);
  });

  it('N2 strict: code_challenge_methods_supported without S256 → provider_unsupported', async () => {
    const s = await metadataServer((o) => ({ [OIDC]: metadata(o, { code_challenge_methods_supported: ['plain'] }) }));
    const config = validateConfig({ issuer: s.origin, clientId: 'desktop' });
    await expect(discoverProvider(config, deps())).rejects.toMatchObject({ code: 'provider_unsupported' });
  });

  it('S7 an endpoint on http outside loopback is refused, even for a loopback dev issuer', async () => {
    const s = await metadataServer((o) => ({ [OIDC]: metadata(o, { token_endpoint: 'http://auth.example/token' }) }));
    const config = validateConfig({ issuer: s.origin, clientId: 'desktop' });
    const d = deps();
    const error = await discoverProvider(config, d).catch((e) => e);
    expect(error.code).toBe('insecure_endpoint');
    expect(error.message).toMatch(/token_endpoint \(http:\/\/auth\.example\) is not https/);
    expect(d.settings.data.discoveryCache).toEqual({});
  });

  it('S7 an https issuer whose metadata lists an http endpoint is refused (fault injected at the fetch port)', async () => {
    const issuer = 'https://id.example.com';
    const fakeFetch = async () =>
      new Response(JSON.stringify(metadata(issuer, { userinfo_endpoint: 'http://127.0.0.1:9/me' })), {
        headers: { 'content-type': 'application/json' },
      });
    const config = validateConfig({ issuer, clientId: 'desktop' });
    expect(config.insecureLoopbackIssuer).toBe(false);
    await expect(discoverProvider(config, { ...deps(), fetch: fakeFetch })).rejects.toMatchObject({ code: 'insecure_endpoint' });
  });

  it('S7 an http issuer that is not loopback never reaches discovery: the configuration refuses it', () => {
    expect(() => validateConfig({ issuer: 'http://id.example.com', clientId: 'desktop' })).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    );
  });

  it('K18 provider unreachable → the cached, issuer-pinned metadata is used (fromCache: true)', async () => {
    const s = await metadataServer((o) => ({ [OIDC]: metadata(o) }));
    const config = validateConfig({ issuer: s.origin, clientId: 'desktop' });
    const d = deps();
    await discoverProvider(config, d);
    await s.close();
    servers.length = 0;
    const offline = await discoverProvider(config, d);
    expect(offline.fromCache).toBe(true);
    expect(offline.as.token_endpoint).toBe(`${s.origin}/token`);
    expect(d.logger.lines.some((l) => l.level === 'warn' && l.fields?.code === 'network')).toBe(true);
  });

  it('K18/S6 a cached document naming another issuer is not used; the network error is reported', async () => {
    const s = await metadataServer(() => ({}));
    const config = validateConfig({ issuer: s.origin, clientId: 'desktop' });
    await s.close();
    servers.length = 0;
    const settings = memorySettings({
      discoveryCache: { [s.origin]: { metadata: metadata('http://127.0.0.1:1'), fetchedAt: 0 } },
    });
    const error = await discoverProvider(config, { ...deps(), settings }).catch((e) => e);
    expect(error.code).toBe('network');
  });

  it('K18 a provider that answers 404 is not "offline": the cache is not used', async () => {
    const s = await metadataServer(() => ({}));
    const config = validateConfig({ issuer: s.origin, clientId: 'desktop' });
    const settings = memorySettings({ discoveryCache: { [s.origin]: { metadata: metadata(s.origin), fetchedAt: 0 } } });
    await expect(discoverProvider(config, { ...deps(), settings })).rejects.toMatchObject({ code: 'discovery_failed' });
  });
});
