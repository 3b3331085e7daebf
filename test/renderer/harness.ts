/**
 * The renderer under test: the production Vite build, served on 127.0.0.1 through the app's own
 * app:// handler (same files, same CSP header, same traversal guard), opened in chromium with
 * `window.auth` built by the real preload/api.ts and wired to real IPC handlers in this process.
 *
 * The page's sender info is what Electron would report for our window's main frame: a fixed web
 * contents id, the frame's URL, and whether it is the top frame — so the handlers' sender check
 * (E10) runs for real, with the loopback origin standing in for app://app.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { build } from 'esbuild';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { SessionService } from '../../main/auth/snapshot';
import type { IpcHandlers } from '../../main/ipc/handler';
import { publishSessionChanges } from '../../main/ipc/register';
import type { SenderInfo } from '../../main/ipc/sender';
import type { ViewContext } from '../../main/ipc/views';
import { createAppProtocolHandler } from '../../main/windows/app-protocol';
import { INVOKE_CHANNELS, type InvokeChannel } from '../../preload/contract';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/browser';
import { recordOutput } from '../support/output-capture';

const root = join(import.meta.dirname, '../..');

/**
 * Where screenshots go: test-results/screenshots on every run (so a test run leaves the work tree
 * clean), docs/screenshots — the README's pictures — when run with UPDATE_SCREENSHOTS=1.
 */
export const SCREENSHOT_DIR = process.env.UPDATE_SCREENSHOTS === '1' ? join(root, 'docs', 'screenshots') : join(root, 'test-results', 'screenshots');

/** The web contents id the bridge reports for the page (any fixed number: "our window"). */
export const PAGE_WEB_CONTENTS_ID = 1;

/** Builds the renderer with the production build script into a temp folder. */
export function buildRenderer(): { dir: string; cleanup(): void } {
  const out = mkdtempSync(join(tmpdir(), 'renderer-build-'));
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--only', 'renderer', '--out', out], { cwd: root, stdio: 'pipe' });
  return { dir: join(out, 'renderer'), cleanup: () => rmSync(out, { recursive: true, force: true }) };
}

/** The page side of the bridge, bundled (it imports the real preload/api.ts). */
export async function bundleBridge(): Promise<string> {
  const result = await build({
    entryPoints: [join(import.meta.dirname, 'bridge-entry.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
  });
  return result.outputFiles[0]!.text;
}

/** Serves `dir` on 127.0.0.1 through the app:// handler (CSP header included). */
export async function serveRenderer(dir: string): Promise<{ origin: string; close(): Promise<void> }> {
  const handler = createAppProtocolHandler(dir);
  const server: Server = createServer((req, res) => {
    const url = `app://app${req.url ?? '/'}`;
    handler(new Request(url, { method: req.method }))
      .then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        if (response.body) Readable.fromWeb(response.body as import('node:stream/web').ReadableStream).pipe(res);
        else res.end();
      })
      .catch(() => {
        res.writeHead(500).end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Launches the chromium that shows the renderer (not the "system browser" of the sign-in). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS] });
}

/** A reply or event that crossed the bridge, for E12 scans. */
export interface Crossing {
  kind: 'reply' | 'event';
  channel: string;
  payload: unknown;
}

export interface RendererPage {
  page: Page;
  context: BrowserContext;
  /** Everything that crossed from main to renderer. */
  crossings: Crossing[];
  /** Console errors and CSP violations seen in the page. */
  problems: string[];
  close(): Promise<void>;
}

/** Opens the renderer in its own chromium, wired to `handlers` and `session`. */
export async function openRendererPage(opts: {
  origin: string;
  handlers: IpcHandlers;
  session: SessionService;
  view: ViewContext;
  bridge: string;
  /** Reuse a running chromium (one per test file); launched and closed here when absent. */
  browser?: Browser;
}): Promise<RendererPage> {
  const ownBrowser = opts.browser === undefined;
  const browser: Browser = opts.browser ?? (await launchChromium());
  const context = await browser.newContext({ viewport: { width: 560, height: 760 }, deviceScaleFactor: 1, colorScheme: 'light', locale: 'en-GB', timezoneId: 'UTC' });
  // The network is closed, and the renderer must not need it: anything but our server is refused.
  await context.route('**/*', (route) => (route.request().url().startsWith(opts.origin) ? route.continue() : route.abort()));
  const crossings: Crossing[] = [];
  const problems: string[] = [];
  const channels = new Set<string>(Object.values(INVOKE_CHANNELS));

  await context.exposeBinding('__oauthDesktopInvoke', async (source, channel: string, payload: unknown) => {
    const sender: SenderInfo = {
      webContentsId: PAGE_WEB_CONTENTS_ID,
      frameUrl: source.frame.url(),
      isMainFrame: source.frame === source.page.mainFrame(),
    };
    if (!channels.has(channel)) return { ok: false, error: { code: 'ipc_forbidden', message: 'unknown channel' } };
    const reply = await (opts.handlers[channel as InvokeChannel] as IpcHandlers[InvokeChannel])(sender, payload === undefined ? [] : [payload]);
    crossings.push({ kind: 'reply', channel, payload: reply });
    recordOutput(`IPC reply on ${channel} (test/renderer/harness.ts bridge)`, JSON.stringify(reply) ?? '');
    return reply;
  });
  await context.addInitScript({ content: opts.bridge });

  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));

  const unpublish = publishSessionChanges(
    opts.session,
    () => ({
      send: (channel, payload) => {
        crossings.push({ kind: 'event', channel, payload });
        recordOutput(`IPC event on ${channel} (test/renderer/harness.ts bridge)`, JSON.stringify(payload) ?? '');
        void page
          .evaluate(
            ([c, p]) => (globalThis as unknown as { __oauthDesktopEmit(c: string, p: unknown): void }).__oauthDesktopEmit(c, p),
            [channel, payload] as const,
          )
          .catch(() => {});
      },
      isDestroyed: () => page.isClosed(),
    }),
    opts.view,
  );

  await page.goto(`${opts.origin}/index.html`);
  return {
    page,
    context,
    crossings,
    problems,
    async close() {
      unpublish();
      await context.close();
      if (ownBrowser) await browser.close();
    },
  };
}

/** Saves a screenshot of the page into SCREENSHOT_DIR/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  // Hide the blinking caret and freeze animations so the pictures are stable.
  await page.screenshot({ path, animations: 'disabled', caret: 'hide', fullPage: true });
  // What the user sees is output too: the page's HTML goes to the run-wide leak check.
  recordOutput(`renderer page "${name}" (test/renderer/harness.ts screenshot)`, await page.content());
  return path;
}

/** JWT-shaped strings (access and ID tokens of the bench provider are JWTs). */
export const JWT_PATTERN = /eyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]+/;

// Code passed to page.evaluate runs in the page. This file and the tests are type-checked with
// Node types only (no DOM), so page-side snippets are plain expressions.

/** Text of the focused element. */
export function activeText(page: Page): Promise<string | null> {
  return page.evaluate<string | null>('document.activeElement ? document.activeElement.textContent : null');
}

/** `data-focus-key` of the focused element. */
export function activeFocusKey(page: Page): Promise<string | null> {
  return page.evaluate<string | null>('document.activeElement ? (document.activeElement.dataset.focusKey ?? null) : null');
}

/** Text of the screen-reader live region. */
export function announced(page: Page): Promise<string | null> {
  return page.evaluate<string | null>("document.getElementById('announcer').textContent");
}
