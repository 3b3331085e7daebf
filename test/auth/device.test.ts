/**
 * RFC 8628 device sign-in end to end: the product asks the bench provider for a code, chromium
 * plays the user on "another device" (types the code, signs in, consents), the product polls and
 * turns the tokens into the same StoredSession the browser flow makes, which goes into the real
 * keychain through the same TokenVault. Also the opt-in: off by default, refused with the reason.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AppConfig, validateConfig } from '../../main/auth/config';
import { DEFAULT_DEVICE_INTERVAL_MS, devicePendingSignIn, startDeviceSignIn } from '../../main/auth/device';
import { AuthError } from '../../main/auth/errors';
import { createSession } from '../../main/auth/session';
import type { SessionService } from '../../main/auth/snapshot';
import { TokenVault } from '../../main/auth/vault';
import { deviceLoginCommand } from '../../main/cli/device-login';
import { createKeytarSecretStore } from '../../main/platform/secret-store.keytar';
import { type SecretStore, systemClock } from '../../main/platform/ports';
import { createFsRefreshLock } from '../../main/platform/refresh-lock.fs';
import { type SystemBrowser, startSystemBrowser } from '../support/browser';
import { openTestKeychain, type TestKeychain } from '../support/keyring';
import { capturedIo } from '../support/output-capture';
import { type DeviceBench, recordingSleeper, startDeviceBench } from './device-helpers';
import { memorySettings, recordingLogger } from './fixtures';

/** The session the CLI builds for `login --device`, on the bench's fetch, with fast polling. */
async function cliSession(config: AppConfig, secretStore: SecretStore): Promise<SessionService> {
  const lockDir = await mkdtemp(join(tmpdir(), 'device-cli-lock-'));
  return createSession({
    config,
    fetch: bench!.fetch,
    secretStore,
    settings: memorySettings(),
    browser: {
      open: async () => {
        throw new Error('the device flow never opens a browser');
      },
    },
    clock: systemClock,
    wakeSignals: { onWake: () => () => {} },
    refreshLock: createFsRefreshLock({ dir: lockDir }),
    logger: recordingLogger(),
    tunables: { deviceIntervalMs: 50, deviceSleep: recordingSleeper(20).sleep, refreshOnRestore: false },
  });
}

let browser: SystemBrowser;
let bench: DeviceBench | undefined;
let keychain: TestKeychain | undefined;

beforeAll(async () => {
  browser = await startSystemBrowser();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await bench?.provider.close();
  bench = undefined;
  await keychain?.cleanup();
  keychain = undefined;
});

