/**
 * Launch restore (issue 4 §2): the keychain alone decides the first state; the network is used
 * only when the access token is due, and an unreachable provider never costs the user the session.
 * Real bench provider, chromium, real keychain.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  countingFetch,
  createManualWake,
  createTestClock,
  editStoredEntry,
  inState,
  leakedSecrets,
  rewriteRefreshResponses,
  storedEntry,
  storedRecord,
  waitForSnapshot,
  useSessionBench,
} from './session-harness';

/** Measured figures, printed once at the end (speed assertions live in bench/, not here). */
const figures: Record<string, number> = {};

afterAll(() => {
  if (Object.keys(figures).length) console.info('session-restore figures (ms):', JSON.stringify(figures));
});

const { signedIn: signedInBench } = useSessionBench();

describe('launch restore', () => {
  it('K9 restore with a valid access token: signed in at once, not one request to the provider', async () => {
    const b = await signedInBench('k9-valid');
    b.provider.resetCounts();
    const fetch = countingFetch();
    const session = b.session({ fetch });
    const started = performance.now();
    const snapshot = await session.restore();
    figures.restoreValidToken = Math.round(performance.now() - started);

    expect(snapshot.state).toBe('signed-in');
    expect(snapshot.account).toMatchObject({ sub: 'alice', name: 'Alice Liddell', email: 'alice@example.test' });
    expect(snapshot.accessTokenExpiresAt).toBeGreaterThan(Date.now());
    // The bench's own counters (every endpoint, discovery included) and the fetch port agree: nothing.
    expect(Object.values(b.provider.counts).reduce((a, n) => a + n, 0)).toBe(0);
    expect(fetch.total()).toBe(0);
  });

  it('K9 provider stopped and refresh due: "offline", tokens intact; provider back → renewed on the wake signal', async () => {
    const b = await signedInBench('k9-offline-wake');
    const before = await storedEntry(b);
    await b.provider.stop();
    const clock = createTestClock();
    clock.advance(400_000); // past the 300 s access-token lifetime
    const wake = createManualWake();
    // Backoff far away: only the wake signal can bring it back within the test.
    const session = b.session({ clock, wake, tunables: { backoffBaseMs: 600_000, backoffMaxMs: 600_000 } });

    const first = await session.restore();
    expect(first.state).toBe('refreshing');
    expect(first.account?.sub).toBe('alice');
    const offline = await waitForSnapshot(session, inState('offline'));
    expect(offline.account?.sub).toBe('alice');
    expect(offline.lastError?.code).toBe('network');
    expect(offline.nextRefreshAt).not.toBeNull();
    // Tokens never deleted nor rewritten while offline.
    expect(await storedEntry(b)).toEqual(before);

    await b.provider.restart();
    b.provider.resetCounts();
    wake.fire('online');
    const back = await waitForSnapshot(session, inState('signed-in'));
    expect(back.lastError).toBeNull();
    expect(back.accessTokenExpiresAt).toBeGreaterThan(clock.now());
    expect(b.provider.counts.token).toBe(1);
    const after = await storedRecord(b);
    expect(after?.rt).not.toBe(JSON.parse(before!.raw).rt); // rotated and stored
  });

  it('K9 provider back → renewed on the next scheduled retry (backoff), no signal needed', async () => {
    const b = await signedInBench('k9-offline-retry');
    await b.provider.stop();
    const clock = createTestClock();
    clock.advance(400_000);
    const session = b.session({ clock, tunables: { backoffBaseMs: 300, backoffMaxMs: 300, backoffMaxAttempts: 100 } });
    await session.restore();
    await waitForSnapshot(session, inState('offline'));
    await b.provider.restart();
    const back = await waitForSnapshot(session, inState('signed-in'));
    expect(back.account?.sub).toBe('alice');
    expect(b.provider.stats.refreshTokenReuseDetected).toBe(0);
  });

  it('K18 discovery unreachable at launch: the cached, issuer-pinned metadata is used and the refresh succeeds', async () => {
    const b = await signedInBench('k18');
    b.provider.failEndpoint('discovery', 503);
    b.provider.resetCounts();
    const clock = createTestClock();
    clock.advance(400_000);
    const session = b.session({ clock });
    const started = performance.now();
    await session.restore();
    const snapshot = await waitForSnapshot(session, (s) => s.state !== 'refreshing');
    figures.restoreWithRefresh = Math.round(performance.now() - started);
    expect(snapshot.state).toBe('signed-in');
    expect(b.provider.counts.discovery).toBeGreaterThanOrEqual(1);
    expect(b.provider.counts.token).toBe(1);
  });

  it('K18 the launch renewal does not wait for discovery: it uses the cached metadata while discovery runs alongside', async () => {
    const b = await signedInBench('k18-no-wait');
    // Discovery hangs (a slow provider front page); the token endpoint answers.
    b.provider.failEndpoint('discovery', 'hang');
    b.provider.resetCounts();
    const clock = createTestClock();
    clock.advance(400_000);
    const session = b.session({ clock, tunables: { httpTimeoutMs: 30_000 } });
    await session.restore();
    const snapshot = await waitForSnapshot(session, (s) => s.state !== 'refreshing', 10_000);
    expect(snapshot.state).toBe('signed-in');
    expect(b.provider.counts.token).toBe(1);
    // Live discovery was started too (it refreshes the cache), but the renewal did not wait for it.
    expect(b.provider.counts.discovery).toBeGreaterThanOrEqual(1);
    b.provider.resetFaults();
  });

  it('K5 a corrupt keychain entry: signed out, the entry deleted, reported once, its value never logged', async () => {
    const b = await signedInBench('k5-corrupt');
    const entry = await storedEntry(b);
    const garbage = `{"v":1,"secret-looking-garbage-${Math.random().toString(36).slice(2)}`;
    await b.keychain.set(entry!.account, garbage);
    const session = b.session();
    const snapshot = await session.restore();
    expect(snapshot.state).toBe('signed-out');
    expect(snapshot.lastError?.code).toBe('storage_corrupt');
    expect(await b.keychain.accounts()).toEqual([]);
    expect(leakedSecrets(session.logger.lines, [garbage.slice(6)])).toEqual([]);
    expect(JSON.stringify(snapshot)).not.toContain('secret-looking-garbage');
  });

  it('K5 an entry of an unknown record version: signed out and deleted', async () => {
    const b = await signedInBench('k5-version');
    await editStoredEntry(b, (record) => {
      record.v = 99;
    });
    const snapshot = await b.session().restore();
    expect(snapshot.state).toBe('signed-out');
    expect(snapshot.lastError?.code).toBe('storage_corrupt');
    expect(await b.keychain.accounts()).toEqual([]);
  });
});

