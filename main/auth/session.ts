/**
 * The session service: the one owner of "who is signed in" for a provider registration, behind the
 * {@link SessionService} interface that the IPC handlers, the CLI and the benchmarks drive.
 *
 * What it guarantees (CHECKLIST "Tokens, refresh, storage"):
 * - Launch restore reads the keychain only: a valid access token means signed in with no network
 *   at all; an expired one is renewed in the background; an unreachable provider means "offline",
 *   tokens kept, retries with backoff and on wake (K9, K18).
 * - The state is derived from facts (session-state.ts) and every change is announced with a
 *   token-free {@link SessionSnapshot} (T4, E12).
 * - Expiry is tracked on the monotonic clock from the receipt time (K8): wall-clock jumps neither
 *   expire a token early nor keep an expired one alive. Clock skew seen in the provider's `Date`
 *   header is reported in the snapshot.
 * - Renewal failures are classified: network/5xx/timeout keep everything and retry with bounded,
 *   jittered backoff (K11); `invalid_grant` (or a bare 400) and a changed ID-token subject end the
 *   session and delete the entry, with no retry (K10, C5).
 * - The keychain failing means a memory-only session the UI is told about (K1–K3); a damaged entry
 *   is deleted and reported (K5).
 * - Sign-in saves to the keychain BEFORE announcing "signed in"; a second sign-in cancels the first
 *   (L22); sign-out drops a renewal in flight (K17) and reports each step (R1–R4).
 */
import type {
  BrowserLauncher,
  Clock,
  FetchLike,
  Logger,
  RefreshLock,
  SecretStore,
  SettingsStore,
  WakeSignals,
} from '../platform/ports';
import { type ApiTransport, DEFAULT_API_MAX_RESPONSE_BYTES, DEFAULT_API_TIMEOUT_MS, assertAllowedApiUrl, isInvalidTokenChallenge, sendApiRequest } from './api-call';
import { DEFAULT_BACKOFF, MAX_TIMER_MS, backoffDelay, type BackoffPolicy } from './backoff';
import type { AppConfig } from './config';
import { cachedProvider, type DiscoveredProvider, discoverProvider } from './discovery';
import { AuthError, type AuthErrorCode, isAuthError, toAuthError } from './errors';
import { clockSkewWarning } from './http';
import { createRefresher, type RefreshOutcome } from './refresh';
import { deriveSessionState } from './session-state';
import { devicePendingSignIn, type Sleeper, startDeviceSignIn } from './device';
import { startBrowserSignIn } from './signin';
import { signOutEverywhere } from './signout';
import type {
  ApiRequest,
  ApiResponse,
  PendingSignIn,
  SessionService,
  SessionSnapshot,
  SignInOptions,
  SignOutReport,
} from './snapshot';
import type { StoredSession } from './tokens';
import { TokenVault } from './vault';

/** Knobs with production defaults; tests shorten them. */
export interface SessionTunables {
  /** Renew this long before expiry (capped at half the token's lifetime). Default 60 s. */
  refreshMarginMs?: number;
  /** First retry delay while offline. Default 2 s. */
  backoffBaseMs?: number;
  /** Longest retry delay. Default 5 min. */
  backoffMaxMs?: number;
  /** Automatic retries before waiting for a wake signal or Retry. Default 12. */
  backoffMaxAttempts?: number;
  /** Jitter source, uniform [0, 1). Default Math.random. */
  random?: () => number;
  /** Per-request timeout for provider calls (discovery, token, revocation). Default 10 s. */
  httpTimeoutMs?: number;
  /** Per-call timeout for callApi. Default 30 s. */
  apiTimeoutMs?: number;
  /** Response body cap for callApi. Default 1 MiB. */
  apiMaxResponseBytes?: number;
  /** How long a browser sign-in waits. Default 5 min. */
  signInTimeoutMs?: number;
  /** Device-flow polling interval when the provider sends none. Default 5 s (RFC 8628 §3.5). */
  deviceIntervalMs?: number;
  /** The device-flow poller's sleep (tests record the waits instead of waiting). Default a timer. */
  deviceSleep?: Sleeper;
  /** Renew in the background when restore finds the token due. Default true (`logout` turns it off). */
  refreshOnRestore?: boolean;
  /** How long to wait for another process's renewal. Default 30 s. */
  lockTimeoutMs?: number;
}

