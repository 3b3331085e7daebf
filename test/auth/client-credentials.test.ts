/**
 * Client credentials (RFC 6749 §4.4) for a confidential bench client, with the real keychain: the
 * secret from OAUTH_CLIENT_SECRET or the keychain and never from argv, the access token cached in
 * memory and in the keychain until it nearly expires (proved with the bench's request counters),
 * `call` reaching the demo API with it, and the desktop app never importing any of it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CLIENT_SECRET_ENV,
  cachedTokenAccount,
  callApiWithClientCredentials,
  clientCredentialsBearer,
  clientCredentialsScopes,
  clientSecretAccount,
  createClientCredentialsClient,
  refuseSecretArguments,
} from '../../main/auth/client-credentials';
import { type AppConfig, loadConfig, validateConfig } from '../../main/auth/config';
import { AuthError } from '../../main/auth/errors';
import { clientSecretCommand } from '../../main/cli/client-secret';
import { tokenCommand } from '../../main/cli/token';
import type { Clock, SecretStore } from '../../main/platform/ports';
import { createKeytarSecretStore } from '../../main/platform/secret-store.keytar';
import { type ResourceServer, startTestApi } from '../support/api';
import { openTestKeychain, type TestKeychain } from '../support/keyring';
import { capturedIo, recordOutput } from '../support/output-capture';
import { CLI_CLIENT, type DevProvider, startTestProvider } from '../support/provider';
import { memorySettings, recordingLogger } from './fixtures';

const SECRET = String(CLI_CLIENT.client_secret);
const root = join(import.meta.dirname, '../..');

let provider: DevProvider | undefined;
let api: ResourceServer | undefined;
let keychain: TestKeychain | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
  await provider?.close();
  provider = undefined;
  await keychain?.cleanup();
  keychain = undefined;
});

interface Setup {
  provider: DevProvider;
  config: AppConfig;
  secrets: SecretStore;
  keychain: TestKeychain;
}

async function setup(configOverrides: Record<string, unknown> = {}, ttl?: { clientCredentials: number }): Promise<Setup> {
  provider = await startTestProvider({ extraClients: ['cli'], ...(ttl ? { ttl } : {}) });
  keychain = await openTestKeychain('client-credentials');
  const config = validateConfig({
    issuer: provider.issuer,
    clientId: CLI_CLIENT.client_id,
    keychainService: keychain.service,
    ...configOverrides,
  });
  return { provider, config, secrets: createKeytarSecretStore(), keychain };
}

function deps(s: Setup, extra: { env?: Record<string, string | undefined>; clock?: Clock } = {}) {
  return {
    fetch: globalThis.fetch,
    secrets: s.secrets,
    settings: memorySettings(),
    env: extra.env ?? { [CLIENT_SECRET_ENV]: SECRET },
    logger: recordingLogger(),
    ...(extra.clock ? { clock: extra.clock } : {}),
  };
}

/** CLI output, recorded for the run-wide leak check unless `record` is false (see `--raw`). */
function captureIo(record = true) {
  if (record) return capturedIo('test/auth/client-credentials.test.ts: CLI token');
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => {
      out.stdout += t;
    }, stderr: (t: string) => {
      out.stderr += t;
    } } };
}