describe('device sign-in (RFC 8628) with chromium entering the code', () => {
  it('signs bob in: user code shown, code entered in the browser, tokens become a session with a refresh token', async () => {
    bench = await startDeviceBench();
    const { sleep, waits } = recordingSleeper(20);
    const signIn = await startDeviceSignIn(
      { config: bench.config, provider: bench.discovered, logger: bench.logger, sleep },
      { intervalMs: 50 },
    );
    expect(signIn.userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(signIn.verificationUri).toBe(`${bench.provider.issuer}/device`);
    expect(signIn.verificationUriComplete).toBe(`${bench.provider.issuer}/device?user_code=${signIn.userCode}`);
    expect(signIn.expiresAt).toBeGreaterThan(Date.now() + 500_000);
    expect(devicePendingSignIn(signIn)).toEqual({
      kind: 'device',
      userCode: signIn.userCode,
      verificationUri: signIn.verificationUri,
      verificationUriComplete: signIn.verificationUriComplete,
      expiresAt: signIn.expiresAt,
    });

    const seen = await browser.enterDeviceCode(signIn.verificationUri, signIn.userCode, { account: 'bob' });
    expect(seen.success).toBe(true);
    const session = await signIn.result;

    expect(session.issuer).toBe(bench.provider.issuer);
    expect(session.clientId).toBe(bench.provider.clientId);
    expect(session.account).toEqual({ sub: 'bob', name: 'Bob Builder', email: 'bob@example.test' });
    expect(session.identity).toEqual({ iss: bench.provider.issuer, sub: 'bob', aud: bench.provider.clientId });
    expect(session.refreshToken).toEqual(expect.any(String));
    expect(session.accessToken).toEqual(expect.any(String));
    expect(session.scopes).toEqual(expect.arrayContaining(['openid', 'offline_access']));
    expect(bench.provider.stats.tokensIssued['urn:ietf:params:oauth:grant-type:device_code']).toBe(1);
    // It polled while the user was typing, every wait at the injected interval.
    expect(bench.provider.stats.tokenErrors.authorization_pending).toBeGreaterThan(0);
    expect(waits.every((ms) => ms === 50)).toBe(true);
  });

  it('the completed session goes through the same TokenVault into the real keychain', async () => {
    bench = await startDeviceBench();
    keychain = await openTestKeychain('device-vault');
    const { sleep } = recordingSleeper(20);
    const signIn = await startDeviceSignIn({ config: bench.config, provider: bench.discovered, sleep }, { intervalMs: 50 });
    expect((await browser.enterDeviceCode(signIn.verificationUri, signIn.userCode, { account: 'carol' })).success).toBe(true);
    const session = await signIn.result;

    const vault = new TokenVault(createKeytarSecretStore(), keychain.service, bench.config.issuer, bench.config.clientId);
    await vault.save(session);
    const loaded = await vault.load();
    expect(loaded.kind).toBe('found');
    // Compared without printing: a diff of sessions would show tokens.
    const back = loaded.kind === 'found' ? loaded.session : null;
    const differing = Object.keys(session).filter(
      (key) => JSON.stringify(back?.[key as keyof typeof session]) !== JSON.stringify(session[key as keyof typeof session]),
    );
    expect(differing).toEqual([]);
  });

  it('keeps the device_code and tokens out of the returned object and the log (T4)', async () => {
    bench = await startDeviceBench();
    const { sleep } = recordingSleeper(20);
    const signIn = await startDeviceSignIn({ config: bench.config, provider: bench.discovered, logger: bench.logger, sleep }, { intervalMs: 50 });
    await browser.enterDeviceCode(signIn.verificationUri, signIn.userCode, { account: 'alice' });
    await signIn.result;
    expect(bench.wire.secrets.length).toBeGreaterThanOrEqual(3); // device_code, access, refresh (+ id token)
    const visible = [JSON.stringify(signIn), inspect(signIn, { depth: 5 }), bench.logger.text()].join('\n');
    // Boolean assertions, so a failure never prints the secret itself.
    expect(bench.wire.secrets.filter((secret) => visible.includes(secret)).length).toBe(0);
  });

  it('polls every 5 s when the provider sends no interval (oidc-provider sends none)', async () => {
    bench = await startDeviceBench();
    const { sleep, waits } = recordingSleeper(5);
    const signIn = await startDeviceSignIn({ config: bench.config, provider: bench.discovered, sleep });
    // A few pending polls, then stop.
    while (waits.length < 3) await new Promise((resolve) => setTimeout(resolve, 10));
    signIn.cancel();
    await expect(signIn.result).rejects.toMatchObject({ code: 'cancelled' });
    expect(DEFAULT_DEVICE_INTERVAL_MS).toBe(5_000);
    expect(waits.slice(0, 3)).toEqual([5_000, 5_000, 5_000]);
  });
});

describe('device flow is opt-in (RFC 8628 §5.4)', () => {
  it('is off by default, and starting it is refused with config_invalid that says why — no request is sent', async () => {
    bench = await startDeviceBench({}, { deviceFlow: undefined });
    expect(bench.config.deviceFlow).toBe(false);
    const error = await startDeviceSignIn({ config: bench.config, provider: bench.discovered }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ code: 'config_invalid' });
    const message = (error as AuthError).message;
    expect(message).toContain('RFC 8628 §5.4');
    expect(message).toMatch(/phishing/);
    expect(message).toContain('OAUTH_DEVICE_FLOW=1');
    expect(bench.provider.counts.device_authorization).toBe(0);
  });

  it('OAUTH_DEVICE_FLOW=1 in the environment or "deviceFlow": true turns it on', () => {
    const base = { issuer: 'https://id.example.com', clientId: 'app' };
    expect(validateConfig({ ...base, deviceFlow: '1' }).deviceFlow).toBe(true);
    expect(validateConfig({ ...base, deviceFlow: true }).deviceFlow).toBe(true);
    expect(validateConfig(base).deviceFlow).toBe(false);
  });

  it('a provider without a device endpoint gives provider_unsupported, pointing to the browser sign-in', async () => {
    bench = await startDeviceBench({ features: { deviceFlow: false } });
    const error = await startDeviceSignIn({ config: bench.config, provider: bench.discovered }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'provider_unsupported' });
    expect((error as AuthError).message).toMatch(/browser sign-in/);
  });

  it('a client that may not use the device grant gets a clear error, not a hang', async () => {
    bench = await startDeviceBench({ extraClients: ['no-device'] }, { clientId: 'oauth-desktop-no-device' });
    const error = await startDeviceSignIn({ config: bench.config, provider: bench.discovered }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe('provider_unsupported');
    expect((error as AuthError).message).toMatch(/Allow the device grant for this client/);
    expect(bench.provider.counts.token).toBe(0);
  });
});

