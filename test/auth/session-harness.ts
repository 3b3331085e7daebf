/**
 * Real parts for the session tests: the bench provider and demo API, chromium as the user's
 * browser, the real keychain (unique service per test), a temp user-data folder (settings + lock
 * files). The only stand-ins are at the ports the product itself exposes for that purpose: the
 * clock (to move time without waiting), wake signals (fired by hand), and a fetch wrapper that
 * counts or rewrites at the fetch port (fault injection, never inside the product).
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppConfig, validateConfig } from '../../main/auth/config';
import { createSession, type SessionTunables } from '../../main/auth/session';
import type { SessionService, SessionSnapshot, SessionState } from '../../main/auth/snapshot';
import type { BrowserLauncher, Clock, FetchLike, Logger, SecretStore, WakeSignals } from '../../main/platform/ports';
import { createFsRefreshLock } from '../../main/platform/refresh-lock.fs';
import { createKeytarSecretStore } from '../../main/platform/secret-store.keytar';
import { createConfSettingsStore } from '../../main/platform/settings.conf';
import { type ResourceServer, startTestApi } from '../support/api';
import { asBrowserLauncher, type BrowserBehaviour, type SystemBrowser, startSystemBrowser } from '../support/browser';
import { openTestKeychain, type TestKeychain } from '../support/keyring';
import { recordOutput } from '../support/output-capture';
import { type DevProvider, type DevProviderOptions, startTestProvider } from '../support/provider';

/** Scopes the tests ask for: OIDC + refresh token + the demo API's read scope. */
export const TEST_SCOPE = 'openid profile email offline_access api:read';

/** A clock the test moves: `advance` moves both clocks (time passes), `jumpWall` only the wall clock. */
export interface TestClock extends Clock {
  advance(ms: number): void;
  jumpWall(ms: number): void;
}

export function createTestClock(): TestClock {
  let wallOffset = 0;
  let monoOffset = 0;
  return {
    now: () => Date.now() + wallOffset,
    monotonicNow: () => performance.now() + monoOffset,
    advance(ms) {
      wallOffset += ms;
      monoOffset += ms;
    },
    jumpWall(ms) {
      wallOffset += ms;
    },
  };
}

/** WakeSignals the test fires by hand (the Electron shell feeds powerMonitor/net.online here). */
export interface ManualWake extends WakeSignals {
  fire(reason?: 'resume' | 'online'): void;
  readonly listenerCount: number;
}

export function createManualWake(): ManualWake {
  const listeners = new Set<(reason: 'resume' | 'online') => void>();
  return {
    onWake(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    fire(reason = 'online') {
      for (const l of [...listeners]) l(reason);
    },
    get listenerCount() {
      return listeners.size;
    },
  };
}

/** Collects every log line, so tests can assert that no secret was ever logged (T4). */
export function createRecordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    const line = `${level} ${message} ${fields ? JSON.stringify(fields) : ''}`;
    lines.push(line);
    recordOutput('session log (test/auth/session-harness.ts logger)', line);
  };
  return { lines, info: record('info'), warn: record('warn'), error: record('error') };
}

/** Fetch that counts what leaves the process, per origin. */
export function countingFetch(inner: FetchLike = globalThis.fetch): FetchLike & { byOrigin: Map<string, number>; total(): number } {
  const byOrigin = new Map<string, number>();
  const wrapped = ((input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    byOrigin.set(url.origin, (byOrigin.get(url.origin) ?? 0) + 1);
    return inner(input, init);
  }) as FetchLike & { byOrigin: Map<string, number>; total(): number };
  wrapped.byOrigin = byOrigin;
  wrapped.total = () => [...byOrigin.values()].reduce((a, b) => a + b, 0);
  return wrapped;
}

export interface Bench {
  provider: DevProvider;
  api: ResourceServer;
  keychain: TestKeychain;
  browser: SystemBrowser;
  userData: string;
  config: AppConfig;
  /** Every session made by `session()`; disposed by `close()`. */
  sessions: SessionService[];
  session(opts?: SessionOptions): SessionService & { logger: ReturnType<typeof createRecordingLogger> };
  close(): Promise<void>;
}

