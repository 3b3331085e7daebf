/**
 * One browser sign-in, start to finish: loopback receiver → authorization URL → system browser →
 * callback → validation → code exchange. RFC 8252 §4.1 in one function.
 *
 * The receiver is opened per sign-in and closed in `finally` whatever happens (N6); its browser tab
 * is told the outcome (`finish`) so the user reads what really happened. Exactly one token request
 * is made per sign-in (L7): the receiver resolves once, with the one callback whose state matched.
 * The session is returned, not stored: the session service owns the vault.
 */
import type { BrowserLauncher, Clock, Logger } from '../platform/ports';
import { startLoopbackReceiver } from '../loopback/server';
import { AuthorizationSecrets, buildAuthorizationRequest, type PendingAuthorization } from './authorize';
import { validateCallback } from './callback';
import type { AppConfig } from './config';
import type { DiscoveredProvider } from './discovery';
import { AuthError, toAuthError } from './errors';
import { exchangeAuthorizationCode } from './exchange';
import type { StoredSession } from './tokens';

/** RFC 8252 sets no number; 5 minutes gives a user time to log in and consent (L19). */
export const DEFAULT_SIGN_IN_TIMEOUT_MS = 300_000;

/** Upper bound on waiting for the tab to fetch its outcome page before the port is forced shut. */
const RECEIVER_GRACE_MS = 3_000;

export interface BrowserSignInDeps {
  config: AppConfig;
  provider: DiscoveredProvider;
  browser: BrowserLauncher;
  clock: Clock;
  logger: Logger;
  /** The loopback receiver factory (the real one by default). */
  startReceiver?: typeof startLoopbackReceiver;
}

export interface BrowserSignInOptions {
  /** Aborting cancels the sign-in (L20). */
  signal?: AbortSignal;
  /** How long to wait for the browser to come back (default 5 minutes). */
  timeoutMs?: number;
}

/** A pending browser sign-in. */
export interface BrowserSignIn {
  /** The URL opened in the browser, for "copy link" when it could not be opened (L21). Contains `state`: never log it. */
  readonly authorizationUrl: string;
  /** Resolves false when the system browser could not be opened; the sign-in keeps waiting. */
  readonly browserOpened: Promise<boolean>;
  /** The new session, or an `AuthError` (`access_denied`, `cancelled`, `timed_out`, `state_mismatch`, …). */
  readonly result: Promise<StoredSession>;
  /** Cancels the sign-in; `result` rejects with `cancelled`. */
  cancel(): void;
}

/**
 * Starts a sign-in through the system browser. Resolves once the receiver listens and the URL is
 * built (the browser is being opened); the outcome arrives on `result`.
 *
 * @see RFC 8252 §4.1, §7.3 (loopback redirect), RFC 7636, RFC 9207
 */
export async function startBrowserSignIn(deps: BrowserSignInDeps, options: BrowserSignInOptions = {}): Promise<BrowserSignIn> {
  const { config, provider, logger } = deps;
  if (options.signal?.aborted) throw new AuthError('cancelled', 'The sign-in was cancelled.');
  const controller = new AbortController();
  const cancel = (): void => controller.abort();
  options.signal?.addEventListener('abort', cancel, { once: true });
  const unlink = (): void => options.signal?.removeEventListener('abort', cancel);

  // `state` must exist before the receiver (which filters on it), the receiver before the URL
  // (which names the receiver's port): so the secrets are made first.
  const secrets = new AuthorizationSecrets();
  const start = deps.startReceiver ?? startLoopbackReceiver;
  let receiver: Awaited<ReturnType<typeof startLoopbackReceiver>>;
  try {
    receiver = await start({
      host: config.redirectHost,
      port: config.redirectPort,
      path: config.redirectPath,
      expectedState: secrets.state,
      timeoutMs: options.timeoutMs ?? DEFAULT_SIGN_IN_TIMEOUT_MS,
      signal: controller.signal,
      appName: 'oauth-desktop',
    });
  } catch (error) {
    unlink();
    throw toAuthError(error, 'sign-in');
  }

  let pending: PendingAuthorization;
  try {
    pending = await buildAuthorizationRequest(config, provider, {
      redirectUri: receiver.redirectUri,
      secrets,
    });
  } catch (error) {
    receiver.finish('error');
    await closeQuietly(receiver, logger);
    unlink();
    throw toAuthError(error, 'sign-in');
  }

  if (controller.signal.aborted) {
    receiver.finish('cancelled');
    await closeQuietly(receiver, logger);
    unlink();
    throw new AuthError('cancelled', 'The sign-in was cancelled.');
  }

  // Promise.resolve().then: a launcher that throws synchronously is "not opened", not a crash.
  const browserOpened = Promise.resolve()
    .then(() => deps.browser.open(pending.url))
    .then(
      () => true,
      (error: unknown) => {
        logger.warn('sign-in: the system browser could not be opened; the link is available to copy', {
          code: toAuthError(error, 'sign-in').code,
        });
        return false;
      },
    );

  const result = (async (): Promise<StoredSession> => {
    let outcome: 'success' | 'cancelled' | 'error' = 'error';
    try {
      const callbackUrl = await receiver.callback;
      const parameters = validateCallback(provider, callbackUrl, secrets.state);
      const session = await exchangeAuthorizationCode(
        { config, provider, clock: deps.clock, logger, signal: controller.signal },
        pending,
        parameters,
      );
      // Cancelled while the token request was in flight but answered anyway: the user said stop.
      if (controller.signal.aborted) throw new AuthError('cancelled', 'The sign-in was cancelled.');
      if (pending.offlineRequested && session.refreshToken === null) {
        // The provider ignored offline_access: the session will end when the access token expires.
        logger.warn('sign-in: offline_access was requested but no refresh token was issued');
      }
      outcome = 'success';
      logger.info('sign-in: completed', { promptConsent: pending.promptConsent, refreshToken: session.refreshToken !== null });
      return session;
    } catch (error) {
      const mapped = toAuthError(error, 'sign-in');
      outcome = mapped.code === 'access_denied' || mapped.code === 'cancelled' ? 'cancelled' : 'error';
      logger.warn('sign-in: failed', { code: mapped.code });
      throw mapped;
    } finally {
      // finish() shows the outcome page in the tab and lets the receiver close itself once the
      // browser has it (or after a short grace); close() then makes sure the port is shut (N6).
      receiver.finish(outcome);
      await Promise.race([receiver.closed, delay(RECEIVER_GRACE_MS)]);
      await closeQuietly(receiver, logger);
      unlink();
    }
  })();

  // Callers may look at `result` only after `browserOpened`: a rejection before then is not "unhandled".
  result.catch(() => {});
  return { authorizationUrl: pending.url, browserOpened, result, cancel };
}

/** Closing must not replace the sign-in's own outcome with a listener error (N6: it is closed either way). */
async function closeQuietly(receiver: { close(): Promise<void> }, logger: Logger): Promise<void> {
  try {
    await receiver.close();
  } catch (error) {
    logger.warn('sign-in: closing the loopback receiver failed', { code: toAuthError(error, 'sign-in').code });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
