/**
 * Fault injection while a signed-in session renews its access token (issue 8 §2): the provider
 * down, 5xx, hangs, resets, HTML pages from a "proxy" (200 and 502), bodies that are not JSON or
 * are cut off, and token responses missing fields. Faults are injected at the real bench provider
 * (its token endpoint answers what the test says, without touching the grant) and at the fetch
 * port (a body cut off mid-stream, the way undici reports it).
 *
 * One sign-in serves the whole file: each case makes the token due, injects its fault, and checks
 * - what the user sees: the snapshot's state and error code, the renderer's headline for that code
 *   (through the real IPC handler) and a message that says what happens or what to do;
 * - nothing lost: the keychain entry is byte for byte the one from before (refresh token kept), and
 *   no API call is made with an expired token;
 * - nothing kept that should be gone: nothing from the bad answer is stored;
 * then lifts the fault and proves the kept refresh token still renews (no reuse detection).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthErrorCode } from '../../main/auth/errors';
import type { SessionService } from '../../main/auth/snapshot';
import { type Bench, startBench, storedEntry, storedRecord } from '../auth/session-harness';
import { type SystemBrowser, startSystemBrowser } from '../support/browser';
import type { Fault } from '../support/provider';
import type { FetchLike } from '../../main/platform/ports';
import { ACTIONABLE, sessionFacts, splitClock, userSees } from './harness';

let browser: SystemBrowser;
let bench: Bench;
let session: SessionService;
const clock = splitClock();
/**
 * Set by a case to cut the next token-endpoint body off mid-stream at the fetch port, before the
 * request reaches the provider (its grant untouched; the other order is the last test).
 */
let cutNextTokenBody = false;

beforeAll(async () => {
  browser = await startSystemBrowser();
  bench = await startBench('adv-renewal', {}, { browser });
  const fetch: FetchLike = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!cutNextTokenBody || url.pathname !== '/token') return globalThis.fetch(input, init);
    cutNextTokenBody = false;
    // The headers and the first bytes arrive, then the connection drops — what undici hands the
    // reader.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"access_token":"eyJhbGciOi'));
        controller.error(droppedConnection());
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
  };
  session = bench.session({
    clock,
    fetch,
    tunables: { httpTimeoutMs: 500, backoffBaseMs: 5_000, backoffMaxMs: 10_000, backoffMaxAttempts: 2 },
  });
  await session.restore();
  const signedIn = await session.signIn();
  expect(signedIn.state).toBe('signed-in');
});
afterAll(async () => {
  await bench?.close();
  await browser?.close();
});

/** undici's error when the peer closes the socket mid-body. */
const droppedConnection = () =>
  Object.assign(new TypeError('terminated'), { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });

/** Makes the access token due (both clocks move past its 300 s lifetime). */
const makeDue = () => clock.advance(400_000);

interface Case {
  name: string;
  inject: () => void | Promise<void>;
  lift: () => void | Promise<void>;
  code: AuthErrorCode;
  state: 'offline' | 'signed-in';
  headline: RegExp;
}

const providerFault = (name: string, fault: Fault, code: AuthErrorCode, headline: RegExp): Case => ({
  name,
  inject: () => bench.provider.failTokenEndpoint(fault),
  lift: () => bench.provider.resetFaults(),
  code,
  state: code === 'token_response_invalid' ? 'signed-in' : 'offline',
  headline,
});

const PROXY_PAGE = '<!DOCTYPE html><html><head><title>Sign in to Wi-Fi</title></head><body><form>…</form></body></html>';

