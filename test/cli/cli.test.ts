/**
 * The terminal front door, as a user runs it: `tsx main/cli.ts …` in child processes (what
 * `npm run cli -- …` runs, no build step) against the bench provider and demo API, with chromium
 * playing the user's browser ($BROWSER points at test/cli/browser-relay.sh, which hands the URL to
 * the test) and the real keychain.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ResourceServer, startTestApi } from '../support/api';
import { type SystemBrowser, startSystemBrowser } from '../support/browser';
import { openTestKeychain, type TestKeychain } from '../support/keyring';
import { recordOutput } from '../support/output-capture';
import { type DevProvider, startTestProvider } from '../support/provider';

const ROOT = process.cwd();
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const CLI = join(ROOT, 'main', 'cli.ts');
const RELAY = join(ROOT, 'test', 'cli', 'browser-relay.sh');
const SCOPE = 'openid profile email offline_access api:read';

let browser: SystemBrowser;
let provider: DevProvider;
let api: ResourceServer;
let keychain: TestKeychain;
let home: string;
let relayFile: string;
/** Every byte any CLI run printed, to check no token was ever shown (T4). */
const allOutput: string[] = [];

beforeAll(async () => {
  browser = await startSystemBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function setUp(label: string): Promise<void> {
  provider = await startTestProvider();
  api = await startTestApi(provider);
  keychain = await openTestKeychain(`cli-${label}`);
  home = await mkdtemp(join(tmpdir(), 'oauth-desktop-cli-'));
  relayFile = join(home, 'browser-relay.txt');
}
/** Children still running when a test ends (a failed assertion) are killed with their group. */
const running = new Set<ChildProcess>();
afterEach(async () => {
  for (const child of running) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
  await api?.close();
  await provider?.close();
  await keychain?.cleanup();
  if (home) await rm(home, { recursive: true, force: true });
});

function baseEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    XDG_CONFIG_HOME: join(home, 'config'),
    OAUTH_ISSUER: provider.issuer,
    OAUTH_CLIENT_ID: provider.clientId,
    OAUTH_SCOPE: SCOPE,
    OAUTH_RESOURCE: provider.resource,
    OAUTH_API_ORIGINS: api.origin,
    OAUTH_KEYCHAIN_SERVICE: keychain.service,
    BROWSER: `sh ${RELAY} %s`,
    OAUTH_TEST_BROWSER_RELAY: relayFile,
    ...extra,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env;
}

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function start(args: string[], env: NodeJS.ProcessEnv = baseEnv(), command: [string, string[]] = [TSX, [CLI]]): Run {
  // Own process group, like a shell job: Ctrl-C goes to the whole group (tsx and the script).
  const child = spawn(command[0], [...command[1], ...args], { env, cwd: ROOT, detached: true });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
  });
  running.add(child);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => {
      running.delete(child);
      allOutput.push(out, err);
      recordOutput(`test/cli/cli.test.ts: CLI \`${args.join(' ')}\` stdout`, out);
      recordOutput(`test/cli/cli.test.ts: CLI \`${args.join(' ')}\` stderr`, err);
      resolve({ code, stdout: out, stderr: err });
    });
  });
  return { child, stdout: () => out, stderr: () => err, done };
}

const cli = (args: string[], env?: NodeJS.ProcessEnv) => start(args, env).done;

