/**
 * The benchmark environment: the bench provider and demo API (in a child process, ./servers.ts),
 * chromium as the user's browser (test/support/browser.ts), the real OS keychain under service
 * names of its own, a temp user-data folder, and a factory that builds the app's services on the
 * real adapters exactly as the composition roots do (main/cli.ts). Nothing here replaces product
 * code: the only stand-in is the BrowserLauncher port, which hands the authorization URL to the
 * measurement instead of a desktop.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as oauth from 'oauth4webapi';
import { type AppConfig, validateConfig } from '../main/auth/config';
import { createSession, type SessionTunables } from '../main/auth/session';
import type { SessionService } from '../main/auth/snapshot';
import {
  type BrowserLauncher,
  type FetchLike,
  type SecretStore,
  type SettingsStore,
  silentLogger,
  systemClock,
} from '../main/platform/ports';
import { createFsRefreshLock } from '../main/platform/refresh-lock.fs';
import { createKeytarSecretStore } from '../main/platform/secret-store.keytar';
import { createConfSettingsStore } from '../main/platform/settings.conf';
import { createNodeWakeSignals } from '../main/platform/wake-signals.timer';
import { startSystemBrowser, type SystemBrowser } from '../test/support/browser';
import { assertKeyringAvailable, clearKeychainService, loadKeytar, uniqueKeychainService } from '../test/support/keyring';
import { discover } from '../test/support/reference-client';
import { type BenchServers, type ServerCounts, startBenchServers } from './servers';

type Keytar = typeof import('keytar');

/** The scopes the app asks for in the demo (OIDC, a refresh token, the demo API). */
export const BENCH_SCOPE = 'openid profile email offline_access api:read';

/** Options of {@link BenchEnv.buildServices}. */
export interface ServiceOptions {
  tunables?: SessionTunables;
  /** Wraps the real fetch (e.g. to time requests); the real one by default. */
  fetch?: FetchLike;
  /** Wraps the real keychain store (e.g. to time operations); the real one by default. */
  wrapSecretStore?: (store: SecretStore) => SecretStore;
  /** An already open settings store; by default a new one is opened, as a launch does. */
  settings?: SettingsStore;
}

/** Everything the measurements share. Call `close()` once. */
export interface BenchEnv {
  /** The provider and API (issuer, client_id, resource, API origin) and their counters. */
  servers: BenchServers;
  browser: SystemBrowser;
  config: AppConfig;
  /** The keychain service the product writes to (unique per run, removed by `close`). */
  keychainService: string;
  /** The keychain service the baselines write to (unique per run, removed by `close`). */
  baselineService: string;
  userData: string;
  keytar: Keytar;
  /** The provider metadata as a bare oauth4webapi client sees it (for baselines). */
  as: oauth.AuthorizationServer;
  /**
   * Builds the app's services on the real adapters, as a launch does: keychain store, settings
   * file, lock files, wake signals, session. `close()` disposes whatever is still running.
   */
  buildServices(options?: ServiceOptions): SessionService;
  /** The URL the product asked the browser to open next. */
  nextAuthorizationUrl(): Promise<string>;
  /** The servers' counters now. */
  counts(): Promise<ServerCounts>;
  close(): Promise<void>;
}

/** Requests the provider has received, all endpoints. */
export function providerRequests(counts: ServerCounts): number {
  return Object.values(counts.provider).reduce((a, b) => a + b, 0);
}

/**
 * Starts the servers, chromium, private keychain services and a user-data folder.
 * @see ./servers.ts
 */
export async function startBenchEnv(): Promise<BenchEnv> {
  await assertKeyringAvailable();
  const servers = await startBenchServers();
  let browser: SystemBrowser;
  try {
    browser = await startSystemBrowser();
  } catch (error) {
    await servers.close();
    throw error;
  }
  const keychainService = uniqueKeychainService('bench');
  const baselineService = uniqueKeychainService('bench-baseline');
  const userData = await mkdtemp(join(tmpdir(), 'oauth-desktop-bench-'));
  const config = validateConfig({
    issuer: servers.issuer,
    clientId: servers.clientId,
    scope: BENCH_SCOPE,
    resource: servers.resource,
    apiOrigins: servers.apiOrigin,
    keychainService,
  });
  const launcher = handOffLauncher();
  const sessions: SessionService[] = [];
  const as = await discover(servers.issuer);

  return {
    servers,
    browser,
    config,
    keychainService,
    baselineService,
    userData,
    keytar: loadKeytar(),
    as,
    buildServices(options = {}) {
      const store = createKeytarSecretStore();
      const session = createSession({
        config,
        fetch: options.fetch ?? globalThis.fetch,
        secretStore: options.wrapSecretStore ? options.wrapSecretStore(store) : store,
        settings: options.settings ?? createConfSettingsStore({ dir: userData }),
        browser: launcher,
        clock: systemClock,
        wakeSignals: createNodeWakeSignals(),
        refreshLock: createFsRefreshLock({ dir: join(userData, 'locks') }),
        logger: silentLogger,
        tunables: options.tunables,
      });
      sessions.push(session);
      return session;
    },
    nextAuthorizationUrl: () => launcher.next(),
    counts: () => servers.counts(),
    async close() {
      // dispose() is idempotent: measurements dispose their own, this catches the rest.
      for (const session of sessions) session.dispose();
      await clearKeychainService(keychainService).catch(() => 0);
      await clearKeychainService(baselineService).catch(() => 0);
      await rm(userData, { recursive: true, force: true });
      await browser.close();
      await servers.close();
    },
  };
}

/** A BrowserLauncher whose `open` hands the URL to whoever waits in `next()`. */
function handOffLauncher(): BrowserLauncher & { next(): Promise<string> } {
  const urls: string[] = [];
  const waiters: Array<(url: string) => void> = [];
  return {
    async open(url) {
      const waiter = waiters.shift();
      if (waiter) waiter(url);
      else urls.push(url);
    },
    next() {
      const url = urls.shift();
      if (url !== undefined) return Promise.resolve(url);
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}
