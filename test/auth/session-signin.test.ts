/**
 * Sign-in through the session service: the keychain is written before "signed in" is announced,
 * the pending sign-in is visible (without its URL) in the snapshot, cancel returns to the previous
 * state, and a second sign-in cancels the first so only one listener exists (CHECKLIST L22).
 */
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SessionSnapshot } from '../../main/auth/snapshot';
import type { BrowserLauncher, SecretStore } from '../../main/platform/ports';
import { createKeytarSecretStore } from '../../main/platform/secret-store.keytar';
import { type SystemBrowser, startSystemBrowser } from '../support/browser';
import { type Bench, inState, startBench, storedEntry, waitForSnapshot } from './session-harness';

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

/** A launcher that records URLs and lets the test decide when (and whether) the "user" signs in. */
function manualLauncher(): BrowserLauncher & { urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    async open(url) {
      urls.push(url);
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const redirectPort = (url: string) => Number(new URL(new URL(url).searchParams.get('redirect_uri')!).port);

describe('sign-in through the session', () => {
  it('the session is in the keychain before "signed-in" is announced; the snapshot never carries the URL', async () => {
    bench = await startBench('signin-order', {}, { browser });
    // The real keychain, with a note of when each write completed.
    const real = createKeytarSecretStore();
    const events: string[] = [];
    const recording: SecretStore = {
      ...real,
      backend: real.backend,
      set: async (service, account, secret) => {
        await real.set(service, account, secret);
        events.push('keychain write done');
      },
    };
    const session = bench.session({ secretStore: recording });
    await session.restore();
    const snapshots: SessionSnapshot[] = [];
    session.onChange((s) => {
      snapshots.push(s);
      if (s.state === 'signed-in') events.push('signed-in announced');
    });
    const result = await session.signIn();
    expect(result.state).toBe('signed-in');
    expect(events).toEqual(['keychain write done', 'signed-in announced']);
    expect(await storedEntry(bench)).not.toBeNull();
    const pending = snapshots.find((s) => s.state === 'signing-in');
    expect(pending?.signIn).toMatchObject({ kind: 'browser' });
    for (const s of snapshots) expect(JSON.stringify(s)).not.toMatch(/state=|code_challenge|nonce=/);
  });

  it('cancel: "cancelled", back to the previous state, the listener closed', async () => {
    bench = await startBench('signin-cancel', {}, { browser });
    const launcher = manualLauncher();
    const session = bench.session({ browser: launcher });
    await session.restore();
    const pending = session.signIn();
    await waitForSnapshot(session, (s) => s.signIn?.kind === 'browser' && s.signIn.browserOpened);
    expect(session.pendingAuthorizationUrl()).toBe(launcher.urls[0]);
    const port = redirectPort(launcher.urls[0]!);
    expect(await canConnect(port)).toBe(true);
    session.cancelSignIn();
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
    expect(session.snapshot()).toMatchObject({ state: 'signed-out', signIn: null, lastError: { code: 'cancelled' } });
    expect(session.pendingAuthorizationUrl()).toBeNull();
    expect(await canConnect(port)).toBe(false);
  });

  it('L22 a second sign-in cancels the first: "superseded", one listener, the second completes', async () => {
    bench = await startBench('signin-l22', {}, { browser });
    const launcher = manualLauncher();
    const session = bench.session({ browser: launcher });
    await session.restore();
    const first = session.signIn();
    await waitForSnapshot(session, (s) => s.signIn?.kind === 'browser' && s.signIn.browserOpened);
    const firstPort = redirectPort(launcher.urls[0]!);

    const second = session.signIn();
    await expect(first).rejects.toMatchObject({ code: 'superseded' });
    await waitForSnapshot(session, () => launcher.urls.length === 2);
    expect(session.snapshot().state).toBe('signing-in');
    expect(await canConnect(firstPort)).toBe(false);
    expect(await canConnect(redirectPort(launcher.urls[1]!))).toBe(true);

    // The user finishes the FIRST (stale) tab: its listener is gone, nothing happens.
    await browser.signIn(launcher.urls[0]!).catch(() => undefined);
    expect(session.snapshot().state).toBe('signing-in');
    // The second completes.
    await browser.signIn(launcher.urls[1]!);
    expect((await second).state).toBe('signed-in');
    await waitForSnapshot(session, inState('signed-in'));
    expect(await bench.keychain.accounts()).toHaveLength(1);
    expect(bench.provider.counts.token).toBe(1);
  });

  it('L21 the browser cannot be started: the sign-in keeps waiting and the link is available to copy', async () => {
    bench = await startBench('signin-l21', {}, { browser });
    const session = bench.session({ behaviour: { action: 'fail' } });
    await session.restore();
    const pending = session.signIn();
    const waiting = await waitForSnapshot(session, (s) => s.state === 'signing-in');
    expect(waiting.signIn).toMatchObject({ kind: 'browser', browserOpened: false });
    const url = await new Promise<string>((resolve) => {
      const poll = () => {
        const u = session.pendingAuthorizationUrl();
        if (u) resolve(u);
        else setTimeout(poll, 10);
      };
      poll();
    });
    await browser.signIn(url); // the user pasted the link
    expect((await pending).state).toBe('signed-in');
  });
});
