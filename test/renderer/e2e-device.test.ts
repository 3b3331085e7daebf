/**
 * End to end, sign in with a code on another device (RFC 8628), in a real browser: the production
 * renderer build served through the app's own app:// handler in chromium, `window.auth` built by
 * the real preload/api.ts and wired to the real IPC handlers and the real session core
 * (`config.deviceFlow` on, a short polling interval), the bench provider, the real keychain.
 *
 *   "Sign in with a code on another device" → the code appears on the page → Copy code and Open
 *   this page work through main → a second chromium (the "other device") enters the code as bob →
 *   the page shows bob signed in. Then: Cancel returns to signed out; a code denied on the other
 *   device, and one left to expire, are explained in plain language. The one stand-in is the
 *   monotonic clock port, moved instead of waiting ten minutes for the expiry.
 *
 * The device_code of every run (the grant's bearer secret), the tokens and anything JWT-shaped are
 * looked for in every reply and event that crossed to the page and in the page's HTML (E12, T4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { externalUrlPolicy, vetVerificationUri } from '../../main/auth/external-url';
import type { SessionService } from '../../main/auth/snapshot';
import { decodeStoredSession } from '../../main/auth/tokens';
import { createIpcHandlers } from '../../main/ipc/handlers';
import { createSenderCheck } from '../../main/ipc/sender';
import type { BrowserLauncher, Clock, FetchLike } from '../../main/platform/ports';
import { createConfSettingsStore } from '../../main/platform/settings.conf';
import { type Bench, startBench, storedEntry } from '../auth/session-harness';
import {
  activeText,
  announced,
  buildRenderer,
  bundleBridge,
  JWT_PATTERN,
  launchChromium,
  openRendererPage,
  PAGE_WEB_CONTENTS_ID,
  type RendererPage,
  screenshot,
  serveRenderer,
} from './harness';

const DEVICE_BUTTON = 'Sign in with a code on another device';

let build: ReturnType<typeof buildRenderer>;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let bridge: string;
let chromium: Awaited<ReturnType<typeof launchChromium>>;

beforeAll(async () => {
  build = buildRenderer();
  server = await serveRenderer(build.dir);
  bridge = await bundleBridge();
  chromium = await launchChromium();
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await server?.close();
  build?.cleanup();
});

/** One bench + session + page, wired like main/index.ts wires the app. */
interface DeviceApp {
  bench: Bench;
  session: SessionService;
  ui: RendererPage;
  /** Everything main put on the clipboard. */
  clipboard: string[];
  /** Verification pages main opened (after vetting) for "Open this page". */
  opened: string[];
  /** Values that must never reach the page: every device_code of the run, then the tokens. */
  secrets: Set<string>;
  close(): Promise<void>;
}

async function startDeviceApp(label: string, clock?: Clock): Promise<DeviceApp> {
  const bench = await startBench(label);
  const secrets = new Set<string>();
  const clipboard: string[] = [];
  const opened: string[] = [];
  // Reads the device authorization responses at the fetch port, to learn this run's device_code.
  const recordingFetch: FetchLike = async (input, init) => {
    const response = await globalThis.fetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (new URL(url).pathname === '/device/auth' && response.ok) {
      const body = (await response.clone().json()) as { device_code?: string };
      if (body.device_code) secrets.add(body.device_code);
    }
    return response;
  };
  const session = bench.session({
    config: { deviceFlow: true },
    fetch: recordingFetch,
    tunables: { deviceIntervalMs: 200 },
    ...(clock ? { clock } : {}),
  });
  // "Open this page": the app's own vetting (E9, RFC 8628 §5.4) with the policy read from the
  // discovery cache the core wrote, as main/index.ts wires it; the test then plays the browser.
  const settings = createConfSettingsStore({ dir: bench.userData });
  const devicePage: BrowserLauncher = {
    async open(url) {
      opened.push(vetVerificationUri(url, externalUrlPolicy(bench.config, settings)).href);
    },
  };
  const view = { apiOrigins: [bench.api.origin], apiUrl: `${bench.api.origin}/me`, deviceFlow: true };
  const handlers = createIpcHandlers({
    session,
    clipboard: { writeText: (text) => clipboard.push(text) },
    isTrustedSender: createSenderCheck({ appOrigin: server.origin, windowWebContentsId: () => PAGE_WEB_CONTENTS_ID }),
    devicePage,
    ...view,
  });
  await session.restore();
  const ui = await openRendererPage({ origin: server.origin, handlers, session, view, bridge, browser: chromium });
  await ui.page.emulateMedia({ reducedMotion: 'reduce' });
  return {
    bench,
    session,
    ui,
    clipboard,
    opened,
    secrets,
    async close() {
      await ui.close();
      await bench.close();
    },
  };
}