const CASES: Case[] = [
  {
    name: 'the provider is down (port closed)',
    inject: () => bench.provider.stop(),
    lift: () => bench.provider.restart(),
    code: 'network',
    state: 'offline',
    headline: /Can't reach the provider/,
  },
  providerFault('HTTP 500 with an OAuth error body', 500, 'server_error', /having trouble/),
  providerFault('HTTP 503 temporarily_unavailable', 503, 'server_error', /having trouble/),
  providerFault('HTTP 502 with an HTML page from a proxy', { status: 502, body: PROXY_PAGE, headers: { 'content-type': 'text/html' } }, 'server_error', /having trouble/),
  providerFault('HTTP 504 with a plain-text body', { status: 504, body: 'Gateway Timeout' }, 'server_error', /having trouble/),
  providerFault('HTTP 200 with an HTML page from a proxy (captive portal)', { status: 200, body: PROXY_PAGE, headers: { 'content-type': 'text/html' } }, 'network', /Can't reach the provider/),
  providerFault('HTTP 302 to a network sign-in page', { status: 302, body: '', headers: { location: 'http://192.0.2.1/login' } }, 'network', /Can't reach the provider/),
  providerFault('HTTP 200 with a non-JSON text body', { status: 200, body: 'OK' }, 'network', /Can't reach the provider/),
  providerFault('a token endpoint that never answers (timeout)', 'hang', 'timeout', /not answering/),
  providerFault('a reset connection', 'reset', 'network', /Can't reach the provider/),
  {
    name: 'a body cut off mid-stream (connection dropped)',
    inject: () => {
      cutNextTokenBody = true;
    },
    lift: () => {
      cutNextTokenBody = false;
    },
    code: 'network',
    state: 'offline',
    headline: /Can't reach the provider/,
  },
  providerFault(
    'HTTP 200 with JSON that is cut off',
    { status: 200, body: '{"access_token":"abc', headers: { 'content-type': 'application/json' } },
    'token_response_invalid',
    /couldn't be used/,
  ),
  providerFault('a token response without access_token', { status: 200, body: { token_type: 'Bearer', expires_in: 300 } }, 'token_response_invalid', /couldn't be used/),
  providerFault('a token response without token_type', { status: 200, body: { access_token: 'an-opaque-access-token-from-a-sloppy-provider', expires_in: 300 } }, 'token_response_invalid', /couldn't be used/),
];

describe('faults at the token endpoint during a renewal', () => {
  it.each(CASES)('K9 K11 $name: the user is told, the refresh token is kept, nothing from the answer is stored, then it recovers', async (c) => {
    const before = await storedEntry(bench);
    expect(before).not.toBeNull();
    makeDue();
    await c.inject();
    const apiCallsBefore = bench.api.outcomes.ok + bench.api.outcomes.invalidToken;

    const failed = await session.retryNow();
    expect(sessionFacts(failed)).toEqual({ state: c.state, sub: 'alice', code: c.code, memoryOnly: false });
    const seen = await userSees(session);
    expect(seen.view.account?.sub).toBe('alice');
    expect(seen.headline).toMatch(c.headline);
    expect(seen.view.lastError?.message).toMatch(ACTIONABLE);
    // Kept: the whole entry, refresh token included; nothing from the bad answer was written.
    expect(await storedEntry(bench)).toEqual(before);
    // The expired token is not sent: the call fails with the same story instead.
    await expect(session.callApi({ url: `${bench.api.origin}/me` })).rejects.toMatchObject({
      code: c.state === 'offline' ? 'offline' : c.code,
    });
    expect(bench.api.outcomes.ok + bench.api.outcomes.invalidToken).toBe(apiCallsBefore);

    await c.lift();
    const back = await session.retryNow();
    expect(sessionFacts(back)).toEqual({ state: 'signed-in', sub: 'alice', code: null, memoryOnly: false });
    const after = await storedRecord(bench);
    // Compared as booleans: a failing assertion must not print a token (the leak check reads it).
    expect(after?.rt === JSON.parse(before!.raw).rt, 'the renewed refresh token was stored').toBe(false);
    expect(bench.provider.stats.refreshTokenReuseDetected).toBe(0);
    expect((await session.callApi({ url: `${bench.api.origin}/me` })).status).toBe(200);
  });

  it('K15 a token response without expires_in or refresh_token is used as is: old refresh token kept, an API 401 renews it', async () => {
    const before = await storedRecord(bench);
    makeDue();
    // A provider that issues opaque tokens without a lifetime, and no new refresh token.
    bench.provider.failTokenEndpoint({ status: 200, body: { access_token: 'opaque-access-token-without-expiry', token_type: 'Bearer' } }, { times: 1 });
    const renewed = await session.retryNow();
    expect(sessionFacts(renewed)).toEqual({ state: 'signed-in', sub: 'alice', code: null, memoryOnly: false });
    // No lifetime: nothing to schedule; the refresh token is the one we had (RFC 6749 §6).
    expect(renewed.accessTokenExpiresAt).toBeNull();
    expect(renewed.nextRefreshAt).toBeNull();
    const stored = await storedRecord(bench);
    expect(stored?.rt === before?.rt, 'the old refresh token was kept').toBe(true);
    expect(stored?.exp).toBeNull();
    // The API refuses that token: one renewal with the kept refresh token, one retry, success.
    const response = await session.callApi({ url: `${bench.api.origin}/me` });
    expect(response.status).toBe(200);
    expect((await storedRecord(bench))?.rt === before?.rt, 'the renewed refresh token was stored').toBe(false);
    expect(bench.provider.stats.refreshTokenReuseDetected).toBe(0);
  });

  it('K10 invalid_grant: the session ends — memory, keychain entry and timers — and nothing retries', async () => {
    makeDue();
    bench.provider.failTokenEndpoint({ status: 400, body: { error: 'invalid_grant' } });
    bench.provider.resetCounts();
    const ended = await session.retryNow();
    expect(sessionFacts(ended)).toEqual({ state: 'signed-out', sub: null, code: 'invalid_grant', memoryOnly: false });
    expect(ended.nextRefreshAt).toBeNull();
    const seen = await userSees(session);
    expect(seen.headline).toBe('Your session has ended');
    expect(seen.view.lastError?.message).toMatch(/Sign in again/);
    expect(await bench.keychain.accounts()).toEqual([]);
    await expect(session.callApi({ url: `${bench.api.origin}/me` })).rejects.toMatchObject({ code: 'not_signed_in' });
    expect(bench.provider.counts.token).toBe(1);
    bench.provider.resetFaults();
  });
});

describe('a renewal answer lost after the provider acted on it', () => {
  it('K11 an answer lost on the way AFTER the provider rotated: the kept token is spent, so the next try ends the session and says so', async () => {
    // This is the price of refresh-token rotation without a reuse grace period (RFC 9700 §4.14.2):
    // the client cannot know the new token it never received. What must hold: the first failure is
    // "offline" with everything kept, and the reuse is answered with "sign in again" and a clean
    // keychain — never a loop of doomed retries or a half-stored session.
    // A bench of its own: the session above has been ended on purpose.
    const own = await startBench('adv-renewal-lost', {}, { browser });
    try {
      await lostAnswer(own);
    } finally {
      await own.close();
    }
  });
});

async function lostAnswer(own: Bench): Promise<void> {
  const ownClock = splitClock();
  let loseNext = false;
  const fetch: FetchLike = async (input, init) => {
    const response = await globalThis.fetch(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!loseNext || url.pathname !== '/token') return response;
    loseNext = false;
    await response.arrayBuffer(); // the provider answered (and rotated) …
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.error(droppedConnection()); // … and the answer never arrived
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
  };
  const s = own.session({ clock: ownClock, fetch, tunables: { backoffBaseMs: 5_000, backoffMaxMs: 10_000 } });
  await s.restore();
  await s.signIn();
  ownClock.advance(400_000);
  loseNext = true;
  const lost = await s.retryNow();
  expect(sessionFacts(lost)).toEqual({ state: 'offline', sub: 'alice', code: 'network', memoryOnly: false });
  expect(await own.keychain.accounts()).toHaveLength(1);
  const reuseBefore = own.provider.stats.refreshTokenReuseDetected;

  const ended = await s.retryNow();
  expect(sessionFacts(ended)).toEqual({ state: 'signed-out', sub: null, code: 'invalid_grant', memoryOnly: false });
  expect(own.provider.stats.refreshTokenReuseDetected).toBe(reuseBefore + 1);
  expect((await userSees(s)).view.lastError?.message).toMatch(/Sign in again/);
  expect(await own.keychain.accounts()).toEqual([]);
}
