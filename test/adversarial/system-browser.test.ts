/**
 * CHECKLIST N1 — the authorization URL opens in the system browser; no app window ever loads the
 * authorization server (RFC 8252 §8.12: embedded user-agents are forbidden).
 *
 * Two halves, because Electron itself cannot run here:
 * - behaviour: a real sign-in through the session hands the authorization URL to the
 *   BrowserLauncher port exactly once (chromium stands in for the system browser), and that is
 *   the only way the provider's login page is reached;
 * - structure: the product source has one window, created in main/windows/main-window.ts, which
 *   loads only the app's own app:// entry; `shell.openExternal` (the system browser) is called in
 *   main/platform/browser-launcher.electron.ts only, which the composition root wires as the
 *   session's BrowserLauncher; nothing else can load a URL. E7/E8 (navigation and window.open
 *   blocked, no webview) are proven in test/windows/hardening.test.ts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ENTRY_URL } from '../../main/windows/app-files';
import { type Bench, startBench } from '../auth/session-harness';
import { asBrowserLauncher, type SystemBrowser, startSystemBrowser } from '../support/browser';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Product files (main/ and preload/) whose code (comments removed) matches `pattern`. */
function filesMatching(pattern: RegExp): string[] {
  return [...sources('main'), ...sources('preload')].filter((file) => {
    const code = readFileSync(join(root, file), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|[^:])\/\/.*$/gm, '$1');
    return pattern.test(code);
  });
}

let browser: SystemBrowser;
let bench: Bench;
beforeAll(async () => {
  browser = await startSystemBrowser();
  bench = await startBench('adv-system-browser', {}, { browser });
});
afterAll(async () => {
  await bench?.close();
  await browser?.close();
});

describe('N1 the system browser, never an app window', () => {
  it('N1 a sign-in hands the authorization URL to the system browser once, and only that browser reaches the login page', async () => {
    const launcher = asBrowserLauncher(browser);
    const session = bench.session({ browser: launcher });
    await session.restore();
    bench.provider.resetCounts();
    const signedIn = await session.signIn();
    expect(signedIn.state).toBe('signed-in');
    expect(launcher.opened).toHaveLength(1);
    const url = new URL(launcher.opened[0]!);
    expect(`${url.origin}${url.pathname}`).toBe(`${bench.provider.issuer}/auth`);
    // The provider saw the authorization request and the login pages from the browser only; the
    // app itself talked to it over the back channel alone (discovery, token, userinfo).
    expect(browser.opened).toEqual([launcher.opened[0]]);
    expect(bench.provider.counts.interaction).toBeGreaterThan(0);
  });

  it('N1 the product source has one window, loading only app://, and one way out to a browser: shell.openExternal in the BrowserLauncher', () => {
    expect(APP_ENTRY_URL.startsWith('app://')).toBe(true);
    expect(filesMatching(/new\s+BrowserWindow\s*\(/)).toEqual(['main/windows/main-window.ts']);
    const loads = readFileSync(join(root, 'main/windows/main-window.ts'), 'utf8').match(/\.load(URL|File)\(([^)]*)\)/g) ?? [];
    expect(loads).toEqual(['.loadURL(APP_ENTRY_URL)']);
    expect(filesMatching(/\.load(URL|File)\s*\(/)).toEqual(['main/windows/main-window.ts']);
    expect(filesMatching(/\b(BrowserView|WebContentsView|webviewTag\s*:\s*true)\b/)).toEqual([]);
    expect(filesMatching(/\bopenExternal\s*\(/)).toEqual(['main/platform/browser-launcher.electron.ts']);
    // The composition root gives the session that launcher as its BrowserLauncher port.
    expect(readFileSync(join(root, 'main/index.ts'), 'utf8')).toMatch(/browser:\s*createElectronBrowserLauncher\(/);
  });
});