/** The ports and configuration a session needs (composition roots build them). */
export interface SessionDeps {
  config: AppConfig;
  fetch: FetchLike;
  /** The OS keychain; wrapped in a {@link TokenVault} here. */
  secretStore: SecretStore;
  settings: SettingsStore;
  browser: BrowserLauncher;
  clock: Clock;
  wakeSignals: WakeSignals;
  refreshLock: RefreshLock;
  logger: Logger;
  tunables?: SessionTunables;
}

/** A token is not handed to a call in its last seconds: it could expire on the way (RFC 6750 §3.1). */
const USABLE_FLOOR_MS = 5_000;

/** The running flow behind a pending sign-in: the browser (RFC 8252) or a device code (RFC 8628). */
interface RunningSignIn {
  result: Promise<StoredSession>;
  cancel(): void;
  /** Browser flow only: the URL to reopen or copy (never sent over IPC: it carries `state`). */
  authorizationUrl: string | null;
}

interface PendingSignInEntry {
  kind: 'browser' | 'device';
  flow: RunningSignIn | null;
  /** Device flow only: what the user must type, and where. */
  device: PendingSignIn | null;
  controller: AbortController;
  browserOpened: boolean;
  startedAt: number;
  expiresAt: number;
  superseded: boolean;
}

/**
 * Builds the session service. Does no I/O until `restore()` or another method is called; subscribes
 * to wake signals (undone by `dispose()`).
 *
 * @see RFC 8252, RFC 6749 §6, RFC 7009, RFC 9700 §2.2.2 and §4.14
 */
