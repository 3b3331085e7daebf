/**
 * The renderer's screens in a real chromium, one per session state, driven through the real IPC
 * handlers and the real preload API by an in-memory session (this tests the UI layer; the real
 * core drives the same page in e2e.test.ts). States the bench cannot easily produce — keychain
 * unavailable, clock skew, a browser that did not open, a refused sign-in — are shown here, with
 * screenshots for the README, and the page's accessibility and CSP are checked.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthError } from '../../main/auth/errors';
import type { SessionSnapshot } from '../../main/auth/snapshot';
import { createIpcHandlers } from '../../main/ipc/handlers';
import { createSenderCheck } from '../../main/ipc/sender';
import { BASE_SNAPSHOT, createFakeSession, type FakeSession, SIGNED_IN } from '../ipc/fake-session';
import {
  activeFocusKey,
  activeText,
  announced,
  buildRenderer,
  bundleBridge,
  launchChromium,
  openRendererPage,
  PAGE_WEB_CONTENTS_ID,
  type RendererPage,
  screenshot,
  serveRenderer,
} from './harness';

const ISSUER = 'https://login.example.com';
const API = 'https://api.example.com';
const now = Date.now();

let build: ReturnType<typeof buildRenderer>;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let bridge: string;
let chromium: Browser;
let session: FakeSession;
let ui: RendererPage;
const clipboard: string[] = [];
/** URLs the device screen's "Open this page" asked main to open. */
const openedPages: string[] = [];

async function open(initial: SessionSnapshot, colorScheme: 'light' | 'dark' = 'light', options: { deviceFlow?: boolean } = {}): Promise<void> {
  await ui?.close();
  session = createFakeSession({ ...initial, issuer: ISSUER });
  const view = { apiOrigins: [API], apiUrl: `${API}/me`, deviceFlow: options.deviceFlow ?? false };
  const handlers = createIpcHandlers({
    session,
    clipboard: { writeText: (t) => clipboard.push(t) },
    devicePage: {
      async open(url) {
        openedPages.push(url);
      },
    },
    isTrustedSender: createSenderCheck({ appOrigin: server.origin, windowWebContentsId: () => PAGE_WEB_CONTENTS_ID }),
    ...view,
  });
  ui = await openRendererPage({ origin: server.origin, handlers, session, view, bridge, browser: chromium });
  await ui.page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
  await ui.page.waitForSelector('#screen[aria-busy="false"]');
}

const signedIn: SessionSnapshot = {
  ...SIGNED_IN,
  issuer: ISSUER,
  accessTokenExpiresAt: now + 9 * 60_000,
  nextRefreshAt: now + 8 * 60_000,
  scopes: ['openid', 'profile', 'email', 'offline_access', 'api:read'],
};

beforeAll(async () => {
  build = buildRenderer();
  server = await serveRenderer(build.dir);
  bridge = await bundleBridge();
  chromium = await launchChromium();
}, 60_000);
afterAll(async () => {
  await ui?.close();
  await chromium?.close();
  await server?.close();
  build?.cleanup();
});
beforeEach(() => {
  clipboard.length = 0;
  openedPages.length = 0;
});

/** A device sign-in waiting for its code to be entered: 9 min 41.5 s left. */
const devicePending = (): SessionSnapshot => ({
  ...BASE_SNAPSHOT,
  state: 'signing-in',
  signIn: {
    kind: 'device',
    userCode: 'WDJB-MJHT',
    verificationUri: `${ISSUER}/device`,
    verificationUriComplete: `${ISSUER}/device?user_code=WDJB-MJHT`,
    expiresAt: Date.now() + 9 * 60_000 + 41_500,
  },
});

