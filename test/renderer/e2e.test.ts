/**
 * End to end in a real browser: the production renderer build, served on loopback through the
 * app's own app:// handler, in chromium; `window.auth` built by the real preload/api.ts and wired
 * by a test bridge to the real IPC handlers and the real session core; the bench provider and demo
 * API; a second chromium playing the user's system browser; the real keychain.
 *
 *   Sign in → sign in at the "system browser" → the account shows → Call API shows the API's
 *   answer → the provider goes down → offline banner → it comes back → Retry works → Sign out →
 *   signed-out screen, keychain entry gone.
 *
 * Every reply and event that crossed to the page, and the page's own HTML, are scanned for the
 * tokens, the authorization code, state and nonce of this very run (CHECKLIST E12, T4).
 * The stand-ins are the ports meant for it: the monotonic clock (moved instead of waiting for expiry) and
 * wake signals (fired instead of resuming a laptop). Screenshots of each screen go to
 * docs/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStoredSession } from '../../main/auth/tokens';
import { externalUrlPolicy, vetExternalUrl } from '../../main/auth/external-url';
import type { SessionService } from '../../main/auth/snapshot';
import { createIpcHandlers } from '../../main/ipc/handlers';
import { createSenderCheck } from '../../main/ipc/sender';
import type { BrowserLauncher } from '../../main/platform/ports';
import { type Bench, createManualWake, startBench, storedEntry } from '../auth/session-harness';
import { asBrowserLauncher, type SignInResult } from '../support/browser';
import {
  activeFocusKey,
  activeText,
  buildRenderer,
  bundleBridge,
  JWT_PATTERN,
  openRendererPage,
  PAGE_WEB_CONTENTS_ID,
  type RendererPage,
  screenshot,
  serveRenderer,
} from './harness';

let bench: Bench;
let build: ReturnType<typeof buildRenderer>;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let ui: RendererPage;
let session: SessionService;
/**
 * Time passes for the session without waiting: only the monotonic clock moves (token expiry is
 * measured on it, CHECKLIST K8). The wall clock stays true, so the provider's Date header does not
 * make the app report a wrong clock.
 */
let monotonicOffset = 0;
const clock = { now: () => Date.now(), monotonicNow: () => performance.now() + monotonicOffset };
const wake = createManualWake();
const clipboard: string[] = [];
/** Values that must never reach the page: filled in as the run learns them. */
const secrets = new Set<string>();
let releaseBrowser: () => void = () => {};
const browserResults: Array<Promise<unknown>> = [];

beforeAll(async () => {
  bench = await startBench('renderer-e2e');
  build = buildRenderer();
  server = await serveRenderer(build.dir);
  const bridge = await bundleBridge();

  // The "system browser" waits until the test has looked at the waiting screen, then signs in as
  // alice. Every URL passes the app's own openExternal vetting first (E9), with the policy read
  // from the discovery cache the core just wrote — as the Electron launcher does.
  const gate = new Promise<void>((resolve) => {
    releaseBrowser = resolve;
  });
  const system = asBrowserLauncher(bench.browser, {
    action: 'custom',
    run: async (url, browser) => {
      await gate;
      return browser.signIn(url, { account: 'alice' });
    },
  });
  const settings = (await import('../../main/platform/settings.conf')).createConfSettingsStore({ dir: bench.userData });
  const vetted: BrowserLauncher = {
    async open(url) {
      vetExternalUrl(url, externalUrlPolicy(bench.config, settings));
      const auth = new URL(url);
      for (const name of ['state', 'nonce', 'code_challenge']) {
        const value = auth.searchParams.get(name);
        if (value) secrets.add(value);
      }
      await system.open(url);
      browserResults.push(system.results.at(-1)!);
    },
  };
  // No automatic retry during the test (the first one would be 10 minutes away): the user's Retry
  // is what brings the session back, deterministically.
  session = bench.session({ clock, wake, browser: vetted, tunables: { backoffBaseMs: 600_000, backoffMaxMs: 600_000 } });

  const view = { apiOrigins: [bench.api.origin], apiUrl: `${bench.api.origin}/me` };
  const handlers = createIpcHandlers({
    session,
    clipboard: { writeText: (text) => clipboard.push(text) },
    isTrustedSender: createSenderCheck({ appOrigin: server.origin, windowWebContentsId: () => PAGE_WEB_CONTENTS_ID }),
    ...view,
  });
  await session.restore();
  ui = await openRendererPage({ origin: server.origin, handlers, session, view, bridge });
  await ui.page.emulateMedia({ reducedMotion: 'reduce' });
}, 120_000);

afterAll(async () => {
  releaseBrowser();
  await ui?.close();
  await server?.close();
  build?.cleanup();
  await bench?.close();
});

/** Asserts nothing secret is in what crossed IPC or in the page. */
async function expectNoSecretsInPage(): Promise<void> {
  const html = await ui.page.content();
  const crossed = JSON.stringify(ui.crossings);
  for (const secret of secrets) {
    expect(crossed.includes(secret), 'a secret crossed IPC').toBe(false);
    expect(html.includes(secret), 'a secret is in the page').toBe(false);
  }
  expect(crossed).not.toMatch(JWT_PATTERN);
  expect(html).not.toMatch(JWT_PATTERN);
}