export interface SessionOptions {
  clock?: Clock;
  fetch?: FetchLike;
  wake?: WakeSignals;
  behaviour?: BrowserBehaviour;
  browser?: BrowserLauncher;
  tunables?: SessionTunables;
  config?: Partial<AppConfig>;
  secretStore?: SecretStore;
}

/** Starts provider, API, chromium, keychain and a user-data folder. */
export async function startBench(label: string, providerOptions: DevProviderOptions = {}, shared?: { browser?: SystemBrowser }): Promise<Bench> {
  const provider = await startTestProvider(providerOptions);
  const api = await startTestApi(provider);
  const keychain = await openTestKeychain(label);
  const browser = shared?.browser ?? (await startSystemBrowser());
  const userData = await mkdtemp(join(tmpdir(), 'oauth-desktop-session-'));
  const config = validateConfig({
    issuer: provider.issuer,
    clientId: provider.clientId,
    scope: TEST_SCOPE,
    resource: provider.resource,
    apiOrigins: api.origin,
    keychainService: keychain.service,
  });
  const settings = createConfSettingsStore({ dir: userData });
  const sessions: SessionService[] = [];
  return {
    provider,
    api,
    keychain,
    browser,
    userData,
    config,
    sessions,
    session(opts = {}) {
      const logger = createRecordingLogger();
      const service = createSession({
        config: { ...config, ...opts.config },
        fetch: opts.fetch ?? globalThis.fetch,
        secretStore: opts.secretStore ?? createKeytarSecretStore(),
        settings,
        browser: opts.browser ?? asBrowserLauncher(browser, opts.behaviour ?? { action: 'sign-in' }),
        clock: opts.clock ?? createTestClock(),
        wakeSignals: opts.wake ?? createManualWake(),
        refreshLock: createFsRefreshLock({ dir: join(userData, 'locks') }),
        logger,
        tunables: { httpTimeoutMs: 3_000, backoffBaseMs: 50, backoffMaxMs: 400, random: () => 0.5, ...opts.tunables },
      });
      sessions.push(service);
      return Object.assign(service, { logger });
    },
    async close() {
      for (const s of sessions) s.dispose();
      await api.close();
      await provider.close();
      if (!shared?.browser) await browser.close();
      await keychain.cleanup();
      await rm(userData, { recursive: true, force: true });
    },
  };
}