describe('client credentials against the confidential bench client', () => {
  it('gets a token with OAUTH_CLIENT_SECRET; the second call, even from a new client (next process), makes no token request', async () => {
    const s = await setup();
    const first = await createClientCredentialsClient(s.config, deps(s)).getToken();
    expect(first.source).toBe('provider');
    expect(first.expiresAt).toBeGreaterThan(Date.now() + 200_000);
    expect(s.provider.stats.tokensIssued.client_credentials).toBe(1);
    expect(s.provider.counts.token).toBe(1);

    // Same process: memory. A new process: the keychain entry. Neither asks the provider.
    const client = createClientCredentialsClient(s.config, deps(s));
    const second = await client.getToken();
    const third = await client.getToken();
    expect([second.source, third.source]).toEqual(['keychain', 'memory']);
    expect(second.accessToken === first.accessToken && third.accessToken === first.accessToken).toBe(true);
    expect(s.provider.counts.token).toBe(1);
    expect(await s.keychain.accounts()).toEqual([cachedTokenAccount(s.config)]);
  });

  it('concurrent callers in one process share one token request', async () => {
    const s = await setup();
    const client = createClientCredentialsClient(s.config, deps(s));
    const tokens = await Promise.all([client.getToken(), client.getToken(), client.getToken()]);
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1);
    expect(s.provider.counts.token).toBe(1);
  });

  it('asks again once the cached token is in its last minute (clock injected)', async () => {
    const s = await setup({}, { clientCredentials: 120 });
    let now = Date.now();
    const clock: Clock = { now: () => now, monotonicNow: () => now };
    await createClientCredentialsClient(s.config, deps(s, { clock })).getToken();
    now += 50_000; // 70 s left: still used
    expect((await createClientCredentialsClient(s.config, deps(s, { clock })).getToken()).source).toBe('keychain');
    now += 15_000; // 55 s left: inside the 60 s margin
    expect((await createClientCredentialsClient(s.config, deps(s, { clock })).getToken()).source).toBe('provider');
    expect(s.provider.counts.token).toBe(2);
  });

  it('reads the secret from the keychain (account "client-secret <issuer> <client_id>") when the variable is unset', async () => {
    const s = await setup();
    const { out, io } = captureIo();
    const code = await clientSecretCommand(s.config, 'set', { io, secrets: s.secrets, readSecret: async () => SECRET });
    expect(code).toBe(0);
    expect(out.stdout).not.toContain(SECRET);
    expect(clientSecretAccount(s.config)).toBe(`client-secret ${s.provider.issuer} ${CLI_CLIENT.client_id}`);
    expect((await s.keychain.get(clientSecretAccount(s.config))) === SECRET).toBe(true);

    const token = await createClientCredentialsClient(s.config, deps(s, { env: {} })).getToken();
    expect(token.source).toBe('provider');
    expect(s.provider.stats.tokensIssued.client_credentials).toBe(1);

    const removed = captureIo();
    expect(await clientSecretCommand(s.config, 'delete', { io: removed.io, secrets: s.secrets, readSecret: async () => '' })).toBe(0);
    expect(await s.keychain.accounts()).toEqual([]);
  });

  it('without any secret: config_invalid naming OAUTH_CLIENT_SECRET and the keychain, and no request', async () => {
    const s = await setup();
    const error = await createClientCredentialsClient(s.config, deps(s, { env: {} }))
      .getToken()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'config_invalid' });
    expect((error as AuthError).message).toContain('OAUTH_CLIENT_SECRET');
    expect((error as AuthError).message).toContain('client-secret set');
    expect((error as AuthError).message).toMatch(/never accepted as a command-line argument/);
    expect(s.provider.counts.token).toBe(0);
  });

  it('a wrong secret: invalid_client that says what to check, without the secret', async () => {
    const s = await setup();
    const wrong = 'definitely-not-the-secret';
    const error = await createClientCredentialsClient(s.config, deps(s, { env: { [CLIENT_SECRET_ENV]: wrong } }))
      .getToken()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_client' });
    expect((error as AuthError).message).toMatch(/OAUTH_CLIENT_ID and the client secret/);
    expect(JSON.stringify(error).includes(wrong)).toBe(false);
    expect(await s.keychain.accounts()).toEqual([]);
  });

  it('asks only for non-user scopes: openid/profile/email/offline_access are dropped', () => {
    expect(clientCredentialsScopes({ scopes: ['openid', 'profile', 'email', 'offline_access'] })).toEqual([]);
    expect(clientCredentialsScopes({ scopes: ['openid', 'api:read'] })).toEqual(['api:read']);
    expect(clientCredentialsScopes({ scopes: ['openid'] }, ['api:write'])).toEqual(['api:write']);
  });
});

describe('`call` can use it', () => {
  it('clientCredentialsBearer → a JWT the demo API accepts; callApiWithClientCredentials reaches /me', async () => {
    const s = await setup();
    api = await startTestApi(s.provider);
    const config = { ...s.config, resources: [s.provider.resource], scopes: ['openid', 'api:read'], apiOrigins: [api.origin] };
    const bearer = await clientCredentialsBearer(config, deps(s));
    expect(bearer.split('.')).toHaveLength(3);

    const response = await callApiWithClientCredentials(config, deps(s), { url: `${api.origin}/items` });
    expect(response.status).toBe(200);
    const me = await callApiWithClientCredentials(config, deps(s), { url: `${api.origin}/me` });
    expect(JSON.parse(me.body)).toMatchObject({ clientId: CLI_CLIENT.client_id, scopes: ['api:read'] });
    expect(s.provider.counts.token).toBe(1); // three uses, one token request
  });

  it('an origin that is not configured is refused before any token is requested', async () => {
    const s = await setup();
    const error = await callApiWithClientCredentials(s.config, deps(s), { url: 'https://elsewhere.example/me' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'origin_not_allowed' });
    expect(s.provider.counts.token).toBe(0);
  });
});

