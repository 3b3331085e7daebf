/**
 * The user's "system browser" for tests: Debian's chromium driven by playwright-core, playing a
 * person at the bench provider's devInteractions pages (login, consent, device code).
 *
 * Public API:
 * - `startSystemBrowser(opts?: { executablePath?: string }): Promise<SystemBrowser>` — fails with a
 *   clear message when chromium is missing (never a skip).
 * - `SystemBrowser`:
 *   - `signIn(authorizationUrl, opts?: SignInOptions): Promise<SignInResult>` — signs in (login +
 *     consent or deny) and follows the redirect back to the app's loopback `redirect_uri`.
 *   - `enterDeviceCode(verificationUri, userCode, opts?: SignInOptions): Promise<DeviceResult>`
 *   - `signOut(endSessionUrl): Promise<SignInResult>` — confirms the provider's logout page.
 *   - `abandon(url): Promise<void>` — opens a tab and leaves it there.
 *   - `openRaw(url): Promise<RawResult>` — one navigation, nothing clicked (hostile requests).
 *   - `opened: string[]` — every URL this browser was asked to open (signIn/abandon/openRaw).
 *   - `close(): Promise<void>` — closes chromium and deletes its profile directory.
 * - `asBrowserLauncher(browser, behaviour?: BrowserBehaviour): TestBrowserLauncher` — a
 *   `BrowserLauncher` (main/platform/ports.ts shape: `open(url): Promise<void>`) that plays the
 *   user in the background, plus `opened`, `results`, `settled()`.
 * - `CHROMIUM_PATH`, `CHROMIUM_ARGS`.
 *
 * Every request whose host is not loopback is aborted: the network is closed on the bench, and the
 * dev pages import web fonts that would otherwise hang the page.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page, type Response } from 'playwright-core';

/** Where Debian installs chromium (override with `OAUTH_DESKTOP_CHROMIUM`). */
export const CHROMIUM_PATH = process.env.OAUTH_DESKTOP_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for a headless chromium in a container with no network (see ENVIRONMENT.md). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/** What the simulated user does at the provider's pages. */
export interface SignInOptions {
  /** Login typed at the dev login page. Default `alice` (see dev-provider/README.md). */
  account?: string;
  /** Password typed (the dev page does not check it). Default `demo`. */
  password?: string;
  /** Approve (default) or deny (the page's Cancel link → `error=access_denied`) at consent. */
  consent?: 'approve' | 'deny';
  /** Cancel at the login page instead of signing in. */
  cancelAtLogin?: boolean;
  /** Give up after this long (ms). Default 20,000. */
  timeoutMs?: number;
  /**
   * Keep the provider session cookies from earlier sign-ins (single sign-on: no login page, and
   * `account` is ignored). Default false: cookies are cleared first, so `account` is who signs in.
   */
  keepSession?: boolean;
}

/** Where a sign-in ended. */
export interface SignInResult {
  /** True when the browser was redirected to the `redirect_uri`'s origin (the app's listener). */
  redirected: boolean;
  /**
   * The first URL the browser requested at the redirect origin: the authorization response
   * (code, state, iss or error). Test-only: it carries a live code.
   */
  callbackUrl?: string;
  /** URL of the last page shown. */
  url: string;
  /** HTTP status of the last page (0 when the page failed to load, e.g. nothing listening). */
  status: number;
  /** Visible text of the last page. */
  text: string;
}

/** Where a device-code entry ended. */
export interface DeviceResult {
  /** True when the provider showed its "Sign-in Success" page. */
  success: boolean;
  url: string;
  status: number;
  text: string;
}

