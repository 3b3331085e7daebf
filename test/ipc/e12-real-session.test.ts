/**
 * CHECKLIST E12 / T4 over the real core: the real IPC handlers and session-changed events driven
 * through a whole session — sign-in (with the sign-in link copied while pending), API call, retry,
 * sign-out — against the bench provider, chromium as the system browser and the real keychain.
 * Every reply and event is scanned for this run's actual access token, refresh token, authorization
 * code, state, nonce and PKCE challenge, and for anything JWT-shaped; so are the session's logs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionService } from '../../main/auth/snapshot';
import { decodeStoredSession } from '../../main/auth/tokens';
import type { IpcHandlers } from '../../main/ipc/handler';
import { createIpcHandlers } from '../../main/ipc/handlers';
import { publishSessionChanges } from '../../main/ipc/register';
import { createSenderCheck, type SenderInfo } from '../../main/ipc/sender';
import type { InvokeChannel } from '../../preload/contract';
import { type Bench, createManualWake, startBench, storedEntry } from '../auth/session-harness';
import { asBrowserLauncher, type SignInResult } from '../support/browser';

const OUR_FRAME: SenderInfo = { webContentsId: 1, frameUrl: 'app://app/index.html', isMainFrame: true };
const JWT = /eyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]+/;

let bench: Bench;
let session: SessionService & { logger: { lines: string[] } };
let handlers: IpcHandlers;
const crossed: unknown[] = [];
const clipboard: string[] = [];
const secrets = new Set<string>();
let release: () => void = () => {};
let signInResult: Promise<unknown> | undefined;

const call = async (channel: InvokeChannel, ...args: unknown[]) => {
  const reply = await (handlers[channel] as IpcHandlers[InvokeChannel])(OUR_FRAME, args);
  crossed.push({ channel, reply });
  return reply;
};

beforeAll(async () => {
  bench = await startBench('ipc-e12');
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const system = asBrowserLauncher(bench.browser, {
    action: 'custom',
    run: async (url, browser) => {
      await gate;
      return browser.signIn(url);
    },
  });
  session = bench.session({
    wake: createManualWake(),
    browser: {
      async open(url) {
        const u = new URL(url);
        for (const name of ['state', 'nonce', 'code_challenge']) {
          const v = u.searchParams.get(name);
          if (v) secrets.add(v);
        }
        await system.open(url);
        signInResult = system.results.at(-1);
      },
    },
  });
  handlers = createIpcHandlers({
    session,
    clipboard: { writeText: (t) => clipboard.push(t) },
    isTrustedSender: createSenderCheck({ appOrigin: 'app://app', windowWebContentsId: () => 1 }),
    apiOrigins: bench.config.apiOrigins,
  });
  publishSessionChanges(session, () => ({ send: (_c, p) => crossed.push({ event: p }), isDestroyed: () => false }), {
    apiOrigins: bench.config.apiOrigins,
  });
  await session.restore();
}, 60_000);

afterAll(async () => {
  release();
  await bench?.close();
});

describe('E12: no IPC reply or event carries a token, code, verifier, state or nonce', () => {
  it('through a whole session', async () => {
    const signingIn = call('auth:sign-in');
    await expect.poll(() => session.snapshot().state).toBe('signing-in');
    await expect.poll(() => session.pendingAuthorizationUrl()).toBeTruthy();
    expect(await call('auth:copy-sign-in-link')).toEqual({ ok: true, value: { copied: true } });
    expect(clipboard).toHaveLength(1);
    expect(await call('auth:get-session')).toMatchObject({ ok: true, value: { state: 'signing-in', signIn: { kind: 'browser' } } });
    release();
    expect(await signingIn).toMatchObject({ ok: true, value: { state: 'signed-in', account: { sub: 'alice' } } });

    const result = (await signInResult) as SignInResult;
    secrets.add(new URL(result.callbackUrl!).searchParams.get('code')!);
    const stored = decodeStoredSession((await storedEntry(bench))!.raw);
    for (const t of [stored.accessToken, stored.refreshToken]) if (t) secrets.add(t);

    expect(await call('auth:call-api', { url: `${bench.api.origin}/me` })).toMatchObject({ ok: true, value: { status: 200 } });
    expect((await call('auth:retry')) as { ok: boolean }).toMatchObject({ ok: true });
    expect(await call('auth:get-session')).toMatchObject({ ok: true, value: { state: 'signed-in' } });
    expect(await call('auth:sign-out')).toMatchObject({ ok: true, value: { localTokensDeleted: true } });
    expect(await storedEntry(bench)).toBeNull();

    // What we scan for is real: six or more distinct values of this very run.
    expect(secrets.size).toBeGreaterThanOrEqual(6);
    const text = JSON.stringify(crossed);
    expect(crossed.length).toBeGreaterThan(10);
    for (const secret of secrets) expect(text.includes(secret)).toBe(false);
    expect(text).not.toMatch(JWT);
    // T4: and not in the session's logs either.
    const logs = session.logger.lines.join('\n');
    for (const secret of secrets) expect(logs.includes(secret)).toBe(false);
  });
});