async function waitFor<T>(get: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `login` through $BROWSER: the relay hands us the URL, chromium signs alice in. */
async function loginThroughBrowser(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = start(['login']);
  const url = await waitFor(async () => (existsSync(relayFile) ? (await readFile(relayFile, 'utf8')).split('\n')[0] || undefined : undefined), 'the browser to be asked');
  const result = await browser.signIn(url);
  expect(result.redirected).toBe(true);
  return run.done;
}

async function storedTokens(): Promise<{ rt: string; at: string }> {
  const [account] = await keychain.accounts();
  const raw = await keychain.get(account!);
  return JSON.parse(raw!) as { rt: string; at: string };
}

describe('CLI', () => {
  it('login ($BROWSER) → status --json → call → logout, tokens in the real keychain and never printed', async () => {
    await setUp('flow');
    const login = await loginThroughBrowser();
    expect(login.stderr).not.toMatch(/Error|at .*\.ts:\d+/);
    expect(login.code).toBe(0);
    expect(login.stdout.trim()).toBe(`Signed in as Alice Liddell <alice@example.test> (sub alice) at ${provider.issuer}.`);
    expect(await keychain.accounts()).toHaveLength(1);
    const tokens = await storedTokens();

    // `npm run cli -- …` itself works (tsx, no build).
    const status = await start(['run', '-s', 'cli', '--', 'status', '--json'], baseEnv(), ['npm', []]).done;
    expect(status.code).toBe(0);
    const json = JSON.parse(status.stdout);
    expect(json).toMatchObject({
      state: 'signed-in',
      account: { sub: 'alice', name: 'Alice Liddell', email: 'alice@example.test' },
      issuer: provider.issuer,
      clientId: provider.clientId,
      accessTokenExpired: false,
      storage: { backend: 'Secret Service keyring', available: true, detail: null },
      memoryOnly: false,
      lastError: null,
      clockSkew: null,
    });
    expect(Date.parse(json.accessTokenExpiresAt)).toBeGreaterThan(Date.now());
    expect(json.scopes).toContain('api:read');

    const human = await cli(['status']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/State:\s+signed in\n/);
    expect(human.stdout).toContain('Alice Liddell <alice@example.test> (sub alice)');

    const call = await cli(['call', `${api.origin}/items`, '--header', 'Accept: application/json']);
    expect(call.code).toBe(0);
    expect(JSON.parse(call.stdout).items).toHaveLength(3);
    expect(call.stderr).toContain('HTTP 200');

    const notFound = await cli(['call', `${api.origin}/nope`]);
    expect(notFound.code).toBe(1);
    expect(notFound.stderr).toContain('HTTP 404');

    const elsewhere = await cli(['call', 'https://elsewhere.example/steal']);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr.trim().split('\n')).toHaveLength(1);
    expect(elsewhere.stderr).toContain('is not one of the API origins');

    const logout = await cli(['logout']);
    expect(logout.code).toBe(0);
    expect(logout.stdout).toContain('Signed out alice.');
    expect(logout.stdout).toContain('deleted from the keychain (verified)');
    expect(logout.stdout).toContain('revoked at the provider');
    expect(await keychain.accounts()).toEqual([]);

    const after = JSON.parse((await cli(['status', '--json'])).stdout);
    expect(after).toMatchObject({ state: 'signed-out', account: null });

    // T4: not one token in anything any command printed.
    const printed = allOutput.join('\n');
    expect(printed).not.toContain(tokens.rt);
    expect(printed).not.toContain(tokens.at);
  });

  it('login --no-browser prints the link on its own line on stderr; opening it signs in', async () => {
    await setUp('no-browser');
    const run = start(['login', '--no-browser']);
    const url = await waitFor(() => run.stderr().split('\n').find((l) => l.startsWith(`${provider.issuer}/auth?`)), 'the link');
    expect(existsSync(relayFile)).toBe(false); // no browser was started
    expect((await browser.signIn(url)).redirected).toBe(true);
    const done = await run.done;
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('Signed in as Alice Liddell');
    expect(await keychain.accounts()).toHaveLength(1);
  });

  it('login: Ctrl-C cancels cleanly — exit 1, the loopback listener closed, nothing stored', async () => {
    await setUp('sigint');
    const run = start(['login', '--no-browser']);
    const url = await waitFor(() => run.stderr().split('\n').find((l) => l.startsWith(`${provider.issuer}/auth?`)), 'the link');
    const redirect = new URL(new URL(url).searchParams.get('redirect_uri')!);
    expect(await canConnect(Number(redirect.port))).toBe(true);
    process.kill(-run.child.pid!, 'SIGINT'); // what Ctrl-C in a terminal does
    const done = await run.done;
    expect(done.code).toBe(1);
    expect(done.stderr).toContain('cancelled');
    expect(await canConnect(Number(redirect.port))).toBe(false);
    expect(await keychain.accounts()).toEqual([]);
  });

  it('status reflects "offline" when the provider is down and the token expired; the tokens stay', async () => {
    await setUp('offline');
    expect((await loginThroughBrowser()).code).toBe(0);
    const [account] = await keychain.accounts();
    const record = JSON.parse((await keychain.get(account!))!);
    record.exp = Date.now() - 1_000;
    await keychain.set(account!, JSON.stringify(record));
    await provider.stop();
    const status = await cli(['status', '--json']);
    expect(status.code).toBe(0);
    const json = JSON.parse(status.stdout);
    expect(json).toMatchObject({ state: 'offline', account: { sub: 'alice' }, accessTokenExpired: true, lastError: { code: 'network' } });
    expect(await keychain.get(account!)).toBe(JSON.stringify(record));
    // `call` while offline: a typed error at once.
    const call = await cli(['call', `${api.origin}/me`]);
    expect(call.code).toBe(1);
    expect(call.stderr).toMatch(/offline|could not reach|reach the provider/i);
  });

  it('K2 keychain unavailable (no D-Bus session): status says storage-unavailable, login refuses before opening a browser', async () => {
    await setUp('no-dbus');
    const env = baseEnv({ DBUS_SESSION_BUS_ADDRESS: undefined, DISPLAY: undefined, OAUTH_DESKTOP_IN_KEYRING: undefined });
    const status = await cli(['status', '--json'], env);
    expect(status.code).toBe(0);
    const json = JSON.parse(status.stdout);
    expect(json.state).toBe('storage-unavailable');
    expect(json.storage).toMatchObject({ backend: 'Secret Service keyring', available: false });
    expect(json.storage.detail).toMatch(/D-Bus|not available/);
    expect(status.stderr).toContain('The keychain is unavailable');

    const login = await cli(['login'], env);
    expect(login.code).toBe(1);
    expect(login.stderr).toContain('the keychain is unavailable');
    expect(existsSync(relayFile)).toBe(false);

    // The device flow too refuses before asking the provider for a code.
    const before = provider.counts.device_authorization;
    const device = await cli(['login', '--device', '--device-flow'], env);
    expect(device.code).toBe(1);
    expect(device.stderr).toMatch(/keyring is not available|keychain/i);
    expect(device.stderr).not.toContain('enter the code');
    expect(provider.counts.device_authorization).toBe(before);
  });

  it('usage and configuration errors exit 2 with a one-line reason; every config flag and --config FILE are accepted', async () => {
    await setUp('usage');
    const noCommand = await cli([]);
    expect(noCommand.code).toBe(2);
    const unknown = await cli(['status', '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['call'])).code).toBe(2);
    expect((await cli(['status', '--method', 'POST'])).code).toBe(2);
    const missing = await cli(['status'], baseEnv({ OAUTH_ISSUER: undefined }));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('OAUTH_ISSUER is required');
    expect((await cli(['help'])).code).toBe(0);

    // Flags > environment > file: the file names the provider, a flag overrides the client id.
    const file = join(home, 'config.json');
    await writeFile(
      file,
      JSON.stringify({ issuer: provider.issuer, clientId: 'from-file', scope: SCOPE, apiOrigins: api.origin, keychainService: keychain.service }),
    );
    const env = baseEnv({ OAUTH_ISSUER: undefined, OAUTH_CLIENT_ID: undefined, OAUTH_SCOPE: undefined, OAUTH_API_ORIGINS: undefined, OAUTH_KEYCHAIN_SERVICE: undefined, OAUTH_RESOURCE: undefined });
    const fromFile = await cli(
      [
        'status',
        '--json',
        '--config',
        file,
        '--client-id',
        'from-flag',
        '--resource',
        provider.resource,
        '--redirect-host',
        '127.0.0.1',
        '--redirect-path',
        '/callback',
        '--redirect-port',
        '0',
        '--scope',
        SCOPE,
        '--api-origins',
        api.origin,
        '--issuer',
        provider.issuer,
        '--keychain-service',
        keychain.service,
      ],
      env,
    );
    expect(fromFile.code).toBe(0);
    expect(JSON.parse(fromFile.stdout)).toMatchObject({ state: 'signed-out', issuer: provider.issuer, clientId: 'from-flag' });
    const badFile = await cli(['status', '--config', join(home, 'absent.json')], env);
    expect(badFile.code).toBe(2);
  });
});

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