/** One navigation without interaction. */
export interface RawResult {
  url: string;
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** The browser a test drives. */
export interface SystemBrowser {
  signIn(authorizationUrl: string, opts?: SignInOptions): Promise<SignInResult>;
  enterDeviceCode(verificationUri: string, userCode: string, opts?: SignInOptions): Promise<DeviceResult>;
  /**
   * Opens an RP-initiated logout URL and confirms "Yes, sign me out"; `redirected` is true when the
   * browser reached the `post_logout_redirect_uri`'s origin.
   */
  signOut(endSessionUrl: string): Promise<SignInResult>;
  abandon(url: string): Promise<void>;
  openRaw(url: string): Promise<RawResult>;
  /** Every URL this browser was asked to open, in order. */
  readonly opened: string[];
  /** The playwright context, for tests that need more. */
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Options of {@link startSystemBrowser}. */
export interface SystemBrowserOptions {
  /** Chromium binary. Default {@link CHROMIUM_PATH}. */
  executablePath?: string;
}

/**
 * Launches chromium with a fresh profile.
 * @see RFC 8252 §4 (the external user-agent)
 */
export async function startSystemBrowser(opts: SystemBrowserOptions = {}): Promise<SystemBrowser> {
  const executablePath = opts.executablePath ?? CHROMIUM_PATH;
  if (!existsSync(executablePath)) {
    throw new Error(
      `The test bench needs chromium as the system browser, and ${executablePath} does not exist. ` +
        'Install the system packages: sudo bash scripts/install-system-deps.sh (or set OAUTH_DESKTOP_CHROMIUM).',
    );
  }
  const profileDir = await mkdtemp(join(tmpdir(), 'oauth-desktop-browser-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS],
    });
  } catch (err) {
    await rm(profileDir, { recursive: true, force: true });
    throw new Error(`chromium at ${executablePath} failed to start: ${(err as Error).message}`, { cause: err });
  }
  await context.route('**/*', (route) => (isLoopback(route.request().url()) ? route.continue() : route.abort()));

  const opened: string[] = [];
  const newPage = async () => {
    const page = await context.newPage();
    return page;
  };