describe('the secret is never a command-line argument', () => {
  it.each([
    ['--client-secret', 'x'],
    ['--client-secret=x'],
    ['--client_secret', 'x'],
    ['--clientSecret=x'],
    ['--secret', 'x'],
  ])('refuses %s with the reason (shell history, process list)', (...argv) => {
    const error = (() => {
      try {
        refuseSecretArguments(['token', '--client-credentials', ...argv]);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ code: 'config_invalid' });
    const message = (error as AuthError).message;
    expect(message).toMatch(/shell history/);
    expect(message).toMatch(/process list/);
    expect(message).toContain('OAUTH_CLIENT_SECRET');
    expect(message).not.toContain('=x');
  });

  it('lets ordinary flags through', () => {
    expect(() => refuseSecretArguments(['token', '--client-credentials', '--json', '--issuer', 'https://x'])).not.toThrow();
  });

  it('the config file refuses a clientSecret key too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-config-'));
    try {
      const file = join(dir, 'config.json');
      writeFileSync(file, JSON.stringify({ issuer: 'https://id.example.com', clientId: 'cli', clientSecret: 'x' }));
      expect(() => loadConfig({ file })).toThrow(AuthError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CLI `token --client-credentials`', () => {
  it('prints expiry, scope and cache source — never the token; --json likewise', async () => {
    const s = await setup();
    const first = captureIo();
    expect(await tokenCommand(s.config, { clientCredentials: true }, { ...deps(s), io: first.io, stdoutIsTerminal: true })).toBe(0);
    expect(first.out.stdout).toMatch(/^Access token for oauth-desktop-cli \(client credentials\), new from the provider; expires at /);
    const second = captureIo();
    expect(await tokenCommand(s.config, { clientCredentials: true, json: true }, { ...deps(s), io: second.io, stdoutIsTerminal: true })).toBe(0);
    const json = JSON.parse(second.out.stdout);
    expect(json).toMatchObject({ clientId: CLI_CLIENT.client_id, source: 'keychain' });
    expect(Object.keys(json).sort()).toEqual(['clientId', 'expiresAt', 'issuer', 'scopes', 'source']);

    const cached = JSON.parse((await s.keychain.get(cachedTokenAccount(s.config)))!) as { at: string };
    expect((first.out.stdout + second.out.stdout + first.out.stderr + second.out.stderr).includes(cached.at)).toBe(false);
  });

  it('--raw writes only the token for a pipe, and is refused on a terminal', async () => {
    const s = await setup();
    const tty = captureIo();
    expect(await tokenCommand(s.config, { clientCredentials: true, raw: true }, { ...deps(s), io: tty.io, stdoutIsTerminal: true })).toBe(2);
    expect(tty.out.stdout).toBe('');
    expect(s.provider.counts.token).toBe(0);

    const pipe = captureIo(false);
    expect(await tokenCommand(s.config, { clientCredentials: true, raw: true }, { ...deps(s), io: pipe.io, stdoutIsTerminal: false })).toBe(0);
    const cached = JSON.parse((await s.keychain.get(cachedTokenAccount(s.config)))!) as { at: string };
    expect(pipe.out.stdout === `${cached.at}\n`).toBe(true);
    // Printing this one token is what --raw is for: the leak check gets the output without it.
    recordOutput('test/auth/client-credentials.test.ts: CLI token --raw (its token masked)', pipe.out.stdout.replaceAll(cached.at, '<token>') + pipe.out.stderr);
  });

  it('without --client-credentials: usage error (the user session tokens are never printed)', async () => {
    const s = await setup();
    const { out, io } = captureIo();
    expect(await tokenCommand(s.config, { clientCredentials: false }, { ...deps(s), io, stdoutIsTerminal: false })).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/--client-credentials/);
  });
});

describe('the desktop app never constructs it', () => {
  it('only the CLI (main/cli.ts, main/cli/) imports main/auth/client-credentials', () => {
    const importers: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(ts|tsx|js|mjs|cjs)$/.test(name) && /client-credentials['"]/.test(readFileSync(path, 'utf8'))) {
          importers.push(relative(root, path));
        }
      }
    };
    for (const dir of ['main', 'preload', 'renderer']) walk(join(root, dir));
    expect(importers.length).toBeGreaterThan(0);
    const outsideCli = importers.filter((p) => p !== 'main/cli.ts' && !p.startsWith('main/cli/'));
    expect(outsideCli).toEqual([]);
  });
});
