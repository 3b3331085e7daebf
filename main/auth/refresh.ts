/**
 * Renewing the access token with the refresh token: one flight at a time, across processes too,
 * rotation-safe.
 *
 * - Single flight in the process (K12): any number of callers join the one flight in progress;
 *   exactly one token request leaves the process.
 * - Across processes (the app and CLIs sharing one keychain entry, K12): the flight runs under a
 *   {@link RefreshLock}, and first RE-READS the vault. If another process renewed the session
 *   meanwhile, its tokens are adopted and the old refresh token is never redeemed: a provider that
 *   rotates refresh tokens revokes the whole grant when a used one comes back (RFC 9700 §4.14.2).
 * - Rotation-safe: the new session (new refresh token, or the old one when the response has none —
 *   K15, inside sessionFromTokenResponse) is written to the vault BEFORE the flight resolves, so no
 *   caller holds the new access token while the keychain still holds a consumed refresh token.
 * - A refreshed ID token must name the same iss/sub/aud (C5): `subject_changed`, from
 *   sessionFromTokenResponse.
 * - `drop()` (sign-out or a new sign-in, K17): the flight is aborted and whatever it receives is
 *   neither stored nor handed out; the dropped session is returned so sign-out can revoke it.
 *
 * Classification (what the session does with a failure) lives in session.ts; this module only
 * throws `AuthError`s mapped by {@link toAuthError}.
 */
import * as oauth from 'oauth4webapi';
import type { Clock, Logger, RefreshLock } from '../platform/ports';
import type { AppConfig } from './config';
import type { DiscoveredProvider } from './discovery';
import { AuthError, isAuthError, toAuthError } from './errors';
import { sessionFromTokenResponse } from './exchange';
import type { ServerTimeSample } from './http';
import type { StoredSession } from './tokens';
import type { TokenVault } from './vault';

export interface RefresherDeps {
  config: AppConfig;
  vault: TokenVault;
  lock: RefreshLock;
  /** Discovery (cached metadata when the provider is unreachable, K18). */
  getProvider(): Promise<DiscoveredProvider>;
  clock: Clock;
  logger: Logger;
  /** How long to wait for another process's refresh before giving up. Default 30 s. */
  lockTimeoutMs?: number;
}

/** What one flight is asked to do. */
export interface RefreshRequest {
  /** The session as this process knows it. */
  current: StoredSession;
  /** False while the keychain is unavailable (memory-only session): no re-read, no write. */
  persist: boolean;
  /**
   * Whether a session found in the vault still needs renewing. False means another process renewed
   * it already: adopt it instead of redeeming its refresh token again.
   */
  stillDue(candidate: StoredSession): boolean;
}

/** How a flight ended. */
export type RefreshOutcome =
  /** Renewed here. `saved` is false when the keychain refused the write (the session is then memory-only). */
  | { kind: 'refreshed'; session: StoredSession; receivedMono: number; saved: boolean; storageError: AuthError | null }
  /** Another process had renewed it: taken from the vault, no request made. */
  | { kind: 'adopted'; session: StoredSession }
  /** The vault entry is gone (signed out in another process). */
  | { kind: 'gone' }
  /** Dropped by {@link Refresher.drop}: nothing stored, nothing handed out. */
  | { kind: 'dropped' }
  | { kind: 'failed'; error: AuthError };

/** The single-flight refresher. */
export interface Refresher {
  /** Joins the flight in progress or starts one; never rejects (failures are an outcome). */
  refresh(request: RefreshRequest): Promise<RefreshOutcome>;
  readonly inFlight: boolean;
  /**
   * Aborts the flight in progress (K17) and resolves once it has settled, with the session it
   * received and dropped (so its refresh token can be revoked), or null.
   */
  drop(): Promise<StoredSession | null>;
  /** The provider's clock as seen in the last token-endpoint response, success or error (K8). */
  lastServerTime(): ServerTimeSample | null;
}

interface Flight {
  promise: Promise<RefreshOutcome>;
  controller: AbortController;
  received: StoredSession | null;
}

/**
 * Creates the refresher for one provider registration.
 * @see RFC 6749 §6, RFC 9700 §4.14.2, OIDC Core §12.2
 */
