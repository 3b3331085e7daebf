/**
 * Protected calls (issue 4 §4): the token goes only to configured API origins, `invalid_token`
 * means one renewal and one retry, every call is bounded in time and size, and offline means an
 * immediate typed error. Real bench provider and demo API (JWT access tokens checked with jose).
 */
import { describe, expect, it } from 'vitest';
import {
  countingFetch,
  createTestClock,
  editStoredEntry,
  inState,
  leakedSecrets,
  storedRecord,
  waitForSnapshot,
  useSessionBench,
} from './session-harness';



const { signedIn: signedInBench } = useSessionBench();

describe('callApi', () => {
  it('calls an allowed origin with the bearer token and returns status, headers and body', async () => {
    const b = await signedInBench('api-ok');
    const session = b.session();
    await session.restore();
    const response = await session.callApi({ url: `${b.api.origin}/items`, headers: { accept: 'application/json' } });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('application/json');
    expect(JSON.parse(response.body).items).toHaveLength(3);
    // A non-2xx answer is returned as is (here: no such route).
    expect((await session.callApi({ url: `${b.api.origin}/nope` })).status).toBe(404);
  });

  it('a call to an origin not on the list is refused before a token is attached: no request leaves the process', async () => {
    const b = await signedInBench('api-origin');
    const fetch = countingFetch();
    const session = b.session({ fetch });
    await session.restore();
    b.provider.resetCounts();
    const refused = [
      `${b.provider.issuer}/me`, // the provider itself is not an API origin here
      'https://evil.example/steal',
      `${b.api.origin.replace('127.0.0.1', 'localhost')}/me`, // same server, different origin
      `${b.api.origin.replace('http://', 'http://user:pw@')}/me`,
      `${b.api.origin.replace('http:', 'https:')}/me`,
    ];
    for (const url of refused) {
      await expect(session.callApi({ url })).rejects.toMatchObject({ code: 'origin_not_allowed' });
    }
    expect(fetch.total()).toBe(0);
    expect(b.provider.counts.userinfo).toBe(0);
    expect(b.api.counts.me).toBe(0);
  });

  it('401 invalid_token → one renewal, one retry, success', async () => {
    const b = await signedInBench('api-401');
    // The stored access token is rejected by the API (revoked, or keys rotated) though not expired.
    await editStoredEntry(b, (record) => {
      record.at = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.bad-signature';
    });
    const session = b.session();
    await session.restore();
    b.provider.resetCounts();
    b.api.resetCounts();
    const response = await session.callApi({ url: `${b.api.origin}/me` });
    expect(response.status).toBe(200);
    expect(b.provider.counts.token).toBe(1);
    expect(b.api.counts.me).toBe(2);
    expect(b.api.outcomes.invalidToken).toBe(1);
  });

  it('401 invalid_token again after the renewal → the 401 is returned; exactly one renewal and one retry', async () => {
    const b = await signedInBench('api-401-twice');
    b.api.fail('me', { status: 401, body: { error: 'invalid_token' }, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
    const session = b.session();
    await session.restore();
    b.provider.resetCounts();
    b.api.resetCounts();
    const response = await session.callApi({ url: `${b.api.origin}/me` });
    expect(response.status).toBe(401);
    expect(b.provider.counts.token).toBe(1);
    expect(b.api.counts.me).toBe(2);
  });

  it('a response above the size cap → response_too_large', async () => {
    const b = await signedInBench('api-large');
    b.api.fail('items', { status: 200, body: 'x'.repeat(2 * 1024 * 1024) });
    const session = b.session();
    await session.restore();
    await expect(session.callApi({ url: `${b.api.origin}/items` })).rejects.toMatchObject({ code: 'response_too_large' });
    const small = b.session({ tunables: { apiMaxResponseBytes: 10 } });
    await small.restore();
    await expect(small.callApi({ url: `${b.api.origin}/me` })).rejects.toMatchObject({ code: 'response_too_large' });
  });

  it('an API that never answers → timeout', async () => {
    const b = await signedInBench('api-hang');
    b.api.fail('items', 'hang');
    const session = b.session({ tunables: { apiTimeoutMs: 300 } });
    await session.restore();
    await expect(session.callApi({ url: `${b.api.origin}/items` })).rejects.toMatchObject({ code: 'timeout' });
  });

  it('offline with an expired token → a typed "offline" error at once, not a wait on the provider', async () => {
    const b = await signedInBench('api-offline');
    const clock = createTestClock();
    // A provider that now hangs: any wait on it would end in "timeout" after 10 s, not "offline".
    const session = b.session({ clock, tunables: { httpTimeoutMs: 10_000, backoffBaseMs: 60_000 } });
    await session.restore();
    await b.provider.stop();
    clock.advance(400_000);
    expect((await session.retryNow()).state).toBe('offline');
    await b.provider.restart();
    b.provider.failTokenEndpoint('hang');
    b.api.resetCounts();
    await expect(session.callApi({ url: `${b.api.origin}/me` })).rejects.toMatchObject({ code: 'offline' });
    expect(b.api.counts.me).toBe(0);
    expect(session.snapshot().account?.sub).toBe('alice');
  });

  it('T4 no token appears in any log line, snapshot or error message of a session', async () => {
    const b = await signedInBench('api-t4');
    const clock = createTestClock();
    const session = b.session({ clock });
    const seen: string[] = [];
    session.onChange((s) => seen.push(JSON.stringify(s)));
    await session.restore();
    clock.advance(400_000);
    await session.callApi({ url: `${b.api.origin}/me` });
    await waitForSnapshot(session, inState('signed-in'));
    const stored = await storedRecord(b);
    const errors: string[] = [];
    await session.callApi({ url: 'https://elsewhere.example/' }).catch((e: Error) => errors.push(e.message));
    expect(leakedSecrets([...session.logger.lines, ...seen, ...errors], [stored?.rt, stored?.at])).toEqual([]);
    expect(seen.length).toBeGreaterThan(0);
  });
});