  return {
    opened,
    context,
    async signIn(authorizationUrl, signInOpts = {}) {
      opened.push(authorizationUrl);
      const redirectUri = new URL(authorizationUrl).searchParams.get('redirect_uri');
      const redirectOrigin = redirectUri ? new URL(redirectUri).origin : undefined;
      if (!signInOpts.keepSession) await context.clearCookies();
      const page = await newPage();
      const tracker = trackNavigations(page, redirectOrigin);
      try {
        await gotoTolerant(page, authorizationUrl);
        await drive(page, signInOpts, () => redirectOrigin !== undefined && tracker.callbackUrl !== undefined);
        const last = tracker.last;
        return {
          redirected: tracker.callbackUrl !== undefined,
          callbackUrl: tracker.callbackUrl,
          url: page.url(),
          status: last?.status() ?? 0,
          text: await pageText(page),
        };
      } finally {
        await page.close().catch(() => {});
      }
    },
    async enterDeviceCode(verificationUri, userCode, deviceOpts = {}) {
      opened.push(verificationUri);
      if (!deviceOpts.keepSession) await context.clearCookies();
      const page = await newPage();
      const tracker = trackNavigations(page, undefined);
      try {
        await gotoTolerant(page, verificationUri);
        await drive(page, { ...deviceOpts, userCode }, () => false);
        const text = await pageText(page);
        return {
          success: /Sign-in Success/i.test(text),
          url: page.url(),
          status: tracker.last?.status() ?? 0,
          text,
        };
      } finally {
        await page.close().catch(() => {});
      }
    },
    async signOut(endSessionUrl) {
      opened.push(endSessionUrl);
      const target = new URL(endSessionUrl).searchParams.get('post_logout_redirect_uri');
      const targetOrigin = target ? new URL(target).origin : undefined;
      const page = await newPage();
      const tracker = trackNavigations(page, targetOrigin);
      try {
        await gotoTolerant(page, endSessionUrl);
        await drive(page, {}, () => tracker.callbackUrl !== undefined);
        return {
          redirected: tracker.callbackUrl !== undefined,
          callbackUrl: tracker.callbackUrl,
          url: page.url(),
          status: tracker.last?.status() ?? 0,
          text: await pageText(page),
        };
      } finally {
        await page.close().catch(() => {});
      }
    },
    async abandon(url) {
      opened.push(url);
      const page = await newPage();
      await gotoTolerant(page, url);
      // The tab stays open: the user walked away.
    },
    async openRaw(url) {
      opened.push(url);
      const page = await newPage();
      try {
        const response = await page.goto(url, { waitUntil: 'domcontentloaded' }).catch(() => null);
        return {
          url: page.url(),
          status: response?.status() ?? 0,
          headers: response ? await response.allHeaders() : {},
          text: await pageText(page),
        };
      } finally {
        await page.close().catch(() => {});
      }
    },
    async close() {
      await context.close().catch(() => {});
      await rm(profileDir, { recursive: true, force: true });
    },
  };
}

/** What a {@link asBrowserLauncher} does when asked to open a URL. */
export type BrowserBehaviour =
  /** Sign in (default: alice, approve) — like a user who is paying attention. */
  | ({ action: 'sign-in'; delayMs?: number } & SignInOptions)
  /** Open the page and walk away. */
  | { action: 'abandon' }
  /** The browser cannot be started: `open` rejects with `error` (default: a plain Error). */
  | { action: 'fail'; error?: unknown }
  /** Anything else, e.g. open the callback twice. */
  | { action: 'custom'; run: (url: string, browser: SystemBrowser) => Promise<unknown> };

/** A `BrowserLauncher` for product code, plus what happened in the background. */
export interface TestBrowserLauncher {
  /** Resolves as soon as the "browser" started, like `shell.openExternal`; the user acts afterwards. */
  open(url: string): Promise<void>;
  /** URLs passed to `open`, in order. */
  readonly opened: string[];
  /** One promise per `open`: what the simulated user ended with (never rejects; errors are values). */
  readonly results: Array<Promise<SignInResult | DeviceResult | RawResult | Error | undefined>>;
  /** Waits for every background action so far. */
  settled(): Promise<Array<SignInResult | DeviceResult | RawResult | Error | undefined>>;
}

/**
 * Adapts a {@link SystemBrowser} to the product's `BrowserLauncher` port (main/platform/ports.ts).
 * @see RFC 8252 §4
 */
export function asBrowserLauncher(
  browser: SystemBrowser,
  behaviour: BrowserBehaviour = { action: 'sign-in' },
): TestBrowserLauncher {
  const opened: string[] = [];
  const results: TestBrowserLauncher['results'] = [];
  return {
    opened,
    results,
    async open(url) {
      opened.push(url);
      if (behaviour.action === 'fail') {
        throw behaviour.error ?? new Error('bench: the system browser could not be started');
      }
      const run = async () => {
        switch (behaviour.action) {
          case 'sign-in': {
            const { delayMs, action: _action, ...signInOpts } = behaviour;
            if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
            return browser.signIn(url, signInOpts);
          }
          case 'abandon':
            await browser.abandon(url);
            return undefined;
          case 'custom':
            return (await behaviour.run(url, browser)) as SignInResult | undefined;
        }
      };
      results.push(run().catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))));
    },
    settled: () => Promise.all(results),
  };
}

function isLoopback(url: string): boolean {
  try {
    const { hostname, protocol } = new URL(url);
    if (protocol === 'data:' || protocol === 'about:' || protocol === 'blob:') return true;
    return hostname === '127.0.0.1' || hostname === '[::1]' || hostname === 'localhost';
  } catch {
    return false;
  }
}

