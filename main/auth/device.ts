/**
 * The device authorization grant (RFC 8628): sign in on another device by entering a short code.
 *
 * What gh, az and VS Code fall back to when a loopback redirect cannot work (SSH sessions, WSL,
 * locked-down browsers). It is opt-in (`config.deviceFlow`) because it can be abused for phishing:
 * an attacker starts a device sign-in and persuades a victim to enter *their* code, and then holds
 * the victim's tokens (RFC 8628 §5.4). The UI therefore tells the user to enter only codes they
 * started themselves.
 *
 * The `device_code` is a bearer secret for the pending grant: it stays in this closure and is never
 * logged, returned or put in an error. The `user_code` is meant to be shown.
 */
import { inspect } from 'node:util';
import * as oauth from 'oauth4webapi';
import { type Clock, type Logger, silentLogger, systemClock } from '../platform/ports';
import type { AppConfig } from './config';
import type { DiscoveredProvider } from './discovery';
import { AuthError, toAuthError } from './errors';
import { sessionFromTokenResponse } from './exchange';
import { assertEndpointAllowed } from './http';
import type { PendingSignIn } from './snapshot';
import type { StoredSession } from './tokens';

/** Polling interval when the provider sends none (RFC 8628 §3.2: "the client MUST use 5"). */
export const DEFAULT_DEVICE_INTERVAL_MS = 5_000;

/** Added to the interval for this and every later poll after `slow_down` (RFC 8628 §3.5). */
export const SLOW_DOWN_INCREMENT_MS = 5_000;

/** Upper bound of the back-off after network failures while polling. */
export const MAX_NETWORK_BACKOFF_MS = 60_000;

/** Waits `ms`, or rejects as soon as `signal` aborts. Injected by tests to observe the intervals. */
export type Sleeper = (ms: number, signal: AbortSignal) => Promise<void>;

export interface DeviceSignInDeps {
  config: AppConfig;
  /** The discovered provider (same object the browser flow uses). */
  provider: DiscoveredProvider;
  clock?: Clock;
  logger?: Logger;
  /** Default: a real timer. */
  sleep?: Sleeper;
  /** Jitter source in [0, 1) for the network back-off. Default `Math.random`. */
  random?: () => number;
}

export interface DeviceSignInOptions {
  /** Aborting it cancels the sign-in, like {@link DeviceSignIn.cancel}. */
  signal?: AbortSignal;
  /**
   * Overrides the provider's interval (tests; never lower than the provider asks in production).
   * `slow_down` still adds 5 s to it.
   */
  intervalMs?: number;
}

/** A pending device sign-in: what to show the user, and the outcome. */
export interface DeviceSignIn {
  /** The code the user types at {@link verificationUri} (RFC 8628 §3.2). Safe to show. */
  readonly userCode: string;
  readonly verificationUri: string;
  /** The URI with the code filled in (for a QR code or a link), when the provider sends one. */
  readonly verificationUriComplete: string | null;
  /** Wall-clock epoch ms after which the code is dead. */
  readonly expiresAt: number;
  /**
   * Resolves with the new session (not stored: the caller puts it in the vault, like the browser
   * flow). Rejects with `device_expired`, `device_denied`, `cancelled`, or a mapped provider error.
   */
  readonly result: Promise<StoredSession>;
  /** Stops polling; `result` rejects with `cancelled`. Idempotent. */
  cancel(): void;
}

/**
 * Starts a device sign-in: asks the provider for a device and user code, then polls the token
 * endpoint in the background until the user approves, denies, the code expires or the caller
 * cancels.
 *
 * Throws `config_invalid` when the device flow is not enabled (RFC 8628 §5.4), and
 * `provider_unsupported` when the provider has no device authorization endpoint.
 *
 * @see RFC 8628 §3.1–§3.5
 */
