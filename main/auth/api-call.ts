/**
 * Protected-resource calls made by the main process with the access token (RFC 6750 §2.1).
 *
 * The token goes only to the configured API origins (`OAUTH_API_ORIGINS`): a URL anywhere else is
 * refused before a token is even looked up, so no token can leak to a host the user or a page
 * names (RFC 9700 §2.3 audience restriction, E12). Redirects are not followed: a 3xx is returned
 * as is, so an allowed API cannot bounce the bearer token to another origin. Every call has a
 * timeout and a response size cap, so a hostile or broken API cannot hang the app or fill memory.
 *
 * The session decides which token to attach and what to do on `invalid_token`; this module does
 * one HTTP exchange and reads the answer.
 */
import type { FetchLike } from '../platform/ports';
import type { AppConfig } from './config';
import { AuthError } from './errors';
import type { ApiRequest, ApiResponse } from './snapshot';

/** Default per-call timeout. */
export const DEFAULT_API_TIMEOUT_MS = 30_000;
/** Default response body cap: 1 MiB. */
export const DEFAULT_API_MAX_RESPONSE_BYTES = 1024 * 1024;

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** RFC 9110 §5.1 token characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the caller may not set: the token is ours to attach, and the rest is fetch's business. */
const FORBIDDEN_HEADERS = new Set(['authorization', 'host', 'content-length', 'connection', 'transfer-encoding', 'cookie', 'proxy-authorization']);

export interface ApiTransport {
  fetch: FetchLike;
  timeoutMs: number;
  maxResponseBytes: number;
}

/**
 * Parses `url` and checks it against the configured API origins. Throws `origin_not_allowed`
 * (checked before any token is touched) or `ipc_invalid` for a malformed request.
 *
 * @see RFC 6750 §5.2 (token disclosure), RFC 9700 §2.3
 */
export function assertAllowedApiUrl(config: Pick<AppConfig, 'apiOrigins'>, request: ApiRequest): URL {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    throw new AuthError('ipc_invalid', 'The API URL is not an absolute URL.');
  }
  if (url.username || url.password) {
    throw new AuthError('origin_not_allowed', 'API URLs with a user name or password are not allowed.');
  }
  if (!config.apiOrigins.includes(url.origin)) {
    throw new AuthError(
      'origin_not_allowed',
      `${url.origin} is not one of the API origins this app may send your token to. Add it to OAUTH_API_ORIGINS if it should be.`,
    );
  }
  const method = (request.method ?? 'GET').toUpperCase();
  if (!METHODS.has(method)) throw new AuthError('ipc_invalid', `The HTTP method ${method.slice(0, 20)} is not allowed.`);
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (!HEADER_NAME.test(name) || /[\r\n\0]/.test(String(value))) {
      throw new AuthError('ipc_invalid', 'A request header has an invalid name or value.');
    }
  }
  if (request.body !== undefined && (method === 'GET' || method === 'HEAD')) {
    throw new AuthError('ipc_invalid', `A ${method} request cannot have a body.`);
  }
  return url;
}

/**
 * One call with `Authorization: Bearer`, a timeout and a body cap. Network failures become
 * `network`/`timeout`; a body over the cap becomes `response_too_large`.
 *
 * @see RFC 6750 §2.1
 */
export async function sendApiRequest(transport: ApiTransport, url: URL, request: ApiRequest, accessToken: string): Promise<ApiResponse> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (!FORBIDDEN_HEADERS.has(name.toLowerCase())) headers.set(name, value);
  }
  headers.set('authorization', `Bearer ${accessToken}`);
  // A timer cleared once the answer is read, not AbortSignal.timeout(): that signal (and the
  // finished request fetch keeps attached to it) stays alive for the whole timeout after the call
  // ended, so a burst of calls holds thousands of finished requests in memory (benchmarks, issue 7).
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException('The API did not answer in time.', 'TimeoutError')),
    transport.timeoutMs,
  );
  let response: Response;
  let body: string;
  try {
    try {
      response = await transport.fetch(url.href, {
        method: (request.method ?? 'GET').toUpperCase(),
        headers,
        body: request.body,
        redirect: 'manual',
        signal: controller.signal,
      });
    } catch (error) {
      throw apiNetworkError(error, url);
    }
    try {
      body = await readCapped(response, transport.maxResponseBytes, url);
    } catch (error) {
      if (error instanceof AuthError) throw error;
      throw apiNetworkError(error, url);
    }
  } finally {
    clearTimeout(timer);
  }
  const responseHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    responseHeaders[name] = value;
  });
  return { status: response.status, headers: responseHeaders, body };
}

/**
 * True for `401` with a Bearer challenge whose `error` is `invalid_token` (expired, revoked or
 * otherwise rejected): the one answer after which a renewed token may succeed.
 *
 * @see RFC 6750 §3 and §3.1
 */
export function isInvalidTokenChallenge(response: Pick<ApiResponse, 'status' | 'headers'>): boolean {
  if (response.status !== 401) return false;
  const header = response.headers['www-authenticate'];
  if (!header) return false;
  return parseChallenges(header).some((c) => c.scheme === 'bearer' && c.params.error === 'invalid_token');
}

/** A small RFC 9110 §11.6.1 challenge parser: `Scheme k=v, k="v", Scheme2 …`. */
export function parseChallenges(header: string): Array<{ scheme: string; params: Record<string, string> }> {
  const challenges: Array<{ scheme: string; params: Record<string, string> }> = [];
  const tokens = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]+))?\s*,?/gy;
  let current: { scheme: string; params: Record<string, string> } | null = null;
  let match: RegExpExecArray | null = tokens.exec(header);
  while (match && match[0] !== '') {
    const [, name, value] = match;
    if (value === undefined) {
      // A bare token: either a new scheme, or a token68 (base64 blob) of the current one.
      current = { scheme: name!.toLowerCase(), params: {} };
      challenges.push(current);
    } else if (current) {
      current.params[name!.toLowerCase()] = value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
    }
    match = tokens.exec(header);
  }
  return challenges;
}

async function readCapped(response: Response, maxBytes: number, url: URL): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(maxBytes, url);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes, url);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(maxBytes: number, url: URL): AuthError {
  return new AuthError('response_too_large', `The API at ${url.origin} sent more than ${Math.round(maxBytes / 1024)} KiB; the answer was discarded.`);
}

function apiNetworkError(error: unknown, url: URL): AuthError {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new AuthError('timeout', `The API at ${url.origin} did not answer in time.`, { cause: error });
  }
  return new AuthError('network', `The API at ${url.origin} could not be reached. Check your connection.`, { cause: error });
}