/** Records main-frame navigations: the last response, and the first hit at the redirect origin. */
function trackNavigations(page: Page, redirectOrigin: string | undefined) {
  const state: { last?: Response; callbackUrl?: string } = {};
  page.on('request', (request) => {
    if (!request.isNavigationRequest() || request.frame() !== page.mainFrame()) return;
    if (redirectOrigin && state.callbackUrl === undefined && new URL(request.url()).origin === redirectOrigin) {
      state.callbackUrl = request.url();
    }
  });
  page.on('response', (response) => {
    const request = response.request();
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) state.last = response;
  });
  page.on('requestfailed', (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) state.last = undefined;
  });
  return state;
}

/** Navigates; a page that fails to load (nothing listening) is a result, not an exception. */
async function gotoTolerant(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: 'domcontentloaded' }).catch(() => {});
}

async function pageText(page: Page): Promise<string> {
  const body = page.locator('body');
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what the simulated user reads
  return body.innerText({ timeout: 2_000 }).catch(() => '');
}

/**
 * Plays the user until a page with nothing to do: answers the device-code, confirm, login and
 * consent forms of oidc-provider's dev pages, in whatever order they come.
 */
async function drive(page: Page, opts: SignInOptions & { userCode?: string }, done: () => boolean): Promise<void> {
  const budget = opts.timeoutMs ?? 20_000;
  const deadline = Date.now() + budget;
  page.setDefaultTimeout(Math.min(budget, 10_000));
  for (let step = 0; step < 12; step += 1) {
    if (Date.now() > deadline) throw new Error('bench browser: sign-in did not finish in time');
    if (done()) return;
    const form = await currentForm(page);
    switch (form) {
      case 'user_code':
        if (!opts.userCode) return;
        if (step > 0 && /incorrect|error|interrupted/i.test(await pageText(page))) return;
        await page.fill('input[name="user_code"]:not([type="hidden"])', opts.userCode);
        await submitAndWait(page, () => page.click('button[form="op.deviceInputForm"], form button[type="submit"]'));
        break;
      case 'device_confirm':
        await submitAndWait(page, () => page.click('button[autofocus][form="op.deviceConfirmForm"]'));
        break;
      case 'login':
        if (opts.cancelAtLogin) {
          await submitAndWait(page, () => page.click('a[href*="/abort"]'));
          break;
        }
        await page.fill('input[name="login"]', opts.account ?? 'alice');
        await page.fill('input[name="password"]', opts.password ?? 'demo');
        await submitAndWait(page, () => page.click('button[type="submit"]'));
        break;
      case 'consent':
        if (opts.consent === 'deny') await submitAndWait(page, () => page.click('a[href*="/abort"]'));
        else await submitAndWait(page, () => page.click('button[type="submit"]'));
        break;
      case 'logout':
        await submitAndWait(page, () => page.click('button[name="logout"]'));
        break;
      default:
        return;
    }
  }
  throw new Error('bench browser: too many steps; the provider pages did not reach an end');
}

/** Which of oidc-provider's dev forms the page shows. */
async function currentForm(
  page: Page,
): Promise<'user_code' | 'device_confirm' | 'login' | 'consent' | 'logout' | 'none'> {
  // The confirm page repeats the code in a hidden input: look for it first.
  const probes = [
    ['device_confirm', '[id="op.deviceConfirmForm"]'],
    ['user_code', 'input[name="user_code"]:not([type="hidden"])'],
    ['login', 'input[name="login"]'],
    ['consent', 'input[name="prompt"][value="consent"]'],
    ['logout', '[id="op.logoutForm"]'],
  ] as const;
  for (const [name, selector] of probes) {
    if ((await page.locator(selector).count().catch(() => 0)) > 0) return name;
  }
  return 'none';
}

/** Clicks and waits until the main frame committed the next document (or failed to). */
async function submitAndWait(page: Page, click: () => Promise<void>): Promise<void> {
  const navigated = page.waitForEvent('framenavigated', {
    predicate: (frame) => frame === page.mainFrame(),
    timeout: 15_000,
  });
  await click();
  await navigated;
  await page.waitForLoadState('domcontentloaded').catch(() => {});
}
