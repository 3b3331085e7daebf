/**
 * Strict parsing of the redirect's query string.
 *
 * `URLSearchParams` is lenient on purpose (it keeps `%zz` as text and lets the last duplicate
 * win); a receiver of authorization responses must not be: RFC 6749 §3.1 says parameters MUST NOT
 * be included more than once, and a malformed escape is a request we did not send ourselves.
 */

/** Why a query string was refused. */
export type QueryProblem = 'malformed_encoding' | 'duplicate_parameter';

export type ParsedQuery =
  | { readonly ok: true; readonly params: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly problem: QueryProblem };

/**
 * Parses `application/x-www-form-urlencoded` text (without the leading `?`), refusing malformed
 * percent-encoding (including invalid UTF-8) and any parameter name that appears twice.
 * @see RFC 6749 §3.1, §4.1.2; WHATWG URL §5.1
 */
export function parseQueryStrict(query: string): ParsedQuery {
  const params = new Map<string, string>();
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = decodeComponent(eq === -1 ? '' : pair.slice(eq + 1));
    if (name === undefined || value === undefined) return { ok: false, problem: 'malformed_encoding' };
    if (params.has(name)) return { ok: false, problem: 'duplicate_parameter' };
    params.set(name, value);
  }
  return { ok: true, params };
}

function decodeComponent(text: string): string | undefined {
  try {
    // decodeURIComponent throws URIError on a lone `%`, `%zz` and on escapes that are not UTF-8.
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}
