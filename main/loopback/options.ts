/**
 * Validation of {@link LoopbackOptions}, once, with messages that name the option to fix.
 */
import { AuthError } from '../auth/errors';
import { type ListenFunction, listenOn } from './bind';
import type { LoopbackHost, LoopbackOptions } from './server';

/** Options with every default filled in. */
export interface ResolvedOptions {
  readonly host: LoopbackHost;
  readonly port: number;
  readonly path: string;
  readonly expectedState: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  readonly appName: string;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxHeaderSize: number;
  readonly maxConnections: number;
  readonly finishHoldMs: number;
  readonly finishGraceMs: number;
  readonly listen: ListenFunction;
}

/** RFC 8252 does not fix a number; 5 minutes matches VS Code and gives a user time to log in. */
export const DEFAULT_TIMEOUT_MS = 300_000;
/** A browser sends its whole request at once: 10 s for headers is generous and stops slowloris. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
/** A redirect with code, state, iss and session_state fits in well under 4 KiB. */
export const DEFAULT_MAX_HEADER_SIZE = 8 * 1024;
/** A browser opens a handful of connections; more is a flood. */
export const DEFAULT_MAX_CONNECTIONS = 64;
export const DEFAULT_FINISH_HOLD_MS = 60_000;
export const DEFAULT_FINISH_GRACE_MS = 2_000;

const HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '::1', 'localhost']);
// Same rule as OAUTH_REDIRECT_PATH in auth/config.ts: a plain path needs no decoding, so the
// receiver can compare it byte for byte.
const PLAIN_PATH = /^\/[A-Za-z0-9._~\-/]*$/;
const MAX_TIMER_MS = 2_147_483_647;

/** Fills defaults and rejects nonsense with `AuthError('config_invalid')`. */
export function resolveOptions(options: LoopbackOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw invalid('options must be an object.');
  const host = options.host ?? '127.0.0.1';
  if (!HOSTS.has(host)) throw invalid('`host` must be 127.0.0.1, ::1 or localhost.');
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw invalid('`port` must be an integer from 0 to 65535.');
  const path = options.path ?? '/callback';
  if (typeof path !== 'string' || !PLAIN_PATH.test(path) || path.includes('//') || /(^|\/)\.\.?(\/|$)/.test(path)) {
    throw invalid('`path` must be a plain absolute path such as /callback.');
  }
  if (typeof options.expectedState !== 'string' || options.expectedState.length === 0) {
    throw invalid('`expectedState` must be a non-empty string.');
  }
  const appName = options.appName ?? 'oauth-desktop';
  if (typeof appName !== 'string' || appName.trim() === '' || appName.length > 100) {
    throw invalid('`appName` must be a non-empty string of at most 100 characters.');
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw invalid('`signal` must be an AbortSignal.');
  }
  const limits = options.limits ?? {};
  const resolved: ResolvedOptions = {
    host,
    port,
    path,
    expectedState: options.expectedState,
    timeoutMs: duration(options.timeoutMs, DEFAULT_TIMEOUT_MS, 'timeoutMs'),
    signal: options.signal,
    appName,
    headersTimeoutMs: duration(limits.headersTimeoutMs, DEFAULT_HEADERS_TIMEOUT_MS, 'limits.headersTimeoutMs'),
    requestTimeoutMs: duration(limits.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS, 'limits.requestTimeoutMs'),
    maxHeaderSize: count(limits.maxHeaderSize, DEFAULT_MAX_HEADER_SIZE, 'limits.maxHeaderSize', 1024, 1 << 20),
    maxConnections: count(limits.maxConnections, DEFAULT_MAX_CONNECTIONS, 'limits.maxConnections', 1, 10_000),
    finishHoldMs: duration(options.finishHoldMs, DEFAULT_FINISH_HOLD_MS, 'finishHoldMs'),
    finishGraceMs: duration(options.finishGraceMs, DEFAULT_FINISH_GRACE_MS, 'finishGraceMs'),
    listen: options.listen ?? listenOn,
  };
  if (resolved.headersTimeoutMs > resolved.requestTimeoutMs) {
    throw invalid('`limits.headersTimeoutMs` must not exceed `limits.requestTimeoutMs`.');
  }
  return resolved;
}

function duration(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > MAX_TIMER_MS) {
    throw invalid(`\`${name}\` must be a whole number of milliseconds from 1 to ${MAX_TIMER_MS}.`);
  }
  return value;
}

function count(value: number | undefined, fallback: number, name: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) throw invalid(`\`${name}\` must be an integer from ${min} to ${max}.`);
  return value;
}

function invalid(detail: string): AuthError {
  return new AuthError('config_invalid', `Loopback receiver: ${detail}`);
}
