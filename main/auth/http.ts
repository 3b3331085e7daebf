/**
 * The transport every oauth4webapi call uses: the injected fetch with a per-request timeout, the
 * one switch that permits plain http (loopback test/demo issuers only), and a sample of the
 * provider's clock taken from token-endpoint responses.
 *
 * Why here: every request must have a timeout (CHECKLIST K11), http must never be allowed for a
 * real issuer (S7), and the server `Date` header is the only honest outside reference the app has
 * to tell the user that their clock is wrong (K8) — tokens are validated against that clock.
 */
import * as oauth from 'oauth4webapi';
import type { AppConfig } from './config';
import { isLoopbackHostname } from './config';
import { AuthError } from './errors';
import type { Clock, FetchLike } from '../platform/ports';

/** Default per-request timeout: long enough for a slow provider, short enough to retry (K11). */
export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;

/** |skew| above this many seconds is reported to the user (ID token checks tolerate 30 s). */
export const CLOCK_SKEW_WARNING_SECONDS = 120;

/** The signature oauth4webapi calls for `[customFetch]`; accepts every method and body type. */
export type OAuthCustomFetch = (url: string, options: oauth.CustomFetchOptions<string, unknown>) => Promise<Response>;

/** The options object spread into every oauth4webapi request function. */
export interface OAuthHttpOptions {
  [oauth.customFetch]: OAuthCustomFetch;
  /** Present (and true) only for an http loopback issuer (config.insecureLoopbackIssuer). */
  [oauth.allowInsecureRequests]?: true;
}

/** The provider's clock as seen in one token-endpoint response. */
export interface ServerTimeSample {
  /** Epoch ms from the `Date` header (1-second resolution). */
  serverDate: number;
  /** Local wall clock (epoch ms) when the response headers arrived. */
  receivedAt: number;
  /** Local minus server, in whole seconds: positive when this computer's clock is fast. */
  skewSeconds: number;
}

/** The HTTP behaviour shared by every call to one provider. */
export interface OAuthHttp {
  /** For discovery, userinfo, revocation, … */
  readonly options: OAuthHttpOptions;
  /** For token-endpoint requests: same as `options`, and records the server `Date` header. */
  readonly tokenEndpointOptions: OAuthHttpOptions;
  /** The latest token-endpoint clock sample, or null before the first token response. */
  lastServerTime(): ServerTimeSample | null;
}

export interface OAuthHttpDeps {
  fetch: FetchLike;
  clock: Clock;
  /** Per-request timeout in ms (default {@link DEFAULT_HTTP_TIMEOUT_MS}). */
  timeoutMs?: number;
}

/**
 * Builds the HTTP options for one provider registration.
 *
 * @see RFC 9700 §2.6 (TLS everywhere) and oauth4webapi `allowInsecureRequests`
 */
export function createOAuthHttp(config: Pick<AppConfig, 'insecureLoopbackIssuer'>, deps: OAuthHttpDeps): OAuthHttp {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  let last: ServerTimeSample | null = null;

  const withTimeout: OAuthCustomFetch = (url, options) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    return deps.fetch(url, { ...(options as RequestInit), signal });
  };
  const sampling: OAuthCustomFetch = async (url, options) => {
    const response = await withTimeout(url, options);
    const receivedAt = deps.clock.now();
    const skewSeconds = skewFromDate(response.headers.get('date'), receivedAt);
    if (skewSeconds !== null) last = { serverDate: receivedAt - skewSeconds * 1000, receivedAt, skewSeconds };
    return response;
  };

  return {
    options: insecureSwitch(config, { [oauth.customFetch]: withTimeout }),
    tokenEndpointOptions: insecureSwitch(config, { [oauth.customFetch]: sampling }),
    lastServerTime: () => last,
  };
}

function insecureSwitch(config: Pick<AppConfig, 'insecureLoopbackIssuer'>, options: OAuthHttpOptions): OAuthHttpOptions {
  // The only place the switch is set, and only from the validated config (S7): never for https
  // issuers, whose endpoints must then all be https for oauth4webapi to call them.
  if (config.insecureLoopbackIssuer === true) options[oauth.allowInsecureRequests] = true;
  return options;
}

/**
 * Seconds this computer's clock is ahead of the server's (negative: behind), from an HTTP `Date`
 * header and the local receipt time; null when the header is missing or unparsable.
 *
 * @see RFC 9110 §6.6.1 (Date)
 */
export function skewFromDate(dateHeader: string | null | undefined, localNow: number): number | null {
  if (!dateHeader) return null;
  const serverDate = Date.parse(dateHeader);
  if (!Number.isFinite(serverDate)) return null;
  // The header has 1-second resolution and is written before the body is sent: round, do not
  // pretend to more precision than that.
  return Math.round((localNow - serverDate) / 1000);
}

/**
 * The user-facing clock warning for a measured skew, or null within tolerance (±120 s).
 *
 * @see RFC 7519 §4.1.4 (exp is checked against the local clock)
 */
export function clockSkewWarning(seconds: number | null | undefined): { seconds: number; message: string } | null {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return null;
  if (Math.abs(seconds) <= CLOCK_SKEW_WARNING_SECONDS) return null;
  const direction = seconds > 0 ? 'fast' : 'slow';
  return {
    seconds,
    message: `Your computer's clock is ${humanDuration(Math.abs(seconds))} ${direction}. Sign-in and token renewal may fail until it is corrected.`,
  };
}

function humanDuration(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return plural(minutes, 'minute');
  const hours = Math.round(seconds / 3600);
  if (hours < 48) return plural(hours, 'hour');
  return plural(Math.round(seconds / 86_400), 'day');
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/**
 * Throws `insecure_endpoint` unless `url` is https — or, for an http loopback issuer (dev/test, by
 * explicit configuration), an http URL on a loopback host. `what` names the endpoint in the message.
 *
 * @see RFC 8252 §8.1, RFC 9700 §2.6
 */
export function assertEndpointAllowed(url: string, what: string, config: Pick<AppConfig, 'insecureLoopbackIssuer'>): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new AuthError('provider_unsupported', `The provider metadata has an invalid ${what}.`, { cause });
  }
  if (parsed.protocol === 'https:') return parsed;
  if (parsed.protocol === 'http:' && config.insecureLoopbackIssuer && isLoopbackHostname(parsed.hostname)) return parsed;
  throw new AuthError(
    'insecure_endpoint',
    `The provider's ${what} (${parsed.origin}) is not https. Only https is allowed (http only for loopback test providers).`,
  );
}
