/**
 * Renewal failure classification and rotation safety (issue 4 §3): what a dead grant, a sick
 * provider, a response without a refresh token, and a sign-out in the middle of a renewal do to the
 * session. Real bench provider (faults injected at its token endpoint, or at the fetch port),
 * chromium, real keychain.
 */
import { describe, expect, it } from 'vitest';
import type { Fault } from '../support/provider';
import {
  createTestClock,
  inState,
  isRefreshRequest,
  pollUntil,
  refreshTokenStillWorks,
  rewriteRefreshResponses,
  storedEntry,
  storedRecord,
  waitForSnapshot,
  useSessionBench,
} from './session-harness';
import { type FetchLike, systemClock } from '../../main/platform/ports';



const { signedIn: signedInBench } = useSessionBench();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('K10 the grant is dead', () => {
  it('K10 grant revoked server-side → signed out, keychain entry deleted, no retry', async () => {
    const b = await signedInBench('k10-revoked');
    expect(b.provider.revokeGrant('alice')).toBeGreaterThan(0);
    const clock = createTestClock();
    const session = b.session({ clock, tunables: { backoffBaseMs: 20, backoffMaxMs: 40 } });
    await session.restore();
    b.provider.resetCounts();
    clock.advance(400_000);
    const snapshot = await session.retryNow();
    expect(snapshot.state).toBe('signed-out');
    expect(snapshot.account).toBeNull();
    expect(snapshot.lastError?.code).toBe('invalid_grant');
    expect(snapshot.nextRefreshAt).toBeNull();
    expect(await b.keychain.accounts()).toEqual([]);
    // No retry loop: several backoff periods later, still exactly the one request.
    await sleep(300);
    expect(b.provider.counts.token).toBe(1);
    await expect(session.callApi({ url: `${b.api.origin}/me` })).rejects.toMatchObject({ code: 'not_signed_in' });
  });

  it('K10 a bare 400 with no OAuth body (non-standard providers) counts as invalid_grant', async () => {
    const b = await signedInBench('k10-bare400');
    b.provider.failTokenEndpoint({ status: 400, body: '' });
    const clock = createTestClock();
    const session = b.session({ clock, tunables: { backoffBaseMs: 20, backoffMaxMs: 40 } });
    await session.restore();
    b.provider.resetCounts();
    clock.advance(400_000);
    const snapshot = await session.retryNow();
    expect(snapshot.state).toBe('signed-out');
    expect(snapshot.lastError?.code).toBe('invalid_grant');
    expect(await b.keychain.accounts()).toEqual([]);
    await sleep(200);
    expect(b.provider.counts.token).toBe(1);
  });
});

