/**
 * Time faults (issue 8 §2): a computer clock ten minutes off, and a laptop that sleeps.
 *
 * - The Clock port ±10 minutes against the provider's real `Date` header: the user is told which
 *   way the clock is off, and expiry/renewal (on the monotonic clock, K8) carry on unaffected.
 * - The process's real clock 10 minutes off (Date itself shifted in this process) against a
 *   provider in ANOTHER process with the right time: fast, its 5-minute ID token looks expired and
 *   is refused — and the user must be told why (the clock), not only "security check"; slow, the
 *   sign-in works and the user is warned.
 * - Suspend/resume through the WakeSignals port: a suspended machine's monotonic clock stops while
 *   the wall clock runs on (Linux CLOCK_MONOTONIC, macOS mach time), so on "resume" the wall clock
 *   is the one that knows the token expired; and an offline session whose retries ran out renews
 *   on resume/online.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { validateConfig } from '../../main/auth/config';
import { createSession } from '../../main/auth/session';
import type { SessionSnapshot } from '../../main/auth/snapshot';
import { createFsRefreshLock } from '../../main/platform/refresh-lock.fs';
import { createKeytarSecretStore } from '../../main/platform/secret-store.keytar';
import { createConfSettingsStore } from '../../main/platform/settings.conf';
import { type Bench, createManualWake, createRecordingLogger, startBench, waitForSnapshot } from '../auth/session-harness';
import { asBrowserLauncher, type SystemBrowser, startSystemBrowser } from '../support/browser';
import { openTestKeychain, type TestKeychain } from '../support/keyring';
import { recordOutput } from '../support/output-capture';
import { sessionFacts, sleep, splitClock, userSees } from './harness';

let browser: SystemBrowser;
let bench: Bench | undefined;

beforeAll(async () => {
  browser = await startSystemBrowser();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  vi.useRealTimers();
  await bench?.close();
  bench = undefined;
});

const TEN_MINUTES = 600_000;

describe('the computer clock is 10 minutes off (Clock port; the provider Date header is right)', () => {
  it.each([
    ['fast', TEN_MINUTES],
    ['slow', -TEN_MINUTES],
  ] as const)('K8 %s: the user is told, expiry runs on the monotonic clock, renewal works', async (direction, offset) => {
    bench = await startBench(`adv-clock-${direction}`, {}, { browser });
    const clock = splitClock(offset);
    const session = bench.session({ clock });
    await session.restore();
    const signedIn = await session.signIn();
    expect(signedIn.state).toBe('signed-in');
    expect(Math.abs(signedIn.clockSkew!.seconds - offset / 1000)).toBeLessThanOrEqual(5);
    const seen = await userSees(session);
    expect(seen.view.clockSkew?.message).toBe(`Your computer's clock is 10 minutes ${direction}. Sign-in and token renewal may fail until it is corrected.`);

    // Nothing renews early or late because of the offset: 3 minutes on (of 5), no request; 6, one.
    bench.provider.resetCounts();
    clock.advance(180_000);
    await session.retryNow();
    expect(bench.provider.counts.token).toBe(0);
    clock.advance(180_000);
    const renewed = await session.retryNow();
    expect(sessionFacts(renewed)).toEqual({ state: 'signed-in', sub: 'alice', code: null, memoryOnly: false });
    expect(bench.provider.counts.token).toBe(1);
    expect(renewed.clockSkew?.message).toMatch(direction);
  });
});

describe('the process clock really is 10 minutes off (provider in another process)', () => {
  let child: ChildProcess | undefined;
  let keychain: TestKeychain | undefined;
  let userData: string | undefined;
  afterEach(async () => {
    if (child?.pid) process.kill(child.pid, 'SIGTERM');
    child = undefined;
    await keychain?.cleanup();
    keychain = undefined;
    if (userData) rmSync(userData, { recursive: true, force: true });
    userData = undefined;
  });

  /** Starts the bench provider (ID tokens valid 300 s) in its own process, with the right time. */
  async function providerInAnotherProcess(): Promise<{ issuer: string; clientId: string }> {
    child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'provider-child.ts')], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.once('close', () => recordOutput('test/adversarial/provider-child.ts stdout+stderr', out + err));
    return new Promise((resolve, reject) => {
      child!.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line));
      });
      child!.once('exit', (code) => reject(new Error(`provider process exited ${code}: ${err.slice(-300)}`)));
    });
  }

  /** A session whose process clock is `offset` ms off (Date itself, as oauth4webapi reads it). */
  async function sessionWithClockOff(offset: number) {
    const { issuer, clientId } = await providerInAnotherProcess();
    keychain = await openTestKeychain('adv-clock-process');
    userData = mkdtempSync(join(tmpdir(), 'adv-clock-'));
    const config = validateConfig({ issuer, clientId, scope: 'openid profile email offline_access', keychainService: keychain.service });
    // From here this process's Date runs `offset` off (and keeps running).
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true, now: Date.now() + offset });
    return createSession({
      config,
      fetch: globalThis.fetch,
      secretStore: createKeytarSecretStore(),
      settings: createConfSettingsStore({ dir: userData }),
      browser: asBrowserLauncher(browser),
      clock: { now: () => Date.now(), monotonicNow: () => performance.now() },
      wakeSignals: createManualWake(),
      refreshLock: createFsRefreshLock({ dir: join(userData, 'locks') }),
      logger: createRecordingLogger(),
    });
  }

  it('K8 C3 10 minutes fast: the provider\'s ID token looks expired and is refused, and the user is told the clock is the reason', async () => {
    const session = await sessionWithClockOff(TEN_MINUTES);
    try {
      await session.restore();
      const error = await session.signIn().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'id_token_invalid' });
      const seen = await userSees(session);
      expect(seen.view.state).toBe('signed-out');
      expect(seen.view.lastError?.code).toBe('id_token_invalid');
      // The reason the user can act on: the clock, with the direction and the size.
      expect(seen.view.clockSkew?.message).toBe("Your computer's clock is 10 minutes fast. Sign-in and token renewal may fail until it is corrected.");
      expect(await keychain!.accounts()).toEqual([]);
    } finally {
      session.dispose();
    }
  });

  it('K8 10 minutes slow: the sign-in works (ID tokens are not yet expired), and the user is warned about the clock', async () => {
    const session = await sessionWithClockOff(-TEN_MINUTES);
    try {
      await session.restore();
      const signedIn = await session.signIn();
      expect(sessionFacts(signedIn)).toEqual({ state: 'signed-in', sub: 'alice', code: null, memoryOnly: false });
      expect((await userSees(session)).view.clockSkew?.message).toMatch(/10 minutes slow.*corrected/);
      expect(await keychain!.accounts()).toHaveLength(1);
    } finally {
      session.dispose();
    }
  });
});