/** Resolves with the first snapshot (current or future) that satisfies `predicate`. */
export function waitForSnapshot(
  session: SessionService,
  predicate: (s: SessionSnapshot) => boolean,
  timeoutMs = 20_000,
): Promise<SessionSnapshot> {
  const now = session.snapshot();
  if (predicate(now)) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for the session; last state ${session.snapshot().state}`));
    }, timeoutMs);
    const off = session.onChange((s) => {
      if (!predicate(s)) return;
      clearTimeout(timer);
      off();
      resolve(s);
    });
  });
}

export const inState = (state: SessionState) => (s: SessionSnapshot) => s.state === state;

/**
 * The raw keychain entry of the bench's configured registration (one account expected). `raw` holds
 * tokens, so it is not enumerable: a failing assertion prints the account and a digest of the
 * entry, never its tokens (the run-wide leak check reads test output too); `toEqual` compares
 * entries through the digest.
 */
export async function storedEntry(bench: Bench): Promise<{ account: string; digest: string; raw: string } | null> {
  const accounts = await bench.keychain.accounts();
  if (accounts.length === 0) return null;
  if (accounts.length > 1) throw new Error(`expected one keychain entry, found ${accounts.length}`);
  const raw = await bench.keychain.get(accounts[0]!);
  if (raw === null) return null;
  const entry = { account: accounts[0]!, digest: createHash('sha256').update(raw).digest('hex').slice(0, 16) };
  return Object.defineProperty(entry, 'raw', { value: raw, enumerable: false }) as typeof entry & { raw: string };
}

/** Rewrites the stored record's fields (short on-disk names: at, rt, exp, rcv …). */
export async function editStoredEntry(bench: Bench, edit: (record: Record<string, unknown>) => void): Promise<void> {
  const entry = await storedEntry(bench);
  if (!entry) throw new Error('no keychain entry to edit');
  const record = JSON.parse(entry.raw) as Record<string, unknown>;
  edit(record);
  await bench.keychain.set(entry.account, JSON.stringify(record));
}

/** Asserts that no log line contains any of the given secret values (T4). */
export function leakedSecrets(lines: readonly string[], secrets: ReadonlyArray<string | null | undefined>): string[] {
  const values = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 8);
  return lines.filter((line) => values.some((v) => line.includes(v)));
}

/** Polls `condition` every 20 ms until it holds (rejects after `timeoutMs`). */
export async function pollUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** True when a token request body is a refresh-token grant. */
export function isRefreshRequest(init?: RequestInit): boolean {
  const body = init?.body;
  const text = body instanceof URLSearchParams ? body.toString() : typeof body === 'string' ? body : '';
  return text.includes('grant_type=refresh_token');
}

/**
 * Fault injection at the fetch port: `rewrite` sees each refresh-token response (already read) and
 * returns what the core should receive instead.
 */
export function rewriteRefreshResponses(
  rewrite: (response: { status: number; headers: Headers; body: string }) => { status: number; headers: Headers; body: string } | Promise<{ status: number; headers: Headers; body: string }>,
  inner: FetchLike = globalThis.fetch,
): FetchLike {
  return async (input, init) => {
    const response = await inner(input, init);
    if (!isRefreshRequest(init)) return response;
    const original = { status: response.status, headers: new Headers(response.headers), body: await response.text() };
    const next = await rewrite(original);
    next.headers.delete('content-length');
    return new Response(next.body, { status: next.status, headers: next.headers });
  };
}

/**
 * Redeems a refresh token directly at the bench provider (outside the product) and says whether
 * the provider still accepts it — how the tests see that a token was revoked.
 */
export async function refreshTokenStillWorks(bench: Bench, refreshToken: string): Promise<boolean> {
  const oauth = await import('oauth4webapi');
  const issuer = new URL(bench.provider.issuer);
  const options = { [oauth.allowInsecureRequests]: true } as const;
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, options));
  const client = { client_id: bench.provider.clientId };
  const response = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, options);
  return response.status === 200;
}

/** The decoded stored record (test-only: it holds the tokens). */
export async function storedRecord(bench: Bench): Promise<{ rt: string | null; at: string | null; exp: number | null; acct: { sub: string } } | null> {
  const entry = await storedEntry(bench);
  return entry ? (JSON.parse(entry.raw) as { rt: string | null; at: string | null; exp: number | null; acct: { sub: string } }) : null;
}

/**
 * The hooks every session test file needs: one chromium for the file, a fresh bench per test
 * (closed after it), and "a previous launch signed alice in" as one call.
 */
export function useSessionBench(): {
  /** Starts this test's bench (provider, API, keychain service, user-data folder). */
  start(label: string, providerOptions?: DevProviderOptions): Promise<Bench>;
  /** Starts the bench and signs alice in with a session that is then disposed (the "previous launch"). */
  signedIn(label: string, providerOptions?: DevProviderOptions): Promise<Bench>;
} {
  let browser: SystemBrowser | undefined;
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
  const start = async (label: string, providerOptions: DevProviderOptions = {}): Promise<Bench> => {
    bench = await startBench(label, providerOptions, browser ? { browser } : undefined);
    return bench;
  };
  return {
    start,
    async signedIn(label, providerOptions = {}) {
      const b = await start(label, providerOptions);
      const first = b.session();
      await first.restore();
      await first.signIn();
      first.dispose();
      return b;
    },
  };
}