export async function startDeviceSignIn(deps: DeviceSignInDeps, options: DeviceSignInOptions = {}): Promise<DeviceSignIn> {
  const { config, provider } = deps;
  assertDeviceFlowEnabled(config);
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger;
  const sleep = deps.sleep ?? realSleep;
  const random = deps.random ?? Math.random;

  const endpoint = provider.as.device_authorization_endpoint;
  if (typeof endpoint !== 'string') {
    throw new AuthError(
      'provider_unsupported',
      'The provider does not offer sign-in with a code (no device_authorization_endpoint, RFC 8628). Use the browser sign-in.',
    );
  }
  assertEndpointAllowed(endpoint, 'device_authorization_endpoint', config);

  const controller = new AbortController();
  const onOuterAbort = () => controller.abort();
  if (options.signal?.aborted) throw cancelled();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });

  let authorization: oauth.DeviceAuthorizationResponse;
  try {
    const parameters = new URLSearchParams({ scope: config.scopes.join(' ') });
    for (const resource of config.resources) parameters.append('resource', resource);
    const response = await oauth.deviceAuthorizationRequest(provider.as, provider.client, provider.clientAuth, parameters, {
      ...provider.http.options,
      signal: controller.signal,
    });
    authorization = await oauth.processDeviceAuthorizationResponse(provider.as, provider.client, response);
  } catch (error) {
    options.signal?.removeEventListener('abort', onOuterAbort);
    if (controller.signal.aborted) throw cancelled(error);
    const mapped = toAuthError(error, 'device authorization');
    if (mapped.code === 'token_response_invalid' && error instanceof oauth.ResponseBodyError) {
      // A 4xx OAuth error here (oidc-provider: invalid_request "grant not allowed for this client")
      // is about the registration, not about a token: say what to change.
      throw new AuthError(
        'provider_unsupported',
        `The provider refused sign-in with a code for this client (${/^[\x21-\x7E]{1,64}$/.test(error.error) ? error.error : 'error'}). ` +
          'Allow the device grant for this client at the provider, or use the browser sign-in.',
        { cause: error },
      );
    }
    throw mapped;
  }

  const display = validateDisplayFields(authorization, config);
  const startedAt = clock.monotonicNow();
  const expiresInMs = authorization.expires_in * 1000;
  const deadline = startedAt + expiresInMs;
  const expiresAt = clock.now() + expiresInMs;
  // The interval the provider asked for; the injected one only replaces it (tests).
  let intervalMs =
    options.intervalMs ??
    (typeof authorization.interval === 'number' && authorization.interval > 0 ? authorization.interval * 1000 : DEFAULT_DEVICE_INTERVAL_MS);
  const deviceCode = authorization.device_code;

  const poll = async (): Promise<StoredSession> => {
    let networkFailures = 0;
    for (;;) {
      // After network failures the wait grows exponentially (RFC 8628 §3.5), never below the interval.
      const wait =
        networkFailures === 0
          ? intervalMs
          : Math.min(MAX_NETWORK_BACKOFF_MS, intervalMs * 2 ** networkFailures) * (0.8 + 0.4 * random());
      const remaining = deadline - clock.monotonicNow();
      if (remaining <= 0) throw expired();
      try {
        await sleep(Math.max(0, Math.min(wait, remaining)), controller.signal);
      } catch (error) {
        if (controller.signal.aborted) throw cancelled(error);
        throw toAuthError(error, 'device authorization');
      }
      if (controller.signal.aborted) throw cancelled();
      if (clock.monotonicNow() >= deadline) throw expired();

      let tokens: oauth.TokenEndpointResponse;
      let receivedAt: number;
      try {
        const response = await oauth.deviceCodeGrantRequest(provider.as, provider.client, provider.clientAuth, deviceCode, {
          ...provider.http.tokenEndpointOptions,
          signal: controller.signal,
          additionalParameters: config.resources.map((resource) => ['resource', resource]),
        });
        receivedAt = clock.now();
        tokens = await oauth.processDeviceCodeResponse(provider.as, provider.client, response);
      } catch (error) {
        if (controller.signal.aborted) throw cancelled(error);
        if (error instanceof oauth.ResponseBodyError) {
          if (error.error === 'authorization_pending') {
            networkFailures = 0;
            continue;
          }
          if (error.error === 'slow_down') {
            // "the interval MUST be increased by 5 seconds for this and all subsequent requests" (§3.5)
            intervalMs += SLOW_DOWN_INCREMENT_MS;
            networkFailures = 0;
            logger.info('device sign-in: provider asked to slow down', { intervalMs });
            continue;
          }
        }
        // expired_token → device_expired, access_denied → device_denied (errors.ts).
        const mapped = toAuthError(error, 'device authorization');
        // A provider that has already purged an expired (or used) device code no longer knows it and
        // answers invalid_grant (RFC 6749 §5.2) instead of expired_token. For the person waiting,
        // that is the same thing: the code is dead. "Your session has ended" would be wrong here.
        if (mapped.code === 'invalid_grant') throw expired();
        if (mapped.retryable) {
          networkFailures += 1;
          logger.warn('device sign-in: polling failed, backing off', { code: mapped.code, failures: networkFailures });
          continue;
        }
        throw mapped;
      }
      return sessionFromTokenResponse(config, provider, tokens, {
        previous: null,
        receivedAt,
        requestedScopes: config.scopes,
      });
    }
  };

  const result = poll().finally(() => {
    options.signal?.removeEventListener('abort', onOuterAbort);
    // Ends a pending request and sleep when the outcome came from elsewhere (expiry, denial).
    if (!controller.signal.aborted) controller.abort();
  });
  // The caller may cancel and never await `result`: that must not become an unhandled rejection.
  result.catch(() => {});

  const view = { ...display, expiresAt };
  const signIn: DeviceSignIn & { toJSON(): unknown; [inspect.custom](): string } = {
    ...view,
    result,
    cancel: () => controller.abort(),
    // The resolved `result` holds tokens: logging or serialising this object shows only the display fields (T4).
    toJSON: () => view,
    [inspect.custom]: () => `DeviceSignIn ${JSON.stringify(view)}`,
  };
  return signIn;
}