describe('expiry and clock (K8)', () => {
  it('K8 a wall-clock jump does not expire the token: expiry runs on the monotonic clock', async () => {
    const b = await signedInBench('k8-wall');
    const clock = createTestClock();
    const session = b.session({ clock });
    await session.restore();
    b.provider.resetCounts();
    clock.jumpWall(3 * 3600_000); // the user (or NTP) moves the clock 3 hours ahead
    const response = await session.callApi({ url: `${b.api.origin}/me` });
    expect(response.status).toBe(200);
    expect(b.provider.counts.token).toBe(0);
    expect(session.snapshot().state).toBe('signed-in');
  });

  it('K8 monotonic time passing the refresh margin renews before the call', async () => {
    const b = await signedInBench('k8-mono');
    const clock = createTestClock();
    const session = b.session({ clock, tunables: { refreshMarginMs: 60_000 } });
    await session.restore();
    b.provider.resetCounts();
    clock.advance(300_000 - 4_000); // inside the last seconds of the 300 s lifetime
    const response = await session.callApi({ url: `${b.api.origin}/me` });
    expect(response.status).toBe(200);
    expect(b.provider.counts.token).toBe(1);
  });

  it("K8 clock skew from the token endpoint's Date header is reported with an actionable message", async () => {
    const b = await signedInBench('k8-skew');
    // Fault injection at the fetch port: the provider's clock is 12 minutes ahead of ours.
    const fetch = rewriteRefreshResponses((r) => {
      r.headers.set('date', new Date(Date.now() + 12 * 60_000).toUTCString());
      return r;
    });
    const clock = createTestClock();
    const session = b.session({ clock, fetch });
    await session.restore();
    expect(session.snapshot().clockSkew).toBeNull();
    clock.advance(400_000);
    const snapshot = await session.retryNow();
    expect(snapshot.state).toBe('signed-in');
    expect(snapshot.clockSkew).not.toBeNull();
    expect(snapshot.clockSkew!.message).toMatch(/Your computer's clock is \d+ minutes (slow|fast)/);
    // Our wall clock = real + 400 s, the server's = real + 720 s: we are 320 s (≈5 minutes) slow.
    expect(snapshot.clockSkew!.seconds).toBeGreaterThan(-330);
    expect(snapshot.clockSkew!.seconds).toBeLessThan(-310);
    expect(snapshot.clockSkew!.message).toContain('5 minutes slow');
  });
});