describe('suspend and resume (WakeSignals)', () => {
  it('K8 K9 after a 2-hour sleep (monotonic clock stopped, wall clock ran on) "resume" renews the expired token', async () => {
    bench = await startBench('adv-suspend', {}, { browser });
    const clock = splitClock();
    const wake = createManualWake();
    const session = bench.session({ clock, wake });
    await session.restore();
    await session.signIn();
    bench.provider.resetCounts();

    // The laptop sleeps for two hours: only the wall clock moves.
    clock.jumpWall(2 * 3600_000);
    wake.fire('resume');
    const renewed = await waitForSnapshot(session, (s) => s.state === 'signed-in' && (s.accessTokenExpiresAt ?? 0) > clock.now(), 10_000);
    expect(bench.provider.counts.token).toBe(1);
    expect(sessionFacts(renewed)).toEqual({ state: 'signed-in', sub: 'alice', code: null, memoryOnly: false });
    expect(bench.provider.stats.refreshTokenReuseDetected).toBe(0);
  });

  it('K9 offline until the retries ran out, then the laptop wakes on a working network: one renewal, signed in', async () => {
    bench = await startBench('adv-suspend-offline', {}, { browser });
    const clock = splitClock();
    const wake = createManualWake();
    const session = bench.session({ clock, wake, tunables: { backoffBaseMs: 20, backoffMaxMs: 40, backoffMaxAttempts: 2, httpTimeoutMs: 500 } });
    await session.restore();
    await session.signIn();
    const states: SessionSnapshot['state'][] = [];
    session.onChange((s) => states.push(s.state));

    await bench.provider.stop();
    clock.advance(400_000);
    const offline = await session.retryNow();
    expect(sessionFacts(offline)).toEqual({ state: 'offline', sub: 'alice', code: 'network', memoryOnly: false });
    expect((await userSees(session)).headline).toBe("Can't reach the provider");
    await expect(session.callApi({ url: `${bench.api.origin}/me` })).rejects.toMatchObject({
      code: 'offline',
      message: expect.stringMatching(/retry automatically/),
    });
    // Let the automatic retries run out: from then on only a wake signal (or Retry) renews.
    await sleep(400);
    expect(session.snapshot().nextRefreshAt).toBeNull();

    await bench.provider.restart();
    bench.provider.resetCounts();
    wake.fire('resume');
    const back = await waitForSnapshot(session, (s) => s.state === 'signed-in', 10_000);
    expect(sessionFacts(back)).toEqual({ state: 'signed-in', sub: 'alice', code: null, memoryOnly: false });
    expect(bench.provider.counts.token).toBe(1);
    expect((await session.callApi({ url: `${bench.api.origin}/me` })).status).toBe(200);
    expect(states).toContain('refreshing');
  });
});