describe('CLI `login --device` (main/cli/device-login.ts)', () => {
  function captureIo() {
    return capturedIo('test/auth/device.test.ts: CLI login --device');
  }

  it('prints the page, the code, the complete link and the phishing warning; stores the session; exit 0', async () => {
    bench = await startDeviceBench();
    keychain = await openTestKeychain('device-cli');
    const config = { ...bench.config, keychainService: keychain.service };
    const { out, io } = captureIo();
    const secrets = createKeytarSecretStore();
    let entered: Promise<unknown> | undefined;
    const session = await cliSession(config, secrets);
    const code = await deviceLoginCommand({
      io,
      config,
      session,
      clock: systemClock,
      onCode: ({ verificationUri, userCode }) => {
        entered = browser.enterDeviceCode(verificationUri, userCode, { account: 'alice' });
      },
    });
    session.dispose();
    expect(code).toBe(0);
    expect(await entered).toMatchObject({ success: true });
    expect(out.stdout).toBe(`Signed in as Alice Liddell <alice@example.test> (sub alice) at ${bench.provider.issuer}.\n`);
    expect(out.stderr).toContain(`${bench.provider.issuer}/device\n`);
    expect(out.stderr).toMatch(/enter the code:\n {4}[A-Z]{4}-[A-Z]{4}\n/);
    expect(out.stderr).toContain(`${bench.provider.issuer}/device?user_code=`);
    expect(out.stderr).toContain('Enter this code only if you started this sign-in yourself');
    expect(out.stderr).toContain('RFC 8628 §5.4');
    expect(bench.wire.secrets.filter((secret) => (out.stdout + out.stderr).includes(secret)).length).toBe(0);

    const loaded = await new TokenVault(secrets, keychain.service, config.issuer, config.clientId).load();
    expect(loaded.kind === 'found' && loaded.session.account.sub).toBe('alice');
    expect(loaded.kind === 'found' && loaded.session.refreshToken).toEqual(expect.any(String));
  });

  it('exit 2 with the RFC 8628 §5.4 reason when the device flow is not enabled', async () => {
    bench = await startDeviceBench({}, { deviceFlow: '0' });
    const { out, io } = captureIo();
    const session = await cliSession(
      bench.config,
      createKeytarSecretStore(() => {
        throw new Error('the keychain must not be touched');
      }),
    );
    const code = await deviceLoginCommand({ io, config: bench.config, session, clock: systemClock });
    session.dispose();
    expect(code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('RFC 8628 §5.4');
  });

  it('exit 1 with "denied" when the user refuses at the consent page', async () => {
    bench = await startDeviceBench();
    const { out, io } = captureIo();
    let entered: Promise<unknown> | undefined;
    // Read (the up-front availability check) but never written: a denied sign-in stores nothing.
    const session = await cliSession(bench.config, {
      backend: 'test',
      get: async () => null,
      set: async () => {
        throw new Error('the keychain must not be written');
      },
      delete: async () => false,
    });
    const code = await deviceLoginCommand({
      io,
      config: bench.config,
      session,
      clock: systemClock,
      onCode: ({ verificationUri, userCode }) => {
        entered = browser.enterDeviceCode(verificationUri, userCode, { account: 'alice', consent: 'deny' });
      },
    });
    session.dispose();
    await entered;
    expect(code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/denied/);
  });
});
