/**
 * The device-grant poller against the bench provider (RFC 8628 §3.4–§3.5): slow_down adds 5 s for
 * good, expired_token and access_denied stop it, cancel stops it (also mid-request), network
 * failures back off and retry until the code expires. Intervals are observed through an injected
 * sleeper; provider answers that are hard to provoke on time (slow_down, expired_token) are
 * injected at the bench's token endpoint — real HTTP responses through the product's fetch.
 */
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SLOW_DOWN_INCREMENT_MS, startDeviceSignIn } from '../../main/auth/device';
import { AuthError } from '../../main/auth/errors';
import { type SystemBrowser, startSystemBrowser } from '../support/browser';
import { type DeviceBench, pause, recordingSleeper, startDeviceBench } from './device-helpers';

let browser: SystemBrowser;
let bench: DeviceBench | undefined;

beforeAll(async () => {
  browser = await startSystemBrowser();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await bench?.provider.close();
  bench = undefined;
});

/** Waits until `predicate` holds (polling real time), failing after `ms`. */
async function until(predicate: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await pause(10);
  }
}

describe('slow_down (RFC 8628 §3.5)', () => {
  it('adds 5 s to the interval for this and every later poll, then still completes', async () => {
    bench = await startDeviceBench();
    const { sleep, waits } = recordingSleeper(10);
    bench.provider.failTokenEndpoint({ status: 400, body: { error: 'slow_down' } }, { times: 2 });
    const signIn = await startDeviceSignIn({ config: bench.config, provider: bench.discovered, logger: bench.logger, sleep }, { intervalMs: 50 });
    await until(() => waits.length >= 4);
    expect(await browser.enterDeviceCode(signIn.verificationUri, signIn.userCode, { account: 'alice' })).toMatchObject({ success: true });
    const session = await signIn.result;
    expect(session.account.sub).toBe('alice');

    expect(SLOW_DOWN_INCREMENT_MS).toBe(5_000);
    expect(waits[0]).toBe(50);
    expect(waits[1]).toBe(5_050);
    // Cumulative and permanent: every poll after the second slow_down waits 10 s more.
    expect(waits.slice(2).every((ms) => ms === 10_050)).toBe(true);
    expect(waits.length).toBeGreaterThanOrEqual(4);
  });
});

