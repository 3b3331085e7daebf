/**
 * The issue-6 commands through the real CLI composition root (`runCli` in main/cli.ts, the same
 * function `npm run cli` runs): `--client-secret` refused before anything else, `doctor` exit codes,
 * `token --client-credentials` caching across runs in the real keychain, `call --client-credentials`
 * reaching the demo API, `login --device` refused while the device flow is off.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli';
import { type ResourceServer, startTestApi } from '../support/api';
import { openTestKeychain, type TestKeychain } from '../support/keyring';
import { capturedIo } from '../support/output-capture';
import { CLI_CLIENT, type DevProvider, startTestProvider } from '../support/provider';

let provider: DevProvider | undefined;
let api: ResourceServer | undefined;
let keychain: TestKeychain | undefined;
let home: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'issue6-cli-'));
});
afterEach(async () => {
  await api?.close();
  api = undefined;
  await provider?.close();
  provider = undefined;
  await keychain?.cleanup();
  keychain = undefined;
  rmSync(home, { recursive: true, force: true });
});

async function cli(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const { out, io } = capturedIo(`test/cli/issue6-commands.test.ts: CLI \`${argv[0]}\``);
  const code = await runCli({
    argv,
    env: { XDG_CONFIG_HOME: home, ...env },
    io,
    signal: new AbortController().signal,
    stdin: process.stdin,
    stdoutIsTerminal: false,
  });
  return { code, ...out };
}

describe('--client-secret on the command line', () => {
  it.each([
    ['token', '--client-credentials', '--client-secret', 's3cr3t-value'],
    ['token', '--client-credentials', '--client-secret=s3cr3t-value'],
    ['login', '--client_secret=s3cr3t-value'],
  ])('is refused with the reason, exit 2, before any request: %s %s %s', async (...argv) => {
    provider = await startTestProvider({ extraClients: ['cli'] });
    const result = await cli([...argv, '--issuer', provider.issuer, '--client-id', CLI_CLIENT.client_id]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/shell history/);
    expect(result.stderr).toMatch(/process list/);
    expect(result.stderr).not.toContain('s3cr3t-value');
    expect(provider.counts.token + provider.counts.discovery).toBe(0);
  });
});

describe('doctor [--json]', () => {
  it('exit 0 for the native client, 1 for the `web` one; --json is the report', async () => {
    provider = await startTestProvider({ extraClients: ['web'] });
    const ok = await cli(['doctor', '--issuer', provider.issuer, '--client-id', provider.clientId]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^Verdict: a native app can sign in/m);

    const web = await cli(['doctor', '--issuer', provider.issuer, '--client-id', 'oauth-desktop-web']);
    expect(web.code).toBe(1);
    expect(web.stdout).toMatch(/^✗ Loopback redirect, any port/m);

    const json = await cli(['doctor', '--json', '--issuer', provider.issuer, '--client-id', 'oauth-desktop-web']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ verdict: { canSignIn: false } });
  });
});

describe('token / call --client-credentials', () => {
  it('token: second run takes the keychain cache (one token request); call reaches the demo API', async () => {
    provider = await startTestProvider({ extraClients: ['cli'] });
    api = await startTestApi(provider);
    keychain = await openTestKeychain('issue6-cli');
    const flags = [
      '--issuer',
      provider.issuer,
      '--client-id',
      CLI_CLIENT.client_id,
      '--keychain-service',
      keychain.service,
      '--resource',
      provider.resource,
      '--scope',
      'openid api:read',
      '--api-origins',
      api.origin,
    ];
    const env = { OAUTH_CLIENT_SECRET: String(CLI_CLIENT.client_secret) };
    const first = await cli(['token', '--client-credentials', '--json', ...flags], env);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ source: 'provider', scopes: ['api:read'] });
    const second = await cli(['token', '--client-credentials', '--json', ...flags], env);
    expect(JSON.parse(second.stdout)).toMatchObject({ source: 'keychain' });
    expect(provider.counts.token).toBe(1);

    const call = await cli(['call', '--client-credentials', `${api.origin}/me`, ...flags], env);
    expect(call.code).toBe(0);
    expect(call.stderr).toMatch(/HTTP 200/);
    expect(JSON.parse(call.stdout)).toMatchObject({ clientId: CLI_CLIENT.client_id });
    expect(provider.counts.token).toBe(1);
  });
});

describe('login --device', () => {
  it('exit 2 with the phishing reason while the device flow is off', async () => {
    provider = await startTestProvider();
    const result = await cli(['login', '--device', '--issuer', provider.issuer, '--client-id', provider.clientId]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('RFC 8628 §5.4');
    expect(provider.counts.device_authorization).toBe(0);
  });
});