describe('K11 the provider is sick: everything is kept, retries are bounded', () => {
  const faults: Array<[string, Fault, string]> = [
    ['HTTP 500', 500, 'server_error'],
    ['HTTP 503', 503, 'server_error'],
    ['a hanging token endpoint (request timeout)', 'hang', 'timeout'],
    ['a reset connection', 'reset', 'network'],
  ];
  it.each(faults)('K11 %s → offline, refresh token kept, bounded jittered retries', async (_name, fault, code) => {
    const b = await signedInBench(`k11-${String(fault)}`);
    const before = await storedEntry(b);
    b.provider.failTokenEndpoint(fault);
    const clock = createTestClock();
    const maxAttempts = 3;
    const session = b.session({
      clock,
      tunables: { httpTimeoutMs: 1_000, backoffBaseMs: 40, backoffMaxMs: 80, backoffMaxAttempts: maxAttempts, random: Math.random },
    });
    await session.restore();
    b.provider.resetCounts();
    clock.advance(400_000);
    const snapshot = await session.retryNow();
    expect(snapshot.state).toBe('offline');
    expect(snapshot.account?.sub).toBe('alice');
    expect(snapshot.lastError?.code).toBe(code);

    await pollUntil(() => session.logger.lines.some((l) => l.includes('automatic retries exhausted')), 20_000, 'retries to stop');
    // One attempt plus exactly `maxAttempts` automatic retries, then silence until a wake/Retry.
    expect(b.provider.counts.token).toBe(1 + maxAttempts);
    await sleep(300);
    expect(b.provider.counts.token).toBe(1 + maxAttempts);
    expect(session.snapshot().state).toBe('offline');
    expect(await storedEntry(b)).toEqual(before);

    // And when the provider recovers, the kept refresh token still works.
    b.provider.resetFaults();
    expect((await session.retryNow()).state).toBe('signed-in');
  });

  it('K11 a slow token endpoint: callers wait for the one renewal and all succeed', async () => {
    const b = await signedInBench('k11-slow');
    b.provider.failTokenEndpoint({ delayMs: 1_500 }, { times: 1 });
    const clock = createTestClock();
    const session = b.session({ clock });
    await session.restore();
    b.provider.resetCounts();
    clock.advance(400_000);
    const states: string[] = [];
    session.onChange((s) => states.push(s.state));
    const results = await Promise.all(Array.from({ length: 20 }, () => session.callApi({ url: `${b.api.origin}/me` })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(b.provider.counts.token).toBe(1);
    expect(states).toContain('refreshing');
    expect(session.snapshot().state).toBe('signed-in');
  });
});

describe('proactive renewal', () => {
  it('K8 the timer renews the access token before it expires, with no caller asking', async () => {
    const b = await signedInBench('k8-proactive', { ttl: { accessToken: 4 } });
    const session = b.session({ clock: systemClock });
    const restored = await session.restore();
    expect(restored.state).toBe('signed-in');
    // Lifetime 4 s → margin capped at half of it: the renewal is planned ~2 s after receipt.
    expect(restored.nextRefreshAt).not.toBeNull();
    expect(restored.nextRefreshAt!).toBeLessThan(restored.accessTokenExpiresAt!);
    b.provider.resetCounts();
    const renewed = await waitForSnapshot(
      session,
      (s) => s.state === 'signed-in' && s.accessTokenExpiresAt !== null && s.accessTokenExpiresAt > restored.accessTokenExpiresAt!,
      10_000,
    );
    expect(b.provider.counts.token).toBe(1);
    expect(renewed.lastError).toBeNull();
  });
});

describe('rotation safety', () => {
  it('K15 a refresh response without refresh_token keeps the old one (and it keeps working)', async () => {
    const b = await signedInBench('k15', { rotateRefreshTokens: false });
    const before = await storedRecord(b);
    // Fault injection at the fetch port: the provider "forgets" to repeat the refresh token.
    let stripped = 0;
    const fetch = rewriteRefreshResponses((r) => {
      const body = JSON.parse(r.body) as Record<string, unknown>;
      if ('refresh_token' in body) stripped += 1;
      delete body.refresh_token;
      return { ...r, body: JSON.stringify(body) };
    });
    const clock = createTestClock();
    const session = b.session({ clock, fetch });
    await session.restore();
    clock.advance(400_000);
    expect((await session.retryNow()).state).toBe('signed-in');
    expect(stripped).toBe(1);
    const after = await storedRecord(b);
    expect(after?.rt).toBe(before?.rt);
    expect(after?.at).not.toBe(before?.at);
    // The kept refresh token is still good for the next renewal.
    clock.advance(400_000);
    const again = await session.retryNow();
    expect(again.state).toBe('signed-in');
    expect(again.lastError).toBeNull();
  });

  it('K12 the new refresh token is in the keychain before any caller gets the new access token', async () => {
    const b = await signedInBench('k12-order');
    const before = await storedRecord(b);
    // Look into the keychain at the moment the new access token leaves the process (fetch port).
    let storedWhenUsed: Awaited<ReturnType<typeof storedRecord>> = null;
    let tokenUsed: string | null = null;
    const fetch: FetchLike = async (input, init) => {
      const url = new URL(String(input instanceof Request ? input.url : input));
      if (url.origin === b.api.origin) {
        tokenUsed = new Headers(init?.headers).get('authorization')?.replace(/^Bearer /, '') ?? null;
        storedWhenUsed = await storedRecord(b);
      }
      return globalThis.fetch(input, init);
    };
    const clock = createTestClock();
    const session = b.session({ clock, fetch });
    await session.restore();
    clock.advance(400_000);
    const response = await session.callApi({ url: `${b.api.origin}/me` });
    expect(response.status).toBe(200);
    expect(tokenUsed).not.toBe(before?.at);
    expect(storedWhenUsed).not.toBeNull();
    expect(storedWhenUsed!.at).toBe(tokenUsed);
    expect(storedWhenUsed!.rt).not.toBe(before?.rt);
    expect(b.provider.stats.refreshTokenReuseDetected).toBe(0);
  });

  it('K17 sign-out during a renewal: the renewal result is dropped, never stored, and its new refresh token is revoked', async () => {
    const b = await signedInBench('k17');
    // The provider answers (and rotates), but the answer is held at the fetch port until sign-out starts.
    let releaseAnswer!: () => void;
    const answerHeld = new Promise<void>((r) => {
      releaseAnswer = r;
    });
    let requestSent!: () => void;
    const sent = new Promise<void>((r) => {
      requestSent = r;
    });
    let newRefreshToken: string | null = null;
    const fetch: FetchLike = async (input, init) => {
      if (!isRefreshRequest(init)) return globalThis.fetch(input, init);
      requestSent();
      const response = await globalThis.fetch(input, init);
      const body = await response.text();
      newRefreshToken = (JSON.parse(body) as { refresh_token?: string }).refresh_token ?? null;
      await answerHeld;
      return new Response(body, { status: response.status, headers: { 'content-type': 'application/json' } });
    };
    const clock = createTestClock();
    const session = b.session({ clock, fetch });
    await session.restore();
    clock.advance(400_000);
    const renewal = session.retryNow();
    await sent;
    await pollUntil(() => newRefreshToken !== null, 10_000, 'the provider to answer');
    const signingOut = session.signOut();
    releaseAnswer();
    const report = await signingOut;
    await renewal;

    expect(report.localTokensDeleted).toBe(true);
    expect(report.revocation).toBe('revoked');
    expect(session.snapshot().state).toBe('signed-out');
    expect(session.snapshot().account).toBeNull();
    expect(await b.keychain.accounts()).toEqual([]);
    // The dropped renewal's refresh token is dead at the provider too.
    expect(newRefreshToken).not.toBeNull();
    expect(await refreshTokenStillWorks(b, newRefreshToken!)).toBe(false);
    // And nothing reappears later.
    await sleep(200);
    expect(await b.keychain.accounts()).toEqual([]);
    expect(session.snapshot().state).toBe('signed-out');
  });

  it('K17 sign-out while the token endpoint is still thinking: the renewal is aborted and nothing is stored', async () => {
    const b = await signedInBench('k17-abort');
    b.provider.failTokenEndpoint({ delayMs: 1_000 }, { times: 1 });
    const clock = createTestClock();
    const session = b.session({ clock });
    await session.restore();
    clock.advance(400_000);
    const renewal = session.retryNow();
    await waitForSnapshot(session, inState('refreshing'));
    const report = await session.signOut();
    await renewal;
    expect(report.localTokensDeleted).toBe(true);
    await sleep(1_300); // past the provider's delay
    expect(await b.keychain.accounts()).toEqual([]);
    expect(session.snapshot().state).toBe('signed-out');
  });
});