/**
 * Throws `config_invalid` unless the device flow was switched on (OAUTH_DEVICE_FLOW=1 or
 * `"deviceFlow": true` in the config file).
 *
 * @see RFC 8628 §5.4 (remote phishing)
 */
export function assertDeviceFlowEnabled(config: Pick<AppConfig, 'deviceFlow'>): void {
  if (config.deviceFlow) return;
  throw new AuthError(
    'config_invalid',
    'Sign-in with a code (the device flow) is off. It is opt-in because anyone can start such a sign-in and trick ' +
      'a person into entering their code, which hands that person\'s account to them (device-code phishing, RFC 8628 §5.4). ' +
      'Turn it on with OAUTH_DEVICE_FLOW=1 (or "deviceFlow": true in the config file) only if you need it.',
  );
}

/** The token-free view of a pending device sign-in, for the session snapshot and the UI. */
export function devicePendingSignIn(signIn: Pick<DeviceSignIn, 'userCode' | 'verificationUri' | 'verificationUriComplete' | 'expiresAt'>): PendingSignIn {
  return {
    kind: 'device',
    userCode: signIn.userCode,
    verificationUri: signIn.verificationUri,
    verificationUriComplete: signIn.verificationUriComplete,
    expiresAt: signIn.expiresAt,
  };
}

/**
 * The user code and URIs are shown on screen and in terminals: refuse control characters (escape
 * sequences could rewrite what the user reads) and non-https URIs (a phishing page could collect
 * the code).
 */
function validateDisplayFields(
  authorization: oauth.DeviceAuthorizationResponse,
  config: AppConfig,
): Pick<DeviceSignIn, 'userCode' | 'verificationUri' | 'verificationUriComplete'> {
  const userCode = authorization.user_code;
  if (!/^[\x21-\x7E]([\x20-\x7E]{0,62}[\x21-\x7E])?$/.test(userCode)) {
    throw new AuthError('token_response_invalid', 'The provider sent a user code that cannot be shown safely.');
  }
  const verificationUri = assertEndpointAllowed(authorization.verification_uri, 'verification_uri', config).href;
  const complete = authorization.verification_uri_complete;
  const verificationUriComplete =
    typeof complete === 'string' ? assertEndpointAllowed(complete, 'verification_uri_complete', config).href : null;
  return { userCode, verificationUri, verificationUriComplete };
}

function expired(): AuthError {
  return new AuthError('device_expired', 'The code expired before it was entered. Start again.');
}

function cancelled(cause?: unknown): AuthError {
  return new AuthError('cancelled', 'The sign-in with a code was cancelled.', cause === undefined ? undefined : { cause });
}

/** setTimeout that rejects on abort and does not keep the process alive after it. */
const realSleep: Sleeper = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(cancelled());
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
