/**
 * The whole bench in one call, for end-to-end tests of product code: provider + demo API + system
 * browser, closed together.
 *
 * Public API:
 * - `startBench(opts?: BenchOptions): Promise<Bench>`
 * - `Bench`: `provider`, `api`, `browser`, `launcher(behaviour?)` (a `BrowserLauncher` that plays
 *   the user, see browser.ts), `close()`
 *
 * @module
 */
import { type ResourceServer, startTestApi } from './api';
import {
  asBrowserLauncher,
  type BrowserBehaviour,
  startSystemBrowser,
  type SystemBrowser,
  type TestBrowserLauncher,
} from './browser';
import { type DevProvider, type DevProviderOptions, startTestProvider } from './provider';

/** Options of {@link startBench}. */
export interface BenchOptions {
  provider?: DevProviderOptions;
  /** Start chromium too (default true). Tests that only need servers can skip the ~0.5 s launch. */
  browser?: boolean;
}

/** A running bench. */
export interface Bench {
  provider: DevProvider;
  api: ResourceServer;
  /** Throws when asked for but `browser: false` was passed. */
  readonly browser: SystemBrowser;
  /** A fresh `BrowserLauncher` over the bench browser with the given behaviour. */
  launcher(behaviour?: BrowserBehaviour): TestBrowserLauncher;
  /** Closes browser, API and provider (in that order); safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts provider, demo API and (by default) chromium.
 * @see dev-provider/README.md
 */
export async function startBench(opts: BenchOptions = {}): Promise<Bench> {
  const provider = await startTestProvider(opts.provider);
  let api: ResourceServer | undefined;
  let browser: SystemBrowser | undefined;
  try {
    api = await startTestApi(provider);
    if (opts.browser ?? true) browser = await startSystemBrowser();
  } catch (err) {
    await api?.close();
    await provider.close();
    throw err;
  }
  const needBrowser = (): SystemBrowser => {
    if (!browser) throw new Error('this bench was started with { browser: false }');
    return browser;
  };
  return {
    provider,
    api,
    get browser() {
      return needBrowser();
    },
    launcher: (behaviour) => asBrowserLauncher(needBrowser(), behaviour),
    async close() {
      await browser?.close();
      await api?.close();
      await provider.close();
    },
  };
}
