/**
 * CHECKLIST C5 through the whole session, not only sessionFromTokenResponse: a renewal whose ID
 * token names another issuer, subject or audience than the one the session was signed in with
 * (OIDC Core §12.2 — oauth4webapi cannot check this for us) ends the session: signed out, the
 * keychain entry deleted, the user told why, and no retry. The mismatch is made by changing the
 * stored identity anchor (what the keychain remembers of the first ID token), so the provider's
 * real, correctly signed ID token is what no longer matches.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Bench, editStoredEntry, startBench } from '../auth/session-harness';
import { type SystemBrowser, startSystemBrowser } from '../support/browser';
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
  await bench?.close();
  bench = undefined;
});

describe('C5 the same user after every renewal', () => {
  it.each([
    ['issuer', 0, 'https://another-issuer.example'],
    ['subject', 1, 'mallory'],
    ['audience', 2, 'another-client'],
  ] as const)('C5 a renewed ID token with another %s than the session\'s: signed out, entry deleted, told why, no retry', async (_what, index, value) => {
    bench = await startBench(`adv-c5-${index}`, {}, { browser });
    const first = bench.session();
    await first.restore();
    await first.signIn();
    first.dispose();
    await editStoredEntry(bench, (record) => {
      (record.idt as string[])[index] = value;
    });

    const clock = splitClock();
    const session = bench.session({ clock, tunables: { backoffBaseMs: 20, backoffMaxMs: 40 } });
    expect((await session.restore()).state).toBe('signed-in');
    bench.provider.resetCounts();
    clock.advance(400_000);
    const ended = await session.retryNow();
    expect(sessionFacts(ended)).toEqual({ state: 'signed-out', sub: null, code: 'subject_changed', memoryOnly: false });
    const seen = await userSees(session);
    expect(seen.headline).toBe('A different account came back');
    expect(seen.view.lastError?.message).toMatch(/sign in again/i);
    expect(await bench.keychain.accounts()).toEqual([]);
    await sleep(200);
    expect(bench.provider.counts.token).toBe(1);
    await expect(session.callApi({ url: `${bench.api.origin}/me` })).rejects.toMatchObject({ code: 'not_signed_in' });
  });
});
