/**
 * Classifies one parsed HTTP request to the loopback receiver. Pure: no sockets, no timers, so each
 * rule is easy to read next to the threat it answers. The server turns the verdict into a fixed page.
 */
import type { PageKind } from './pages';
import { parseQueryStrict } from './query';
import { stateMatches } from './state';

/** The parts of a request the receiver looks at. */
export interface RequestFacts {
  readonly method: string;
  /** The request-target exactly as sent (Node's `req.url`). */
  readonly target: string;
  /** Node's `req.rawHeaders`: alternating names and values, duplicates kept. */
  readonly rawHeaders: readonly string[];
}

/** What the receiver is waiting for. */
export interface Expectation {
  /** `host:port` the redirect URI names, lower case: the only acceptable `Host` (DNS rebinding). */
  readonly hostHeader: string;
  /** The exact redirect path, e.g. `/callback`. */
  readonly path: string;
  readonly state: string;
}

export type Verdict =
  /** Answer with this page and change nothing. */
  | { readonly type: 'reject'; readonly page: PageKind }
  /** GET of the bare path: the browser following our 303 (or a stray hit before any callback). */
  | { readonly type: 'clean' }
  /** A well-formed callback whose `state` is ours; `query` is the raw query text. */
  | { readonly type: 'callback'; readonly query: string };

// Origin-form targets only (RFC 9112 §3.2.1) and visible ASCII only: browsers percent-encode
// everything else, so anything outside this set did not come from the redirect we asked for.
const ORIGIN_FORM = /^\/[\x21-\x7E]*$/;

/**
 * Decides what to do with a request, in an order where the cheapest, most general refusals come
 * first: wrong Host (DNS rebinding), method, path, then the query and finally `state`.
 * @see RFC 8252 §7.3 and §8.3, RFC 9700 §4.7, RFC 9112 §3.2 (exactly one Host)
 */
export function classifyRequest(request: RequestFacts, expected: Expectation): Verdict {
  const hosts = headerValues(request.rawHeaders, 'host');
  if (hosts.length !== 1) return reject('badRequest');
  if (hosts[0]!.toLowerCase() !== expected.hostHeader) return reject('misdirected');

  // Only the browser's top-level GET is expected; anything else gets 405 before a byte of its body
  // is read (the handler never reads request bodies at all).
  if (request.method !== 'GET') return reject('methodNotAllowed');

  const target = request.target;
  if (!ORIGIN_FORM.test(target) || target.includes('#')) return reject('badRequest');
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  // Byte-for-byte, no decoding or normalisation: `/callback/`, `/CALLBACK`, `/%63allback`,
  // `/x/../callback` are all "not found", so no path trick can reach the handler (CHECKLIST N9, L10).
  if (path !== expected.path) return reject('notFound');

  // A redirect GET carries no body; one that announces a body (or asks to send one) is not a browser.
  if (
    headerValues(request.rawHeaders, 'content-length').some((v) => v.trim() !== '0') ||
    headerValues(request.rawHeaders, 'transfer-encoding').length > 0 ||
    headerValues(request.rawHeaders, 'expect').length > 0
  ) {
    return reject('badRequest');
  }

  if (q === -1) return { type: 'clean' };
  const query = target.slice(q + 1);
  const parsed = parseQueryStrict(query);
  if (!parsed.ok) return reject('badRequest');
  const state = parsed.params.get('state');
  if (state === undefined || !stateMatches(state, expected.state)) return reject('badRequest');
  return { type: 'callback', query };
}

function reject(page: PageKind): Verdict {
  return { type: 'reject', page };
}

function headerValues(rawHeaders: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === name) values.push(rawHeaders[i + 1]!);
  }
  return values;
}