describe('the desktop app, end to end', () => {
  it('starts signed out', async () => {
    const { page } = ui;
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await expect(page.locator('#provider').textContent()).resolves.toBe(new URL(bench.provider.issuer).host);
    await screenshot(page, 'signed-out');
  });

  it('Sign in → waits for the browser → the account shows', async () => {
    const { page } = ui;
    await page.getByRole('button', { name: 'Sign in with your browser' }).click();
    await page.getByRole('heading', { level: 1, name: 'Finish signing in in your browser' }).waitFor();
    await expect(page.getByRole('button', { name: 'Open the browser again' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Cancel' }).isVisible()).resolves.toBe(true);

    // Copy link: the main process copies the URL itself; the page only hears "copied".
    await page.getByRole('button', { name: 'Copy link' }).click();
    await page.locator('.notice strong', { hasText: 'Link copied.' }).waitFor();
    expect(clipboard).toHaveLength(1);
    expect(new URL(clipboard[0]!).searchParams.get('state')).toBeTruthy();
    await screenshot(page, 'waiting-for-browser');
    await expectNoSecretsInPage();

    releaseBrowser();
    await page.getByRole('heading', { level: 1, name: 'Signed in' }).waitFor({ timeout: 30_000 });
    const result = (await browserResults[0]) as SignInResult;
    expect(result.redirected).toBe(true);
    const callback = new URL(result.callbackUrl!);
    secrets.add(callback.searchParams.get('code')!);

    await expect(page.locator('.account-name').textContent()).resolves.toContain('Alice Liddell');
    await expect(page.locator('.account-email').textContent()).resolves.toBe('alice@example.test');
    await expect(page.locator('.avatar').textContent()).resolves.toBe('AL');
    // With a resource indicator the provider's token response lists the API's scopes (RFC 8707).
    await expect(page.locator('.chip').allTextContents()).resolves.toContain('api:read');
    await expect(page.getByText(/^At \d\d:\d\d \(in \d+ minutes\)$/).isVisible()).resolves.toBe(true);
    // Focus followed the user back to the app: the new screen's heading.
    await expect(activeText(page)).resolves.toBe('Signed in');

    // The tokens themselves, from the keychain, join the list of things the page must never see.
    const entry = await storedEntry(bench);
    const stored = decodeStoredSession(entry!.raw);
    for (const token of [stored.accessToken, stored.refreshToken]) if (token) secrets.add(token);
    expect(secrets.size).toBeGreaterThanOrEqual(5);
    await expectNoSecretsInPage();
  });

  it('Call API shows the API’s answer', async () => {
    const { page } = ui;
    await page.getByRole('button', { name: 'Call API' }).click();
    await page.locator('.api-body').waitFor();
    await expect(page.locator('.status').textContent()).resolves.toBe('HTTP 200');
    const body = JSON.parse((await page.locator('.api-body').textContent())!);
    expect(body).toMatchObject({ sub: 'alice', clientId: bench.provider.clientId });
    expect(bench.api.counts.me).toBe(1);
    await screenshot(page, 'signed-in-api-response');
    await expectNoSecretsInPage();
  });

  it('the provider goes down → offline banner, account still shown, nothing deleted', async () => {
    const { page } = ui;
    await bench.provider.stop();
    // Time passes (the access token is due) and the laptop wakes up: the core tries to renew.
    monotonicOffset += 400_000;
    wake.fire('resume');
    const banner = page.getByRole('region', { name: "You're offline" });
    await banner.waitFor({ timeout: 30_000 });
    await expect(page.locator('.account-name').textContent()).resolves.toContain('Alice Liddell');
    await expect(page.getByRole('button', { name: 'Retry now' }).isVisible()).resolves.toBe(true);
    // Focus moved to the Retry button of the banner.
    await expect(activeFocusKey(page)).resolves.toBe('retry');
    expect(await storedEntry(bench)).not.toBeNull();
    await screenshot(page, 'offline');
    await expectNoSecretsInPage();
  });

  it('the provider is back → Retry works', async () => {
    const { page } = ui;
    await bench.provider.restart();
    await page.getByRole('button', { name: 'Retry now' }).click();
    await page.getByRole('region', { name: "You're offline" }).waitFor({ state: 'detached', timeout: 30_000 });
    await page.getByRole('heading', { level: 1, name: 'Signed in' }).waitFor();
    const before = bench.api.counts.me;
    await page.getByRole('button', { name: 'Call API' }).click();
    await expect.poll(() => bench.api.counts.me).toBe(before + 1);
    await page.locator('#announcer', { hasText: 'The API answered with HTTP 200.' }).waitFor({ state: 'attached' });
    // The renewal rotated the tokens: the new ones must not reach the page either.
    const stored = decodeStoredSession((await storedEntry(bench))!.raw);
    for (const token of [stored.accessToken, stored.refreshToken]) if (token) secrets.add(token);
    await expectNoSecretsInPage();
  });

  it('Sign out → signed-out screen, keychain entry gone', async () => {
    const { page } = ui;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.locator('.notice strong', { hasText: "You're signed out." }).waitFor();
    expect(await storedEntry(bench)).toBeNull();
    expect(await bench.keychain.accounts()).toEqual([]);
    await screenshot(page, 'signed-out-after-sign-out');
    await expectNoSecretsInPage();
  });

  it('the page saw no console errors (no CSP violations, no script errors)', () => {
    expect(ui.problems).toEqual([]);
  });
});
