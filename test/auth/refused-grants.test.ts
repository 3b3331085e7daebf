/**
 * The implicit and password grants are refused (RFC 9700 §2.1.2, §2.4, CHECKLIST N11): configuring
 * one — by environment, flag or config file — is a `grant_refused` error that says why and which
 * flow to use instead. And no code path can send them: the product source never builds
 * `response_type=token` or `grant_type=password`, and the requests it really sends (authorization
 * URL, doctor probe, device and client-credentials grants) carry only the grants it means.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildAuthorizationRequest } from '../../main/auth/authorize';
import { createClientCredentialsClient } from '../../main/auth/client-credentials';
import { loadConfig, validateConfig } from '../../main/auth/config';
import { startDeviceSignIn } from '../../main/auth/device';
import { discoverProvider } from '../../main/auth/discovery';
import { runDoctor } from '../../main/auth/doctor';
import { AuthError } from '../../main/auth/errors';
import { type FetchLike, type SecretStore, systemClock } from '../../main/platform/ports';
import { CLI_CLIENT, type DevProvider, startTestProvider } from '../support/provider';
import { memorySettings, recordingLogger } from './fixtures';

const root = join(import.meta.dirname, '../..');
const BASE = { issuer: 'https://id.example.com', clientId: 'oauth-desktop' };

function refusal(run: () => unknown): AuthError {
  try {
    run();
  } catch (error) {
    if (error instanceof AuthError) return error;
    throw error;
  }
  throw new Error('expected an AuthError');
}

describe('configuring the implicit grant', () => {
  it.each(['implicit', 'token', 'id_token token', 'IMPLICIT'])('grant "%s" → grant_refused citing RFC 9700 §2.1.2, pointing to code + PKCE', (grant) => {
    const error = refusal(() => validateConfig({ ...BASE, grant }));
    expect(error.code).toBe('grant_refused');
    expect(error.message).toContain('RFC 9700 §2.1.2');
    expect(error.message).toMatch(/implicit grant is not supported/);
    expect(error.message).toMatch(/browser URL/);
    expect(error.message).toMatch(/Use the authorization code grant with PKCE/);
  });

  it('from the environment (OAUTH_GRANT) and from the config file alike', () => {
    expect(refusal(() => loadConfig({ env: { OAUTH_ISSUER: BASE.issuer, OAUTH_CLIENT_ID: 'x', OAUTH_GRANT: 'implicit' } })).code).toBe('grant_refused');
    const dir = mkdtempSync(join(tmpdir(), 'refused-grant-'));
    try {
      const file = join(dir, 'config.json');
      writeFileSync(file, JSON.stringify({ ...BASE, grant: 'implicit' }));
      expect(refusal(() => loadConfig({ file })).code).toBe('grant_refused');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('configuring the password grant', () => {
  it.each(['password', 'ropc', 'resource_owner_password'])('grant "%s" → grant_refused citing RFC 9700 §2.4, naming the flows to use', (grant) => {
    const error = refusal(() => validateConfig({ ...BASE, grant }));
    expect(error.code).toBe('grant_refused');
    expect(error.message).toContain('RFC 9700 §2.4');
    expect(error.message).toMatch(/password grant is not supported/);
    expect(error.message).toMatch(/MFA/);
    expect(error.message).toMatch(/authorization code grant with PKCE/);
    expect(error.message).toMatch(/device grant/);
  });

  it('as a command-line flag too (flags win over a valid environment value)', () => {
    const error = refusal(() =>
      loadConfig({ flags: { grant: 'password' }, env: { OAUTH_ISSUER: BASE.issuer, OAUTH_CLIENT_ID: 'x', OAUTH_GRANT: 'authorization_code' } }),
    );
    expect(error.code).toBe('grant_refused');
  });
});

describe('the grants the app does offer', () => {
  it('authorization_code (default) and device_code are accepted; client_credentials is pointed to the CLI', () => {
    expect(() => validateConfig({ ...BASE, grant: 'authorization_code' })).not.toThrow();
    expect(() => validateConfig({ ...BASE, grant: 'urn:ietf:params:oauth:grant-type:device_code' })).not.toThrow();
    const cc = refusal(() => validateConfig({ ...BASE, grant: 'client_credentials' }));
    expect(cc.code).toBe('config_invalid');
    expect(cc.message).toContain('token --client-credentials');
  });
});

describe('no code path sends response_type=token or grant_type=password', () => {
  /** Every product source file: what ships in the app or the CLI (not tests, not the bench). */
  function productSources(): Array<{ path: string; text: string }> {
    const files: Array<{ path: string; text: string }> = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) {
          if (name !== 'node_modules') walk(path);
        } else if (/\.(ts|tsx|js|mjs|cjs|html)$/.test(name)) {
          files.push({ path: relative(root, path), text: readFileSync(path, 'utf8') });
        }
      }
    };
    for (const dir of ['main', 'preload', 'renderer']) walk(join(root, dir));
    return files;
  }

  it('the product source never builds them', () => {
    const files = productSources();
    expect(files.length).toBeGreaterThan(20);
    const forbidden = [
      /response_type=(token|id_token)/,
      /response_type['"]?\s*[,:]\s*['"`](token|id_token)/,
      /grant_type=password/,
      /grant_type['"]?\s*[,:]\s*['"`]password/,
      /(genericGrantRequest|genericTokenEndpointRequest)\s*\([^)]*['"`]password['"`]/s,
    ];
    const hits = files.flatMap((f) => forbidden.filter((re) => re.test(f.text)).map((re) => `${f.path}: ${re}`));
    expect(hits).toEqual([]);
    // Every place that sets response_type sets "code".
    const setters = files.flatMap((f) => [...f.text.matchAll(/set\(\s*['"]response_type['"]\s*,\s*([^)]*)\)/g)].map((m) => `${f.path}: ${m[1]}`));
    expect(setters.length).toBeGreaterThan(0);
    expect(setters.filter((s) => !/: ['"]code['"]$/.test(s))).toEqual([]);
  });

  describe('against the bench', () => {
    let provider: DevProvider | undefined;
    afterEach(async () => {
      await provider?.close();
      provider = undefined;
    });

    it('the authorization URL the product builds has exactly one response_type, "code", with S256 PKCE', async () => {
      provider = await startTestProvider();
      const config = validateConfig({ issuer: provider.issuer, clientId: provider.clientId });
      const discovered = await discoverProvider(config, { fetch, settings: memorySettings(), clock: systemClock, logger: recordingLogger() });
      const pending = await buildAuthorizationRequest(config, discovered, { redirectUri: 'http://127.0.0.1:5000/callback' });
      const url = new URL(pending.url);
      expect(url.searchParams.getAll('response_type')).toEqual(['code']);
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    });

    it('every request the product sends carries only the grants it means (doctor, device, client credentials)', async () => {
      provider = await startTestProvider({ extraClients: ['cli'] });
      const sent: string[] = [];
      const recording: FetchLike = (input, init) => {
        sent.push(String(input));
        if (init?.body) sent.push(String(init.body));
        return fetch(input, init);
      };
      const config = validateConfig({ issuer: provider.issuer, clientId: provider.clientId, deviceFlow: '1' });
      await runDoctor(config, { fetch: recording });

      const discovered = await discoverProvider(config, { fetch: recording, settings: memorySettings(), clock: systemClock, logger: recordingLogger() });
      const device = await startDeviceSignIn({ config, provider: discovered, sleep: async () => {} }, { intervalMs: 0 });
      while (provider.counts.token < 2) await new Promise((resolve) => setTimeout(resolve, 10));
      device.cancel();
      await device.result.catch(() => {});

      const noSecrets: SecretStore = {
        backend: 'memory',
        get: async () => null,
        set: async () => {},
        delete: async () => false,
      };
      const ccConfig = validateConfig({ issuer: provider.issuer, clientId: CLI_CLIENT.client_id });
      await createClientCredentialsClient(ccConfig, {
        fetch: recording,
        secrets: noSecrets,
        settings: memorySettings(),
        env: { OAUTH_CLIENT_SECRET: String(CLI_CLIENT.client_secret) },
      }).getToken();

      // Boolean checks: request bodies carry a device_code, which a failure message must not print.
      const wire = sent.join('\n');
      expect({
        codeFlow: wire.includes('response_type=code'),
        deviceGrant: wire.includes('grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code'),
        clientCredentials: wire.includes('grant_type=client_credentials'),
        implicit: /response_type=(token|id_token)/.test(wire),
        password: /grant_type=password/.test(wire),
      }).toEqual({ codeFlow: true, deviceGrant: true, clientCredentials: true, implicit: false, password: false });
    });
  });
});