describe('screens', () => {
  it('signed out, with a refused sign-in explained in plain language', async () => {
    await open({
      ...BASE_SNAPSHOT,
      lastError: { code: 'access_denied', message: 'Sign-in was cancelled in the browser.' },
    });
    const { page } = ui;
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in');
    await expect(page.getByText('Sign-in was cancelled in the browser').first().isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Sign in with your browser' }).isVisible()).resolves.toBe(true);
    await screenshot(page, 'error-access-denied');
  });

  it('waiting for a browser that did not open: Copy link comes first', async () => {
    await open({
      ...BASE_SNAPSHOT,
      state: 'signing-in',
      signIn: { kind: 'browser', browserOpened: false, startedAt: now, expiresAt: now + 5 * 60_000 },
    });
    const { page } = ui;
    session.pendingUrl = `${ISSUER}/authorize?client_id=app&state=pending-state-value`;
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Finish signing in in your browser');
    await expect(page.getByText("Your browser didn't open").isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Copy link' }).click();
    await page.locator('.notice strong', { hasText: 'Link copied.' }).waitFor();
    expect(clipboard).toEqual([session.pendingUrl]);
    expect(await page.content()).not.toContain('pending-state-value');
    await screenshot(page, 'browser-not-opened');
  });

  it('keychain unavailable: what it means, what to do, and a way to continue', async () => {
    await open({
      ...BASE_SNAPSHOT,
      state: 'storage-unavailable',
      storage: {
        backend: 'Secret Service keyring',
        available: false,
        detail: 'Secret Service keyring is not available (read: Cannot autolaunch D-Bus without X11 $DISPLAY).',
      },
    });
    const { page } = ui;
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe("Your keychain isn't available");
    await expect(page.getByText('Cannot autolaunch D-Bus').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('heading', { name: 'What you can do' }).isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Sign in for this session only' }).click();
    await page.getByRole('heading', { name: 'Signed in', exact: true }).waitFor();
    expect(session.calls).toContain('signIn');
    await screenshot(page, 'storage-unavailable-signed-in');
  });

  it('keychain unavailable screen', async () => {
    await open({
      ...BASE_SNAPSHOT,
      state: 'storage-unavailable',
      storage: { backend: 'Secret Service keyring', available: false, detail: 'Object does not exist at path “/org/freedesktop/secrets/collection/login”.' },
    });
    await screenshot(ui.page, 'storage-unavailable');
  });

  it('clock skew warning on top of a signed-in session', async () => {
    await open({
      ...signedIn,
      clockSkew: { seconds: 840, message: "Your computer's clock is 14 minutes fast. Sign-in and token renewal may fail until it is corrected." },
    });
    const { page } = ui;
    const banner = page.getByRole('region', { name: 'Check your clock' });
    await expect(banner.isVisible()).resolves.toBe(true);
    await expect(banner.textContent()).resolves.toContain('14 minutes fast');
    await screenshot(page, 'clock-skew');
  });

  it('signed in, dark theme', async () => {
    await open(signedIn, 'dark');
    await screenshot(ui.page, 'signed-in-dark');
  });
});

describe('sign in with a code on another device (RFC 8628)', () => {
  it('the option is offered on the signed-out screen only when the device flow is on', async () => {
    await open(BASE_SNAPSHOT);
    await expect(ui.page.getByRole('button', { name: 'Sign in with a code on another device' }).count()).resolves.toBe(0);
    await open(BASE_SNAPSHOT, 'light', { deviceFlow: true });
    const option = ui.page.getByRole('button', { name: 'Sign in with a code on another device' });
    await expect(option.isVisible()).resolves.toBe(true);
    await option.click();
    await ui.page.getByRole('heading', { name: 'Signed in', exact: true }).waitFor();
    expect(session.calls).toContain('signInWithDevice');
    expect(session.calls).not.toContain('signIn');
  });

  it('the device screen: the code large, monospace, letter-spaced and selectable; the address; a live countdown; the warning', async () => {
    await open(devicePending(), 'light', { deviceFlow: true });
    const { page } = ui;
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in on another device');
    const code = page.locator('.device-code-value');
    await expect(code.textContent()).resolves.toBe('WDJB-MJHT');
    const style = await page.evaluate<{ size: number; family: string; spacing: number; select: string }>(`(() => {
      const s = getComputedStyle(document.querySelector('.device-code-value'));
      return { size: parseFloat(s.fontSize), family: s.fontFamily, spacing: parseFloat(s.letterSpacing), select: s.userSelect };
    })()`);
    expect(style.size).toBeGreaterThanOrEqual(32);
    expect(style.family).toMatch(/mono/i);
    expect(style.spacing).toBeGreaterThan(0);
    expect(style.select).toBe('all');
    // Screen readers get the code spelled out.
    await expect(page.locator('.device-code .visually-hidden').textContent()).resolves.toBe('Code: W D J B, M J H T');
    await expect(page.locator('.device-uri').textContent()).resolves.toBe('login.example.com/device');
    await expect(
      page.getByText("Only enter this code on the provider's own page, and only because you started this sign-in.").isVisible(),
    ).resolves.toBe(true);

    const timer = page.getByRole('timer');
    const first = await timer.textContent();
    expect(first).toMatch(/^Code expires in 9:4\d$/);
    await expect.poll(() => timer.textContent(), { timeout: 5_000 }).not.toBe(first);
    expect(await timer.textContent()).toMatch(/^Code expires in 9:[34]\d$/);
    expect(ui.problems).toEqual([]);
  });

  it('Copy code: main copies the user code, the button says "Copied", the live region says so', async () => {
    await open(devicePending(), 'light', { deviceFlow: true });
    const { page } = ui;
    await page.getByRole('button', { name: 'Copy code' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    expect(clipboard).toEqual(['WDJB-MJHT']);
    await expect.poll(() => announced(page)).toBe('Code copied.');
    // Focus stays on the button the user pressed.
    await expect(activeFocusKey(page)).resolves.toBe('copy-code');
    await page.getByRole('button', { name: 'Copy code' }).waitFor({ timeout: 5_000 });
  });

  it('Open this page: main opens the verification page it holds', async () => {
    await open(devicePending(), 'light', { deviceFlow: true });
    const { page } = ui;
    await page.getByRole('button', { name: 'Open this page' }).click();
    await page.locator('.notice strong', { hasText: 'Opened the page in your browser.' }).waitFor();
    expect(openedPages).toEqual([`${ISSUER}/device`]);
  });

  it('the countdown ticks without rebuilding the screen: a selection of the code survives', async () => {
    await open(devicePending(), 'light', { deviceFlow: true });
    const { page } = ui;
    await page.locator('.device-code-value').click();
    const selected = () => page.evaluate<string>('String(window.getSelection())');
    await expect.poll(selected).toBe('WDJB-MJHT');
    const before = await page.getByRole('timer').textContent();
    await expect.poll(() => page.getByRole('timer').textContent(), { timeout: 5_000 }).not.toBe(before);
    expect(await selected()).toBe('WDJB-MJHT');
  });

  it('announces the code when it arrives, after "Getting a code…"', async () => {
    await open({ ...BASE_SNAPSHOT, state: 'signing-in', signIn: null }, 'light', { deviceFlow: true });
    const { page } = ui;
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in on another device');
    await expect(page.getByText('Getting a code from login.example.com…').isVisible()).resolves.toBe(true);
    // No browser-flow controls for a sign-in that has no browser.
    await expect(page.getByRole('button', { name: 'Copy link' }).count()).resolves.toBe(0);
    await page.getByRole('heading', { level: 1 }).focus();
    session.set({ signIn: devicePending().signIn });
    await expect
      .poll(() => announced(page))
      .toBe('Sign in on another device. Go to login.example.com/device and enter the code W D J B, M J H T.');
    await expect(activeText(page)).resolves.toBe('Sign in on another device');
  });

  it('says once, politely, when less than a minute is left', async () => {
    const snapshot = devicePending();
    if (snapshot.signIn?.kind === 'device') snapshot.signIn.expiresAt = Date.now() + 61_500;
    await open(snapshot, 'light', { deviceFlow: true });
    await expect.poll(() => announced(ui.page), { timeout: 8_000 }).toBe('The code expires in less than a minute.');
    await expect(ui.page.getByRole('timer').textContent()).resolves.toMatch(/^Code expires in 0:[0-5]\d$/);
  });

  it('Cancel asks main to cancel', async () => {
    await open(devicePending(), 'light', { deviceFlow: true });
    await ui.page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => session.calls.includes('cancelSignIn')).toBe(true);
  });

  it('an expired code is explained in plain language, with the way to try again right there', async () => {
    await open(BASE_SNAPSHOT, 'light', { deviceFlow: true });
    const { page } = ui;
    session.failNext('signInWithDevice', new AuthError('device_expired', 'The code expired before it was entered. Start again.'));
    await page.getByRole('button', { name: 'Sign in with a code on another device' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toContain('The code expired before it was entered. Try again.');
    await expect(page.getByRole('button', { name: 'Sign in with a code on another device' }).isVisible()).resolves.toBe(true);
    await screenshot(page, 'device-code-expired');
  });

  it('a denied code is explained too', async () => {
    await open(BASE_SNAPSHOT, 'light', { deviceFlow: true });
    const { page } = ui;
    session.failNext('signInWithDevice', new AuthError('device_denied', 'The sign-in was denied.'));
    await page.getByRole('button', { name: 'Sign in with a code on another device' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Sign-in was denied');
  });

  it('the device screen in the dark theme', async () => {
    await open(devicePending(), 'dark', { deviceFlow: true });
    await screenshot(ui.page, 'device-code-dark');
  });
});

describe('accessibility', () => {
  it('is operable from the keyboard alone: Tab to the button, Enter signs in, focus lands on the new heading', async () => {
    await open(BASE_SNAPSHOT);
    const { page } = ui;
    // Skip link first, then the first control on the screen.
    await page.keyboard.press('Tab');
    await expect(activeText(page)).resolves.toBe('Skip to content');
    await page.keyboard.press('Tab');
    await expect(activeText(page)).resolves.toBe('Sign in with your browser');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Signed in', exact: true }).waitFor();
    await expect(activeText(page)).resolves.toBe('Signed in');
    expect(session.calls).toContain('signIn');
  });

  it('announces screen changes in a polite live region', async () => {
    await open(BASE_SNAPSHOT);
    const { page } = ui;
    const live = page.locator('#announcer');
    await expect(live.getAttribute('aria-live')).resolves.toBe('polite');
    session.set({ state: 'signing-in', signIn: { kind: 'browser', browserOpened: true, startedAt: now, expiresAt: now + 300_000 } });
    await expect.poll(() => announced(page)).toContain('Waiting for you');
    session.set({ ...signedIn, state: 'signed-in', signIn: null });
    await expect.poll(() => announced(page)).toBe('Signed in as Alice Liddell.');
  });

  it('keeps focus on the same control when the screen re-renders, and uses aria-disabled (not disabled) while busy', async () => {
    await open(signedIn);
    const { page } = ui;
    await page.getByRole('button', { name: 'Call API' }).focus();
    session.set({ state: 'refreshing' });
    await page.getByText('Renewing now…').waitFor();
    await expect(activeFocusKey(page)).resolves.toBe('call-api');
    await expect(page.locator('button[disabled]').count()).resolves.toBe(0);
  });

  it('every control has a name, nothing has a positive tabindex, every screen has one h1', async () => {
    for (const snapshot of [BASE_SNAPSHOT, signedIn, { ...signedIn, state: 'offline' as const }, devicePending()]) {
      await open(snapshot, 'light', { deviceFlow: true });
      const { page } = ui;
      const unnamed = await page.evaluate<string[]>(`[...document.querySelectorAll('button, input, a[href]')]
        .filter((el) => !(el.textContent.trim() || el.getAttribute('aria-label') || (el.id && document.querySelector('label[for="' + el.id + '"]'))))
        .map((el) => el.outerHTML)`);
      expect(unnamed).toEqual([]);
      await expect(page.locator('[tabindex]:not([tabindex="0"]):not([tabindex="-1"])').count()).resolves.toBe(0);
      await expect(page.locator('h1').count()).resolves.toBe(1);
    }
  });
});

describe('E5: the page cannot reach the network', () => {
  it('CSP blocks fetch from the renderer, inline script never runs, and the page reports no violations on its own', async () => {
    await open(signedIn);
    const { page } = ui;
    expect(ui.problems).toEqual([]);
    const fetched = await page.evaluate(async (api) => {
      try {
        await fetch(`${api}/me`);
        return 'fetched';
      } catch (error) {
        return (error as Error).name;
      }
    }, server.origin);
    expect(fetched).toBe('TypeError');
    const injected = await page.evaluate<boolean>(`(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.body.append(s);
      return window.__inlineRan === true;
    })()`);
    expect(injected).toBe(false);
    expect(ui.problems.some((p) => /Content Security Policy/.test(p))).toBe(true);
  });
});

describe('the build and the source', () => {
  it('dist/renderer/index.html uses relative asset paths (served from app://app/), no inline script, the CSP meta', () => {
    const html = readFileSync(join(build.dir, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0]![1]).toMatch(/type="module" src="\.\/assets\/index-[\w-]+\.js"/);
    expect(scripts[0]![2]!.trim()).toBe('');
    expect(html).toMatch(/<link rel="stylesheet" href="\.\/assets\/index-[\w-]+\.css">/);
    expect(html).not.toMatch(/\b(src|href)="\/(?!\/)/);
    expect(html).toContain(`content="default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'none'"`);
  });

  it('only renderer/src/auth-client.ts touches window.auth', () => {
    const dir = join(import.meta.dirname, '../../renderer/src');
    const code = (f: string) => readFileSync(join(dir, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    const touching = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /\b(window|globalThis|self)\s*(\??\.\s*auth\b|\[\s*['"`]auth)/.test(code(f)));
    expect(touching).toEqual(['auth-client.ts']);
  });
});