describe('the poller stops', () => {
  it('on expired_token from the provider: device_expired, no further token request', async () => {
    bench = await startDeviceBench();
    const { sleep } = recordingSleeper(10);
    bench.provider.failTokenEndpoint({ status: 400, body: { error: 'expired_token' } }, { times: 1 });
    const signIn = await startDeviceSignIn({ config: bench.config, provider: bench.discovered, sleep }, { intervalMs: 50 });
    const error = await signIn.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ code: 'device_expired' });
    expect((error as AuthError).message).toMatch(/expired.*Start again/);
    const requests = bench.provider.counts.token;
    expect(requests).toBe(1);
    await pause(300);
    expect(bench.provider.counts.token).toBe(requests);
  });

  it('on invalid_grant (a provider that purged the expired code): device_expired, not "session ended"', async () => {
    bench = await startDeviceBench();
    const { sleep } = recordingSleeper(10);
    bench.provider.failTokenEndpoint({ status: 400, body: { error: 'invalid_grant' } }, { times: 1 });
    const signIn = await startDeviceSignIn({ config: bench.config, provider: bench.discovered, sleep }, { intervalMs: 50 });
    const error = await signIn.result.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'device_expired' });
    expect((error as AuthError).message).toMatch(/expired.*Start again/);
    expect(bench.provider.counts.token).toBe(1);
  });

  it('when the code really expires at the provider (device code TTL 2 s): device_expired', async () => {
    bench = await startDeviceBench({ ttl: { deviceCode: 2 } });
    // The real timer: the product's own clock decides expiry together with the provider.
    const signIn = await startDeviceSignIn({ config: bench.config, provider: bench.discovered }, { intervalMs: 200 });
    expect(signIn.expiresAt - Date.now()).toBeLessThanOrEqual(2_000);
    await expect(signIn.result).rejects.toMatchObject({ code: 'device_expired' });
    const requests = bench.provider.counts.token;
    expect(requests).toBeGreaterThan(0);
    await pause(500);
    expect(bench.provider.counts.token).toBe(requests);
  });

  it('on access_denied (the user cancels at the provider): device_denied', async () => {
    bench = await startDeviceBench();
    const { sleep } = recordingSleeper(20);
    const signIn = await startDeviceSignIn({ config: bench.config, provider: bench.discovered, logger: bench.logger, sleep }, { intervalMs: 50 });
    const seen = await browser.enterDeviceCode(signIn.verificationUri, signIn.userCode, { cancelAtLogin: true });
    expect(seen.success).toBe(false);
    const error = await signIn.result.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'device_denied' });
    expect(bench.provider.stats.tokenErrors.access_denied).toBe(1);
    // T4: nothing secret in the error, its JSON or its inspection, nor in the log.
    const visible = [(error as Error).message, JSON.stringify(error), inspect(error), bench.logger.text()].join('\n');
    expect(bench.wire.secrets.length).toBeGreaterThan(0);
    expect(bench.wire.secrets.filter((secret) => visible.includes(secret)).length).toBe(0);
  });

  it('on deny at the consent page: device_denied', async () => {
    bench = await startDeviceBench();
    const { sleep } = recordingSleeper(20);
    const signIn = await startDeviceSignIn({ config: bench.config, provider: bench.discovered, sleep }, { intervalMs: 50 });
    await browser.enterDeviceCode(signIn.verificationUri, signIn.userCode, { account: 'bob', consent: 'deny' });
    await expect(signIn.result).rejects.toMatchObject({ code: 'device_denied' });
  });

  it('on cancel(): cancelled, and no token request after it', async () => {
    bench = await startDeviceBench();
    const { sleep, waits } = recordingSleeper(20);
    const signIn = await startDeviceSignIn({ config: bench.config, provider: bench.discovered, sleep }, { intervalMs: 50 });
    await until(() => bench!.provider.counts.token >= 2);
    signIn.cancel();
    signIn.cancel(); // idempotent
    await expect(signIn.result).rejects.toMatchObject({ code: 'cancelled' });
    const requests = bench.provider.counts.token;
    const sleeps = waits.length;
    await pause(300);
    expect(bench.provider.counts.token).toBe(requests);
    expect(waits.length).toBe(sleeps);
  });

  it('on the caller\'s AbortSignal, even while a poll hangs at the provider', async () => {
    bench = await startDeviceBench();
    const { sleep } = recordingSleeper(10);
    const controller = new AbortController();
    const signIn = await startDeviceSignIn({ config: bench.config, provider: bench.discovered, sleep }, { intervalMs: 50, signal: controller.signal });
    bench.provider.failTokenEndpoint('hang');
    await until(() => bench!.provider.counts.token >= 1);
    controller.abort();
    await expect(signIn.result).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('an already-aborted signal refuses to start: no device authorization request', async () => {
    bench = await startDeviceBench();
    const error = await startDeviceSignIn({ config: bench.config, provider: bench.discovered }, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'cancelled' });
    expect(bench.provider.counts.device_authorization).toBe(0);
  });
});

describe('network failures while polling (RFC 8628 §3.5: back off)', () => {
  it('connection resets and a 503 are retried with exponential back-off, then the sign-in completes', async () => {
    bench = await startDeviceBench();
    const { sleep, waits } = recordingSleeper(10);
    const signIn = await startDeviceSignIn(
      { config: bench.config, provider: bench.discovered, logger: bench.logger, sleep, random: () => 0.5 },
      { intervalMs: 50 },
    );
    bench.provider.failTokenEndpoint('reset', { times: 2 });
    // waits: 50, then 100 and 200 after the two resets, then 50 after a pending answer.
    await until(() => waits.length >= 4);
    bench.provider.failTokenEndpoint(503, { times: 1 });
    await until(() => waits.length >= 5);
    expect(await browser.enterDeviceCode(signIn.verificationUri, signIn.userCode, { account: 'bob' })).toMatchObject({ success: true });
    expect((await signIn.result).account.sub).toBe('bob');

    // With jitter fixed at the middle (×1.0): interval × 2^failures after each failure in a row.
    const backoffs = waits.filter((ms) => ms !== 50);
    // reset, reset (×2, ×4), then a pending answer resets the count, so the 503 waits ×2 again.
    expect(backoffs).toEqual([100, 200, 100]);
    expect(bench.logger.lines.filter((l) => l.message.includes('backing off')).length).toBe(3);
  });

  it('a provider that stays unreachable ends in device_expired, not an endless loop', async () => {
    bench = await startDeviceBench({ ttl: { deviceCode: 2 } });
    const signIn = await startDeviceSignIn({ config: bench.config, provider: bench.discovered }, { intervalMs: 100 });
    await bench.provider.stop();
    await expect(signIn.result).rejects.toMatchObject({ code: 'device_expired' });
  });
});