/** Asserts nothing secret is in what crossed IPC or in the page. */
async function expectNoSecretsInPage(app: DeviceApp): Promise<void> {
  const html = await app.ui.page.content();
  const crossed = JSON.stringify(app.ui.crossings);
  for (const secret of app.secrets) {
    expect(crossed.includes(secret), 'a secret crossed IPC').toBe(false);
    expect(html.includes(secret), 'a secret is in the page').toBe(false);
  }
  expect(crossed).not.toMatch(JWT_PATTERN);
  expect(html).not.toMatch(JWT_PATTERN);
}

/** Clicks the device option and waits for the code; returns what the page shows. */
async function startDeviceSignIn(app: DeviceApp): Promise<{ code: string; address: string }> {
  const { page } = app.ui;
  await page.getByRole('button', { name: DEVICE_BUTTON }).click();
  await page.getByRole('heading', { level: 1, name: 'Sign in on another device' }).waitFor();
  const code = page.locator('.device-code-value');
  await code.waitFor({ timeout: 20_000 });
  return { code: (await code.textContent())!, address: (await page.locator('.device-uri').textContent())! };
}

describe('sign in with a code on another device, end to end', () => {
  let app: DeviceApp;
  beforeAll(async () => {
    app = await startDeviceApp('renderer-e2e-device');
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('the signed-out screen offers the option', async () => {
    const { page } = app.ui;
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await expect(page.getByRole('button', { name: DEVICE_BUTTON }).isVisible()).resolves.toBe(true);
    await screenshot(page, 'signed-out-device-option');
  });

  it('click → the code appears, large, with where to enter it and a countdown; Copy and Open this page go through main', async () => {
    const { page } = app.ui;
    const shown = await startDeviceSignIn(app);
    const pending = app.session.snapshot().signIn;
    if (pending?.kind !== 'device') throw new Error('expected a pending device sign-in in the core');
    expect(shown.code).toBe(pending.userCode);
    expect(shown.address).toBe(`${new URL(app.bench.provider.issuer).host}/device`);
    expect(pending.verificationUri).toBe(`${app.bench.provider.issuer}/device`);
    await expect(page.getByRole('timer').textContent()).resolves.toMatch(/^Code expires in (10:00|9:[0-5]\d)$/);
    await expect(activeText(page)).resolves.toBe('Sign in on another device');
    await expect.poll(() => announced(page)).toContain(`enter the code ${pending.userCode.split('-').map((g) => g.split('').join(' ')).join(', ')}`);

    await page.getByRole('button', { name: 'Copy code' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    expect(app.clipboard).toEqual([pending.userCode]);

    await page.getByRole('button', { name: 'Open this page' }).click();
    await page.locator('.notice strong', { hasText: 'Opened the page in your browser.' }).waitFor();
    expect(app.opened).toEqual([pending.verificationUri]);
    await page.getByRole('button', { name: 'Dismiss message' }).click();
    await page.getByRole('button', { name: 'Copy code' }).waitFor();

    expect(app.secrets.size).toBe(1);
    await expectNoSecretsInPage(app);
    await screenshot(page, 'device-code');
  });

  it('the code entered on another device, as bob → the page shows bob signed in, the session is in the keychain', async () => {
    const { page } = app.ui;
    // The "other device": the bench's second chromium, at the page main opened, typing the code the page shows.
    const code = (await page.locator('.device-code-value').textContent())!;
    const entered = await app.bench.browser.enterDeviceCode(app.opened[0]!, code, { account: 'bob' });
    expect(entered.success).toBe(true);

    await page.getByRole('heading', { level: 1, name: 'Signed in' }).waitFor({ timeout: 20_000 });
    await expect(page.locator('.account-name').textContent()).resolves.toContain('Bob Builder');
    await expect(page.locator('.account-email').textContent()).resolves.toBe('bob@example.test');
    await expect(activeText(page)).resolves.toBe('Signed in');
    await expect.poll(() => announced(page)).toBe('Signed in as Bob Builder.');

    const stored = decodeStoredSession((await storedEntry(app.bench))!.raw);
    expect(stored.account.sub).toBe('bob');
    for (const token of [stored.accessToken, stored.refreshToken]) if (token) app.secrets.add(token);
    expect(app.secrets.size).toBeGreaterThanOrEqual(3);
    await expectNoSecretsInPage(app);
  });

  it('Cancel returns to signed out: polling stops, nothing stored', async () => {
    const { page } = app.ui;
    await page.getByRole('button', { name: 'Sign out' }).click();
    // The screen changes first; the notice comes with sign-out's reply, after the keychain step.
    await page.locator('.notice strong', { hasText: "You're signed out." }).waitFor();
    expect(await storedEntry(app.bench)).toBeNull();

    await startDeviceSignIn(app);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.locator('.notice strong', { hasText: 'Sign-in cancelled.' }).waitFor();
    expect(app.session.snapshot()).toMatchObject({ state: 'signed-out', signIn: null });
    const polls = app.bench.provider.counts.token;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(app.bench.provider.counts.token).toBe(polls);
    expect(await storedEntry(app.bench)).toBeNull();
    await expectNoSecretsInPage(app);
  });

  it('a code turned down on the other device → a plain message on the signed-out screen', async () => {
    const { page } = app.ui;
    const { code } = await startDeviceSignIn(app);
    const pending = app.session.snapshot().signIn;
    if (pending?.kind !== 'device') throw new Error('expected a pending device sign-in');
    const result = await app.bench.browser.enterDeviceCode(pending.verificationUri, code, { account: 'bob', consent: 'deny' });
    expect(result.success).toBe(false);
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 20_000 });
    await expect(alert.textContent()).resolves.toContain('Sign-in was denied');
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(await storedEntry(app.bench)).toBeNull();
    await expectNoSecretsInPage(app);
  });

  it('the page saw no console errors (no CSP violations, no script errors)', () => {
    expect(app.ui.problems).toEqual([]);
  });
});

describe('a code nobody enters', () => {
  let app: DeviceApp;
  /**
   * Time passes for the session without waiting: only the monotonic clock moves (the poller
   * measures `expires_in` on it). The provider keeps its code meanwhile, so what ends the sign-in
   * is the app's own deadline — not a race with the provider purging the code (see the report on
   * main/auth/device.ts: a poll after that purge gets `invalid_grant`).
   */
  let monotonicOffset = 0;
  const clock: Clock = { now: () => Date.now(), monotonicNow: () => performance.now() + monotonicOffset };
  beforeAll(async () => {
    app = await startDeviceApp('renderer-e2e-device-expiry', clock);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('expires → "The code expired before it was entered. Try again." and the way to try again', async () => {
    const { page } = app.ui;
    await startDeviceSignIn(app);
    const pending = app.session.snapshot().signIn;
    if (pending?.kind !== 'device') throw new Error('expected a pending device sign-in');
    // The provider's `expires_in` (600 s on the bench) passes.
    monotonicOffset += pending.expiresAt - Date.now() + 1_000;
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 20_000 });
    await expect(alert.textContent()).resolves.toContain('The code expired before it was entered. Try again.');
    await expect(page.getByRole('button', { name: DEVICE_BUTTON }).isVisible()).resolves.toBe(true);
    expect(app.session.snapshot()).toMatchObject({ state: 'signed-out', lastError: { code: 'device_expired' } });
    await expectNoSecretsInPage(app);
    expect(app.ui.problems).toEqual([]);
  });
});