export function createRefresher(deps: RefresherDeps): Refresher {
  let flight: Flight | null = null;
  let serverTime: ServerTimeSample | null = null;

  async function fly(request: RefreshRequest, current: Flight): Promise<RefreshOutcome> {
    const { signal } = current.controller;
    let release: (() => Promise<void>) | null = null;
    try {
      release = await deps.lock.acquire(deps.vault.accountKey(request.current.account.sub), {
        signal,
        timeoutMs: deps.lockTimeoutMs ?? 30_000,
      });
      if (signal.aborted) return { kind: 'dropped' };

      let base = request.current;
      let persist = request.persist;
      let storageError: AuthError | null = null;
      if (persist) {
        const reread = await rereadVault(deps, request);
        if (reread.kind === 'gone' || reread.kind === 'adopted') return reread;
        if (reread.kind === 'memory') {
          persist = false;
          storageError = reread.error;
        } else base = reread.session;
      }
      if (!base.refreshToken) {
        throw new AuthError('invalid_grant', 'The session cannot be renewed (the provider issued no refresh token). Sign in again.');
      }

      const { session, receivedMono } = await redeem(deps, base, signal, (sample) => {
        serverTime = sample ?? serverTime;
      });
      current.received = session;
      // Sign-out (or a new sign-in) happened while the request was out: drop the answer (K17).
      if (signal.aborted) return { kind: 'dropped' };

      if (!persist) return { kind: 'refreshed', session, receivedMono, saved: false, storageError };
      try {
        await deps.vault.save(session);
      } catch (error) {
        const mapped = toAuthError(error, 'keychain');
        deps.logger.warn('refresh: the renewed session could not be saved; keeping it in memory', { code: mapped.code });
        return { kind: 'refreshed', session, receivedMono, saved: false, storageError: mapped };
      }
      return { kind: 'refreshed', session, receivedMono, saved: true, storageError: null };
    } catch (error) {
      if (signal.aborted) return { kind: 'dropped' };
      return { kind: 'failed', error: toAuthError(error, 'refresh') };
    } finally {
      if (release) await release().catch(() => undefined);
    }
  }

  return {
    refresh(request) {
      if (flight) return flight.promise;
      const current: Flight = { promise: Promise.resolve({ kind: 'dropped' }), controller: new AbortController(), received: null };
      current.promise = fly(request, current).finally(() => {
        if (flight === current) flight = null;
      });
      flight = current;
      return current.promise;
    },
    get inFlight() {
      return flight !== null;
    },
    async drop() {
      const current = flight;
      if (!current) return null;
      current.controller.abort();
      const outcome = await current.promise;
      // A session saved just before the abort landed is returned too: sign-out deletes the entry
      // after this resolves, and revokes this session's refresh token.
      return outcome.kind === 'dropped' || outcome.kind === 'refreshed' ? current.received : null;
    },
    lastServerTime: () => serverTime,
  };
}

type Reread =
  | { kind: 'use'; session: StoredSession }
  | { kind: 'memory'; error: AuthError }
  | Extract<RefreshOutcome, { kind: 'gone' | 'adopted' }>;

/** Under the lock: what the vault holds now decides whether to redeem, adopt, or stop. */
async function rereadVault(deps: RefresherDeps, request: RefreshRequest): Promise<Reread> {
  let loaded: Awaited<ReturnType<TokenVault['load']>>;
  try {
    loaded = await deps.vault.load();
  } catch (error) {
    if (!isAuthError(error, 'storage_unavailable')) throw error;
    // The keychain went away since launch: carry on with what we hold, in memory (K1–K3).
    return { kind: 'memory', error };
  }
  if (loaded.kind !== 'found') return { kind: 'gone' };
  const found = loaded.session;
  const changed =
    found.account.sub !== request.current.account.sub ||
    found.refreshToken !== request.current.refreshToken ||
    found.accessToken !== request.current.accessToken;
  if (changed && !request.stillDue(found)) {
    deps.logger.info('refresh: another process renewed the session; using its tokens');
    return { kind: 'adopted', session: found };
  }
  // Redeem the freshest refresh token we know of: never an older one than the vault holds.
  return { kind: 'use', session: found };
}

/** One refresh-token grant request and its validation. */
async function redeem(
  deps: RefresherDeps,
  base: StoredSession,
  signal: AbortSignal,
  onServerTime: (sample: ServerTimeSample | null) => void,
): Promise<{ session: StoredSession; receivedMono: number }> {
  const provider = await deps.getProvider();
  let tokens: oauth.TokenEndpointResponse;
  let receivedAt: number;
  let receivedMono: number;
  try {
    const response = await oauth.refreshTokenGrantRequest(provider.as, provider.client, provider.clientAuth, base.refreshToken!, {
      ...provider.http.tokenEndpointOptions,
      signal,
      // RFC 8707 §2.2: ask for the same audience again, so the new access token fits the API.
      additionalParameters: deps.config.resources.map((resource) => ['resource', resource]),
    });
    receivedAt = deps.clock.now();
    receivedMono = deps.clock.monotonicNow();
    onServerTime(provider.http.lastServerTime());
    tokens = await oauth.processRefreshTokenResponse(provider.as, provider.client, response);
  } catch (error) {
    onServerTime(provider.http.lastServerTime());
    throw toAuthError(error, 'refresh');
  }
  const session = sessionFromTokenResponse(deps.config, provider, tokens, { previous: base, receivedAt });
  return { session, receivedMono };
}