export function createSession(deps: SessionDeps): SessionService {
  const { config, clock, logger } = deps;
  const t = deps.tunables ?? {};
  const refreshMarginMs = t.refreshMarginMs ?? 60_000;
  const backoff: BackoffPolicy = {
    baseMs: t.backoffBaseMs ?? DEFAULT_BACKOFF.baseMs,
    maxMs: t.backoffMaxMs ?? DEFAULT_BACKOFF.maxMs,
    maxAttempts: t.backoffMaxAttempts ?? DEFAULT_BACKOFF.maxAttempts,
    random: t.random ?? DEFAULT_BACKOFF.random,
  };
  const api: ApiTransport = {
    fetch: deps.fetch,
    timeoutMs: t.apiTimeoutMs ?? DEFAULT_API_TIMEOUT_MS,
    maxResponseBytes: t.apiMaxResponseBytes ?? DEFAULT_API_MAX_RESPONSE_BYTES,
  };
  const vault = new TokenVault(deps.secretStore, config.keychainService, config.issuer, config.clientId);

  // ---- facts (the state is derived from these) ----
  let session: StoredSession | null = null;
  /** Monotonic deadline of the access token (K8); null when the provider gave no expires_in. */
  let expiresAtMono: number | null = null;
  let memoryOnly = false;
  let storage: SessionSnapshot['storage'] = { backend: vault.backend, available: true, detail: null };
  let offline = false;
  let refreshing = false;
  let lastError: SessionSnapshot['lastError'] = null;
  let clockSkew: SessionSnapshot['clockSkew'] = null;
  let pending: PendingSignInEntry | null = null;
  /** Bumped whenever the session is replaced or ended: a renewal started before must not apply. */
  let generation = 0;
  let retryAttempt = 0;
  let lastAttemptMono = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | null = null;
  let nextRefreshAt: number | null = null;
  let refreshPromise: Promise<void> | null = null;
  let disposed = false;

  // ---- provider metadata: discovered lazily, never at restore when the token is valid ----
  let provider: DiscoveredProvider | null = null;
  let discovering: Promise<DiscoveredProvider> | null = null;
  const discoveryDeps = { fetch: deps.fetch, settings: deps.settings, clock, logger, timeoutMs: t.httpTimeoutMs };
  const getProvider = async (): Promise<DiscoveredProvider> => {
    if (provider && !provider.fromCache) return provider;
    discovering ??= discoverProvider(config, discoveryDeps).finally(() => {
      discovering = null;
    });
    provider = await discovering;
    return provider;
  };

  /**
   * For renewals: the live provider when known; before that (a launch), the cached metadata, so the
   * launch renewal costs one round trip instead of two, while live discovery runs alongside and
   * replaces it. A token endpoint that moved fails like a network error and the retry rediscovers.
   */
  const getProviderForRenewal = async (): Promise<DiscoveredProvider> => {
    if (provider && !provider.fromCache) return provider;
    const cached = provider === null ? cachedProvider(config, discoveryDeps) : null;
    if (!cached) return getProvider();
    provider = cached;
    getProvider().catch(() => {}); // refreshes the cache; failures surface on the next real use
    return cached;
  };

  const refresher = createRefresher({
    config,
    vault,
    lock: deps.refreshLock,
    getProvider: getProviderForRenewal,
    clock,
    logger,
    lockTimeoutMs: t.lockTimeoutMs,
  });

  // ---- snapshots ----
  const listeners = new Set<(snapshot: SessionSnapshot) => void>();
  const snapshot = (): SessionSnapshot => ({
    state: deriveSessionState({
      signInPending: pending !== null,
      storageAvailable: storage.available,
      hasSession: session !== null,
      refreshing,
      offline,
    }),
    account: session ? { ...session.account } : null,
    issuer: config.issuer,
    accessTokenExpiresAt: session?.accessTokenExpiresAt ?? null,
    nextRefreshAt: session ? nextRefreshAt : null,
    scopes: session ? [...session.scopes] : [],
    lastError,
    clockSkew,
    storage: { ...storage },
    memoryOnly: session !== null && memoryOnly,
    // A device sign-in has nothing to show until the provider sent its code: null, never a
    // "browser" sign-in (the UI would offer a browser and a link that do not exist).
    signIn: !pending
      ? null
      : pending.kind === 'device'
        ? pending.device
        : { kind: 'browser', browserOpened: pending.browserOpened, startedAt: pending.startedAt, expiresAt: pending.expiresAt },
  });
  const notify = (): void => {
    if (disposed) return;
    const current = snapshot();
    for (const listener of [...listeners]) {
      try {
        listener(current);
      } catch (error) {
        logger.warn('session: a change listener threw', { error: error instanceof Error ? error.name : 'unknown' });
      }
    }
  };
  const setError = (error: AuthError | null): void => {
    lastError = error ? error.toJSON() : null;
  };
  const updateClockSkew = (): void => {
    const sample = refresher.lastServerTime() ?? provider?.http.lastServerTime() ?? null;
    if (sample) clockSkew = clockSkewWarning(sample.skewSeconds);
  };

  // ---- expiry on the monotonic clock (K8) ----
  /** Takes a session in: its expiry is pinned to the monotonic clock at `receivedMono`. */
  const adopt = (next: StoredSession, receivedMono?: number): void => {
    session = next;
    if (next.accessTokenExpiresAt === null || next.accessToken === null) {
      expiresAtMono = next.accessToken === null ? Number.NEGATIVE_INFINITY : null;
    } else if (receivedMono !== undefined) {
      expiresAtMono = receivedMono + (next.accessTokenExpiresAt - next.receivedAt);
    } else {
      // From the keychain (or a flow that kept no monotonic stamp): the wall clock is all that
      // survives a restart; from here on the monotonic clock counts.
      expiresAtMono = clock.monotonicNow() + (next.accessTokenExpiresAt - clock.now());
    }
  };
  const marginFor = (s: StoredSession): number => {
    const lifetime = s.accessTokenExpiresAt !== null ? s.accessTokenExpiresAt - s.receivedAt : Number.POSITIVE_INFINITY;
    return Math.max(0, Math.min(refreshMarginMs, lifetime / 2));
  };
  const msLeft = (): number | null => (expiresAtMono === null ? null : expiresAtMono - clock.monotonicNow());
  const tokenUsable = (): boolean => {
    if (!session?.accessToken) return false;
    const left = msLeft();
    return left === null || left > USABLE_FLOOR_MS;
  };
  const refreshDue = (): boolean => {
    if (!session) return false;
    const left = msLeft();
    return left !== null && left <= marginFor(session);
  };
  /** For a session found in the vault (wall clock only): does it need renewing? */
  const dueByWallClock = (s: StoredSession): boolean =>
    s.accessToken === null || (s.accessTokenExpiresAt !== null && s.accessTokenExpiresAt - clock.now() <= marginFor(s));

  // ---- timers ----
  const clearTimer = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    nextRefreshAt = null;
  };
  const setTimer = (delayMs: number, reason: string): void => {
    clearTimer();
    const delay = Math.min(Math.max(0, delayMs), MAX_TIMER_MS);
    nextRefreshAt = clock.now() + delay;
    timer = setTimeout(() => {
      timer = null;
      nextRefreshAt = null;
      // A far deadline is reached in several timer hops (setTimeout caps at ~24.8 days).
      if (reason === 'timer' && !refreshDue()) {
        scheduleProactive();
        return;
      }
      void refreshNow(reason);
    }, delay);
    // Never keeps a CLI alive; the app has its own reasons to live.
    timer.unref?.();
  };
  /** Plans the proactive renewal: margin before the monotonic deadline. */
  const scheduleProactive = (): void => {
    clearTimer();
    if (!session?.refreshToken) return;
    const left = msLeft();
    if (left === null) return;
    setTimer(left - marginFor(session), 'timer');
  };
  const scheduleRetry = (): void => {
    retryAttempt += 1;
    const delay = backoffDelay(retryAttempt, backoff);
    if (delay === null) {
      clearTimer();
      logger.warn('session: automatic retries exhausted; waiting for a wake signal or Retry', { attempts: retryAttempt - 1 });
      return;
    }
    setTimer(delay, 'retry');
  };

  // ---- ending a session locally (K10, C5, another process signed out) ----
  /** Forgets the in-memory session; a renewal started before can no longer apply (generation). */
  const forgetSession = (reason: AuthError | null): void => {
    generation += 1;
    session = null;
    expiresAtMono = null;
    memoryOnly = false;
    offline = false;
    retryAttempt = 0;
    clearTimer();
    setError(reason);
  };
  const endSession = async (reason: AuthError | null, deleteEntry: boolean): Promise<void> => {
    const ended = session;
    forgetSession(reason);
    if (ended && deleteEntry && storage.available) {
      try {
        const gone = await vault.remove(ended.account.sub);
        if (!gone) logger.warn('session: the keychain entry is still present after delete');
      } catch (error) {
        logger.warn('session: the keychain entry could not be deleted', { code: toAuthError(error, 'keychain').code });
      }
    }
  };

  // ---- renewal (one at a time in this process; refresh.ts handles other processes) ----
  const refreshNow = (reason: string, rejectedAccessToken?: string): Promise<void> => {
    if (refreshPromise) return refreshPromise;
    if (!session || disposed) return Promise.resolve();
    const started = generation;
    const current = session;
    const stale = rejectedAccessToken ?? current.accessToken;
    refreshing = true;
    lastAttemptMono = clock.monotonicNow();
    clearTimer();
    notify();
    logger.info('session: renewing', { reason });
    const run = async (): Promise<void> => {
      const outcome = await refresher.refresh({
        current,
        persist: !memoryOnly && storage.available,
        stillDue: (candidate) => candidate.accessToken === stale || dueByWallClock(candidate),
      });
      if (generation !== started || disposed) return; // signed out / replaced meanwhile (K17)
      await apply(outcome);
    };
    refreshPromise = run()
      .catch((error: unknown) => {
        logger.error('session: renewal crashed', { code: toAuthError(error, 'refresh').code });
      })
      .finally(() => {
        refreshPromise = null;
        if (refreshing) {
          refreshing = false;
          notify();
        }
      });
    return refreshPromise;
  };

  const apply = async (outcome: RefreshOutcome): Promise<void> => {
    updateClockSkew();
    switch (outcome.kind) {
      case 'refreshed':
      case 'adopted': {
        adopt(outcome.session, outcome.kind === 'refreshed' ? outcome.receivedMono : undefined);
        offline = false;
        retryAttempt = 0;
        setError(null);
        if (outcome.kind === 'refreshed' && !outcome.saved && outcome.storageError) {
          memoryOnly = true;
          if (outcome.storageError.code === 'storage_unavailable') {
            storage = { ...storage, available: false, detail: outcome.storageError.message };
          }
          setError(outcome.storageError);
        }
        logger.info('session: renewed', { adopted: outcome.kind === 'adopted', expiresInS: Math.round((msLeft() ?? 0) / 1000) });
        scheduleProactive();
        return;
      }
      case 'gone':
        logger.info('session: signed out in another process');
        await endSession(new AuthError('not_signed_in', 'You were signed out (in another window or the command line).'), false);
        return;
      case 'dropped':
        return;
      case 'failed':
        await classifyFailure(outcome.error);
        return;
    }
  };

  /** K10/K11: what a failed renewal means for the session. */
  const classifyFailure = async (error: AuthError): Promise<void> => {
    logger.warn('session: renewal failed', { code: error.code });
    if (SESSION_ENDING_CODES.has(error.code)) {
      // The grant is dead (expired, revoked, reused) or the answer cannot be trusted: retrying the
      // same refresh token can never succeed, so the entry goes and the user signs in again.
      await endSession(error, true);
      return;
    }
    setError(error);
    if (error.retryable) offline = true;
    // Everything kept (the refresh token may well still be good); try again later, bounded.
    scheduleRetry();
  };

  const offlineError = (): AuthError =>
    new AuthError('offline', 'You are offline: the provider cannot be reached to renew your session. It will retry automatically.');

  /** A token for a call: the current one, or a renewed one; `offline` at once when renewal cannot work. */
  const accessTokenForCall = async (): Promise<string> => {
    if (!session) throw notSignedIn();
    if (tokenUsable()) return session.accessToken!;
    if (offline) {
      // Do not make the caller wait for a provider we know is unreachable. Only when the automatic
      // retries are exhausted (no retry planned) does a call nudge one, at most once per the longest
      // backoff step, so a chatty UI cannot turn backoff into polling (K11 stays bounded).
      if (!refreshPromise && timer === null && clock.monotonicNow() - lastAttemptMono >= backoff.maxMs) void refreshNow('api');
      throw offlineError();
    }
    await refreshNow('api');
    if (session && tokenUsable()) return (session as StoredSession).accessToken!;
    if (!session) throw lastErrorAsAuthError() ?? notSignedIn();
    if (offline) throw offlineError();
    throw lastErrorAsAuthError() ?? new AuthError('internal', 'The session could not be renewed.');
  };

  const lastErrorAsAuthError = (): AuthError | null => (lastError ? new AuthError(lastError.code, lastError.message) : null);

  // ---- wake signals (K9) ----
  const unsubscribeWake = deps.wakeSignals.onWake((reason) => {
    if (!session || disposed) return;
    // A suspended machine's monotonic clock stood still (Linux CLOCK_MONOTONIC, macOS mach time)
    // while the token kept ageing at the provider: on resume the wall clock is the one that knows.
    // Renewing early is harmless; the monotonic deadline itself is left alone (K8).
    const dueAfterSleep = reason === 'resume' && dueByWallClock(session);
    if (offline || refreshDue() || dueAfterSleep) {
      logger.info('session: wake signal; renewing now', { reason });
      void refreshNow(`wake:${reason}`);
    }
  });

  const storageUnavailable = (error: AuthError): void => {
    storage = { ...storage, available: false, detail: error.message };
  };

  // ---- the service ----
  /**
   * Runs one sign-in (browser or device) to the end: one pending sign-in at a time, the newer wins
   * (L22); the new session is saved to the keychain BEFORE anyone hears "signed in".
   */
  const runSignIn = async (
    kind: PendingSignInEntry['kind'],
    options: SignInOptions,
    start: (
      p: DiscoveredProvider,
      signal: AbortSignal,
      timeoutMs: number,
      entry: PendingSignInEntry,
      isCurrent: () => boolean,
    ) => Promise<RunningSignIn>,
  ): Promise<SessionSnapshot> => {
    if (pending) {
      pending.superseded = true;
      pending.controller.abort();
      pending.flow?.cancel();
    }
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timeoutMs = options.timeoutMs ?? t.signInTimeoutMs ?? 300_000;
    const entry: PendingSignInEntry = {
      kind,
      flow: null,
      device: null,
      controller,
      browserOpened: false,
      startedAt: clock.now(),
      expiresAt: clock.now() + timeoutMs,
      superseded: false,
    };
    pending = entry;
    notify();
    const isCurrent = (): boolean => pending === entry && !entry.superseded;
    try {
      const p = await getProvider();
      if (controller.signal.aborted) throw cancelledOrSuperseded(entry);
      const flow = await start(p, controller.signal, timeoutMs, entry, isCurrent);
      entry.flow = flow;
      if (controller.signal.aborted) flow.cancel();
      let fresh: StoredSession;
      try {
        fresh = await flow.result;
      } catch (error) {
        throw entry.superseded ? cancelledOrSuperseded(entry) : error;
      }
      if (!isCurrent()) throw cancelledOrSuperseded(entry);
      const receivedMono = clock.monotonicNow() - Math.max(0, clock.now() - fresh.receivedAt);
      updateClockSkewFrom(p);

      // A renewal of the previous session must not land after (and over) the new one.
      const previous = session;
      generation += 1;
      await refresher.drop();
      clearTimer();

      // Stored BEFORE anyone hears "signed in": a crash now cannot lose the new session.
      let storageError: AuthError | null = null;
      try {
        await vault.save(fresh);
        storage = { ...storage, available: true, detail: null };
      } catch (error) {
        storageError = toAuthError(error, 'keychain');
        if (storageError.code === 'storage_unavailable') storageUnavailable(storageError);
        logger.warn('sign-in: the session could not be saved; keeping it in memory', { code: storageError.code });
      }
      if (!storageError && previous && previous.account.sub !== fresh.account.sub) {
        await vault.remove(previous.account.sub).catch(() => false);
      }
      adopt(fresh, receivedMono);
      memoryOnly = storageError !== null;
      offline = false;
      retryAttempt = 0;
      setError(storageError);
      pending = null;
      scheduleProactive();
      notify();
      return snapshot();
    } catch (error) {
      const mapped = toAuthError(error, kind === 'device' ? 'device authorization' : 'sign-in');
      // A wrong computer clock is the usual reason an ID token fails its time checks: the token
      // endpoint's Date header of this very failure is what lets the UI say so (K8).
      if (provider) updateClockSkewFrom(provider);
      if (pending === entry) {
        pending = null;
        setError(mapped);
        notify();
      }
      throw mapped;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  };

  const service: SessionService = {
    snapshot,

    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async restore() {
      let loaded: Awaited<ReturnType<TokenVault['load']>>;
      try {
        loaded = await vault.load();
      } catch (error) {
        const mapped = toAuthError(error, 'keychain');
        if (mapped.code !== 'storage_unavailable') throw mapped;
        // K1–K3: no silent fallback; the UI says why. A memory session (if any) is kept.
        storageUnavailable(mapped);
        setError(mapped);
        logger.warn('session: the keychain is unavailable; sessions will last until the app closes');
        notify();
        return snapshot();
      }
      storage = { ...storage, available: true, detail: null };
      if (loaded.kind === 'discarded') {
        // K5: the damaged entry is already deleted by the vault; report once, never its content.
        logger.warn('session: a damaged keychain entry was deleted', { code: loaded.error.code });
        await endSession(loaded.error, false);
      } else if (loaded.kind === 'empty') {
        if (session && memoryOnly) {
          // The keychain is back and we hold a memory-only session: store it now.
          await persistMemorySession();
        } else if (session) {
          await endSession(null, false);
        }
      } else {
        const stored = loaded.session;
        const same = session !== null && session.refreshToken === stored.refreshToken && session.accessToken === stored.accessToken;
        const oursIsNewer =
          session !== null && session.account.sub === stored.account.sub && session.receivedAt > stored.receivedAt;
        if (session && !same && oursIsNewer) {
          // We renewed while the keychain was unusable: the keychain holds the consumed refresh token.
          // Adopting it would redeem a used token (reuse detection, RFC 9700 §4.14.2): store ours.
          await persistMemorySession();
        } else if (!same) {
          generation += 1;
          adopt(stored);
          memoryOnly = false;
          if (lastError?.code === 'storage_unavailable' || lastError?.code === 'storage_corrupt') setError(null);
        } else if (memoryOnly) {
          memoryOnly = false;
          if (lastError?.code === 'storage_unavailable') setError(null);
        }
        if (refreshDue() && t.refreshOnRestore !== false) {
          // Announced as "refreshing" right away; the renewal runs in the background (K9).
          void refreshNow('restore');
        } else {
          scheduleProactive();
        }
      }
      notify();
      return snapshot();
    },

    signIn(options: SignInOptions = {}) {
      return runSignIn('browser', options, async (p, signal, timeoutMs, entry, isCurrent) => {
        const flow = await startBrowserSignIn(
          { config, provider: p, browser: deps.browser, clock, logger },
          { signal, timeoutMs },
        );
        void flow.browserOpened.then((opened) => {
          if (!isCurrent()) return;
          entry.browserOpened = opened;
          notify();
        });
        return { result: flow.result, cancel: flow.cancel, authorizationUrl: flow.authorizationUrl };
      });
    },

    signInWithDevice(options: SignInOptions = {}) {
      return runSignIn('device', options, async (p, signal, _timeoutMs, entry) => {
        // Refused unless OAUTH_DEVICE_FLOW is on (RFC 8628 §5.4: device-code phishing).
        const flow = await startDeviceSignIn(
          { config, provider: p, clock, logger, random: t.random, sleep: t.deviceSleep },
          { signal, intervalMs: t.deviceIntervalMs },
        );
        entry.device = devicePendingSignIn(flow);
        entry.expiresAt = flow.expiresAt;
        notify();
        return { result: flow.result, cancel: flow.cancel, authorizationUrl: null };
      });
    },

    cancelSignIn() {
      if (!pending) return;
      pending.controller.abort();
      pending.flow?.cancel();
    },

    async reopenBrowser() {
      const entry = pending;
      const url = entry?.flow?.authorizationUrl;
      if (!entry || !url) throw new AuthError('not_signed_in', 'No browser sign-in is in progress.');
      await deps.browser.open(url);
      if (pending === entry && !entry.browserOpened) {
        entry.browserOpened = true;
        notify();
      }
    },

    pendingAuthorizationUrl() {
      return pending?.flow?.authorizationUrl ?? null;
    },

    async signOut(): Promise<SignOutReport> {
      let ending = session;
      const wasMemoryOnly = memoryOnly;
      // Forget in memory first: from here on no call gets a token, and the UI says "signed out".
      service.cancelSignIn();
      pending = null;
      forgetSession(null);
      notify();
      // K17: a renewal in flight is aborted; if it got an answer, that answer is never applied,
      // and its (newest) refresh token is the one to revoke.
      const dropped = await refresher.drop();
      if (!ending && !dropped) {
        // Nothing in memory (a `logout` without restore): what the keychain holds is what to revoke.
        const loaded = await vault.load().catch(() => null);
        if (loaded?.kind === 'found') ending = loaded.session;
      }
      const sub = ending?.account.sub ?? dropped?.account.sub ?? null;
      // Across processes (K12, K17): another process's renewal holds the refresh lock from its read
      // of the keychain to its write. Deleting under the same lock means that write cannot land
      // after the delete (bringing back a session the user signed out of), and the token revoked
      // is the newest one it wrote. Sign-out never depends on the lock: without it, it carries on.
      const release = sub
        ? await deps.refreshLock.acquire(vault.accountKey(sub), { timeoutMs: t.lockTimeoutMs ?? 30_000 }).catch(() => null)
        : null;
      let report: SignOutReport;
      try {
        let stored: StoredSession | null = null;
        if (release) {
          const loaded = await vault.load().catch(() => null);
          if (loaded?.kind === 'found' && loaded.session.account.sub === sub) stored = loaded.session;
        }
        const newest = [dropped, stored, ending].reduce<StoredSession | null>(
          (best, s) => (s && (!best || s.receivedAt > best.receivedAt) ? s : best),
          null,
        );
        const tokenToRevoke = newest?.refreshToken
          ? { token: newest.refreshToken, hint: 'refresh_token' as const }
          : newest?.accessToken
            ? { token: newest.accessToken, hint: 'access_token' as const }
            : null;
        report = await signOutEverywhere({ config, vault, getProvider, browser: deps.browser, logger }, { sub, tokenToRevoke });
      } finally {
        await release?.().catch(() => undefined);
      }
      if (wasMemoryOnly && !storage.available) {
        // Nothing of this session was ever written to the keychain.
        report.localTokensDeleted = true;
      }
      if (!report.localTokensDeleted) {
        setError(new AuthError('storage_unavailable', 'The saved session could not be deleted from the keychain. Unlock it and sign out again.'));
      }
      notify();
      return report;
    },

    async callApi(request: ApiRequest): Promise<ApiResponse> {
      // Refused before a token is looked up: no token ever goes to an origin not configured.
      const url = assertAllowedApiUrl(config, request);
      const token = await accessTokenForCall();
      const first = await sendApiRequest(api, url, request, token);
      if (!isInvalidTokenChallenge(first)) return first;
      // RFC 6750 §3.1 invalid_token: renew once (joining any renewal in flight) and retry once.
      let next: string | null = null;
      if (session?.accessToken && session.accessToken !== token && tokenUsable()) {
        next = session.accessToken;
      } else if (session) {
        await refreshNow('rejected', token);
        if (session?.accessToken && (session as StoredSession).accessToken !== token && tokenUsable()) {
          next = (session as StoredSession).accessToken;
        }
      }
      if (next === null) {
        if (!session) throw lastErrorAsAuthError() ?? notSignedIn();
        if (offline) throw offlineError();
        return first;
      }
      return sendApiRequest(api, url, request, next);
    },

    async retryNow() {
      if (!storage.available || (session && memoryOnly)) {
        // The user may have unlocked the keychain: look again.
        await service.restore();
      }
      if (session) {
        retryAttempt = 0;
        if (refreshDue() || offline || !tokenUsable()) await refreshNow('manual');
      }
      return snapshot();
    },

    dispose() {
      if (disposed) return;
      service.cancelSignIn();
      disposed = true;
      clearTimer();
      unsubscribeWake();
      listeners.clear();
      void refresher.drop();
    },
  };

  async function persistMemorySession(): Promise<void> {
    if (!session) return;
    try {
      await vault.save(session);
      memoryOnly = false;
      if (lastError?.code === 'storage_unavailable') setError(null);
      logger.info('session: the keychain is available again; the session is saved');
    } catch (error) {
      const mapped = toAuthError(error, 'keychain');
      if (mapped.code === 'storage_unavailable') storageUnavailable(mapped);
      setError(mapped);
    }
  }

  function updateClockSkewFrom(p: DiscoveredProvider): void {
    const sample = p.http.lastServerTime();
    if (sample) clockSkew = clockSkewWarning(sample.skewSeconds);
  }

  return service;
}

function notSignedIn(): AuthError {
  return new AuthError('not_signed_in', 'You are not signed in. Sign in first.');
}

function cancelledOrSuperseded(entry: PendingSignInEntry): AuthError {
  return entry.superseded
    ? new AuthError('superseded', 'This sign-in was replaced by a newer one.')
    : new AuthError('cancelled', 'The sign-in was cancelled.');
}

/** Codes after which the session has ended (exported for the CLI's wording). */
export const SESSION_ENDING_CODES: ReadonlySet<AuthErrorCode> = new Set(['invalid_grant', 'subject_changed', 'id_token_invalid']);

/** True when `error` means the user must sign in again. */
export function endsSession(error: unknown): boolean {
  return isAuthError(error) && SESSION_ENDING_CODES.has(error.code);
}
