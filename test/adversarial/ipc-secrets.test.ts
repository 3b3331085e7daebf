/**
 * E12/T4 at the IPC boundary, over the REAL core: every invoke channel's reply (and every session
 * event) produced by the real IPC handlers around a real session signed in at the bench provider,
 * checked against the secrets of that very sign-in — the authorization code, the PKCE verifier, the
 * ID token, the access and refresh tokens before and after a renewal. The values are collected at
 * the fetch port (test side only); replies also go to the run-wide leak check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIpcHandlers } from '../../main/ipc/handlers';
import { publishSessionChanges } from '../../main/ipc/register';
import type { SenderInfo } from '../../main/ipc/sender';
import type { FetchLike } from '../../main/platform/ports';
import { INVOKE_CHANNELS } from '../../preload/contract';
import { type Bench, startBench } from '../auth/session-harness';
import { asBrowserLauncher, type SystemBrowser, startSystemBrowser } from '../support/browser';
import { recordOutput } from '../support/output-capture';
import { splitClock } from './harness';

let browser: SystemBrowser;
let bench: Bench;

beforeAll(async () => {
  browser = await startSystemBrowser();
  bench = await startBench('adv-ipc-secrets', {}, { browser });
});
afterAll(async () => {
  await bench?.close();
  await browser?.close();
});

const OUR_FRAME: SenderInfo = { webContentsId: 7, frameUrl: 'app://app/index.html', isMainFrame: true };

describe('E12 what crosses IPC', () => {
  it('E12 T4 every channel over a real signed-in session: no reply or event carries a code, verifier, ID, access or refresh token', async () => {
    const secrets = new Set<string>();
    const keep = (value: unknown) => {
      if (typeof value === 'string' && value.length >= 8) secrets.add(value);
    };
    // Test-side only: note every secret the product sends or receives at the token endpoint.
    const fetch: FetchLike = async (input, init) => {
      const response = await globalThis.fetch(input, init);
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.pathname !== '/token') return response;
      const sent = new URLSearchParams(typeof init?.body === 'string' ? init.body : init?.body instanceof URLSearchParams ? init.body.toString() : '');
      for (const name of ['code', 'code_verifier', 'refresh_token']) keep(sent.get(name));
      const text = await response.text();
      const body = JSON.parse(text) as Record<string, unknown>;
      for (const name of ['access_token', 'refresh_token', 'id_token']) keep(body[name]);
      return new Response(text, { status: response.status, headers: response.headers });
    };
    const clipboard: string[] = [];
    let release!: () => void;
    const userReady = new Promise<void>((r) => {
      release = r;
    });
    // The "user" waits until the test has looked at the pending sign-in, then signs in.
    const launcher = asBrowserLauncher(browser, {
      action: 'custom',
      run: async (url, b) => {
        await userReady;
        return b.signIn(url);
      },
    });
    const clock = splitClock();
    const session = bench.session({ fetch, clock, browser: launcher });
    await session.restore();
    const handlers = createIpcHandlers({
      session,
      clipboard: { writeText: (text) => void clipboard.push(text) },
      isTrustedSender: (sender) => sender.webContentsId === OUR_FRAME.webContentsId && sender.isMainFrame,
      apiOrigins: [bench.api.origin],
      apiUrl: `${bench.api.origin}/me`,
    });
    const crossed: Array<{ channel: string; payload: unknown }> = [];
    const unpublish = publishSessionChanges(
      session,
      () => ({ send: (channel, payload) => void crossed.push({ channel, payload }), isDestroyed: () => false }),
      { apiOrigins: [bench.api.origin], apiUrl: null },
    );
    const call = async (channel: string, payload?: unknown) => {
      const handler = handlers[channel as keyof typeof handlers] as (s: SenderInfo, a: unknown[]) => Promise<unknown>;
      const reply = await handler(OUR_FRAME, payload === undefined ? [] : [payload]);
      crossed.push({ channel, payload: reply });
      recordOutput(`IPC reply on ${channel} (test/adversarial/ipc-secrets.test.ts)`, JSON.stringify(reply));
      return reply as { ok: boolean; value?: unknown };
    };

    try {
      expect((await call(INVOKE_CHANNELS.getSession)).ok).toBe(true);
      const signingIn = call(INVOKE_CHANNELS.signIn);
      await new Promise<void>((resolve) => {
        const poll = () => (session.pendingAuthorizationUrl() ? resolve() : setTimeout(poll, 10));
        poll();
      });
      // While pending: the link goes to the clipboard, never into a reply.
      expect(await call(INVOKE_CHANNELS.copySignInLink)).toEqual({ ok: true, value: { copied: true } });
      expect(clipboard).toHaveLength(1);
      const authorizationUrl = new URL(clipboard[0]!);
      for (const name of ['state', 'nonce', 'code_challenge']) keep(authorizationUrl.searchParams.get(name));
      await call(INVOKE_CHANNELS.getSession);
      release();
      expect((await signingIn).ok).toBe(true);
      expect((await call(INVOKE_CHANNELS.callApi, { url: `${bench.api.origin}/me` })).ok).toBe(true);
      clock.advance(400_000);
      expect((await call(INVOKE_CHANNELS.retry)).ok).toBe(true);
      expect((await call(INVOKE_CHANNELS.callApi, { url: `${bench.api.origin}/items` })).ok).toBe(true);
      await call(INVOKE_CHANNELS.reopenBrowser);
      await call(INVOKE_CHANNELS.cancelSignIn);
      expect((await call(INVOKE_CHANNELS.signOut)).ok).toBe(true);
      await call(INVOKE_CHANNELS.getSession);
    } finally {
      unpublish();
    }

    // What was collected: code, verifier, two ID tokens, two access and two refresh tokens, state…
    expect(secrets.size).toBeGreaterThanOrEqual(9);
    const everything = JSON.stringify(crossed);
    expect(crossed.filter((c) => c.channel.startsWith('auth:')).length).toBeGreaterThan(10);
    for (const secret of secrets) expect(everything.includes(secret), 'a secret crossed IPC').toBe(false);
    // And nothing token-shaped at all (the bench's access and ID tokens are JWTs).
    expect(everything).not.toMatch(/eyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]+/);
  });
});
