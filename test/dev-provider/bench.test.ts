/** startBench: the three bench servers started and closed together. */
import { describe, expect, it } from 'vitest';
import { startBench } from '../support/bench';
import { signInWithReferenceClient } from '../support/reference-client';

describe('startBench', () => {
  it('starts provider and API without a browser when asked, and closes them', async () => {
    const bench = await startBench({ browser: false });
    try {
      expect((await fetch(bench.provider.discoveryUrl)).status).toBe(200);
      expect((await fetch(`${bench.api.origin}/me`)).status).toBe(401);
      expect(() => bench.browser).toThrow(/browser: false/);
    } finally {
      await bench.close();
    }
    expect(bench.provider.running).toBe(false);
    expect(bench.api.running).toBe(false);
  });

  it('signs in end to end through its browser', async () => {
    const bench = await startBench({ provider: { ttl: { accessToken: 120 } } });
    try {
      const { tokens } = await signInWithReferenceClient(bench.provider, bench.browser, { account: 'bob' });
      expect(tokens.expires_in).toBe(120);
      const res = await fetch(`${bench.api.origin}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      expect(await res.json()).toMatchObject({ sub: 'bob' });
    } finally {
      await bench.close();
    }
  });
});
