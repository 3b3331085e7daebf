/**
 * `doctor`: can a native app sign in with this provider registration, and if not, what to fix.
 *
 * The most common support question in every native-app OAuth library is "why does my provider
 * refuse the app": a `web` registration that matches redirect URIs exactly, PKCE off, an issuer
 * typo. Each check reads the provider's metadata or asks the provider a harmless question (an
 * authorization request that is never completed, a revocation of a random non-token) and says what
 * it means in one line, with the fix.
 *
 * Status meanings: `fail` blocks a native sign-in (the verdict is "no" if any check fails); `warn`
 * works but is weaker or less convenient; `pass` is what RFC 8252/9700 ask for; `info` is neither.
 * Nothing here follows a redirect or reflects provider-written text (error descriptions, page
 * bodies) in its output: only fixed sentences, status codes, URLs and OAuth error codes.
 */
import { randomBytes, randomInt } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import type { FetchLike } from '../platform/ports';
import { type AppConfig, isLoopbackHostname } from './config';
import { ENDPOINT_FIELDS, sameIssuer } from './discovery';
import { DEFAULT_HTTP_TIMEOUT_MS } from './http';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'info';

/** Stable check ids (for `--json` consumers). */
export type DoctorCheckId =
  | 'discovery'
  | 'issuer'
  | 'https'
  | 'code_flow'
  | 'pkce'
  | 'iss_parameter'
  | 'loopback_redirect'
  | 'refresh_tokens'
  | 'revocation'
  | 'device_flow'
  | 'end_session'
  | 'dpop'
  | 'par';

export interface DoctorCheck {
  id: DoctorCheckId;
  status: CheckStatus;
  title: string;
  detail: string;
  /** What to change, when there is something to change. */
  fix?: string;
}

export interface DoctorReport {
  issuer: string;
  clientId: string;
  /** Where the metadata came from (null when discovery failed). */
  metadataUrl: string | null;
  checks: DoctorCheck[];
  verdict: {
    /** True when no check failed: a native app can sign in with this registration. */
    canSignIn: boolean;
    counts: Record<CheckStatus, number>;
    summary: string;
  };
}

export interface DoctorDeps {
  fetch?: FetchLike;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  /** The "arbitrary" loopback port the redirect probe uses. Default: a random ephemeral port. */
  probePort?: () => number;
}

type Metadata = Record<string, unknown>;

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * Runs every check against the configured provider and client.
 *
 * @see RFC 8252 (native apps), RFC 8414 (metadata), RFC 7636 (PKCE), RFC 9207 (iss), RFC 7009
 *   (revocation), RFC 8628 (device), RFC 9449 (DPoP), RFC 9126 (PAR)
 */
export async function runDoctor(config: AppConfig, deps: DoctorDeps = {}): Promise<DoctorReport> {
  const http = probeHttp(deps);
  const checks: DoctorCheck[] = [];

  const discovered = await discover(config, http);
  checks.push(discovered.check);
  if (!discovered.metadata) return report(config, null, checks);
  const md = discovered.metadata;

  checks.push(checkIssuer(config, md));
  checks.push(checkHttps(config, md));
  checks.push(checkCodeFlow(md));
  const redirect = await probeLoopbackRedirect(config, md, http, deps, true);
  checks.push(await checkPkce(config, md, http, deps, redirect));
  checks.push(checkIssParameter(md));
  checks.push(redirect.check);
  checks.push(checkRefresh(config, md));
  checks.push(await checkRevocation(config, md, http));
  checks.push(await checkDevice(config, md, http));
  checks.push(checkEndSession(config, md));
  checks.push(checkDpop(md));
  checks.push(checkPar(md));
  return report(config, discovered.url, checks);
}

/** Human output: one line per check with its mark and fix, then the verdict. */
export function formatDoctorReport(report: DoctorReport): string {
  const marks: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗', info: 'i' };
  const width = Math.max(...report.checks.map((c) => c.title.length));
  const lines = [`doctor: ${report.issuer} (client ${report.clientId})`, ''];
  for (const check of report.checks) {
    const fix = check.fix ? ` Fix: ${check.fix}` : '';
    lines.push(`${marks[check.status]} ${check.title.padEnd(width)}  ${check.detail}${fix}`);
  }
  lines.push('', report.verdict.summary);
  return `${lines.join('\n')}\n`;
}

function report(config: AppConfig, metadataUrl: string | null, checks: DoctorCheck[]): DoctorReport {
  const counts: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, info: 0 };
  for (const check of checks) counts[check.status] += 1;
  const canSignIn = counts.fail === 0;
  const summary = canSignIn
    ? `Verdict: a native app can sign in with this registration (${counts.pass} passed, ${counts.warn} warning${counts.warn === 1 ? '' : 's'}).`
    : `Verdict: a native app cannot sign in yet — ${counts.fail} problem${counts.fail === 1 ? '' : 's'} to fix (marked ✗).`;
  return { issuer: config.issuer, clientId: config.clientId, metadataUrl, checks, verdict: { canSignIn, counts, summary } };
}

// ---------------------------------------------------------------------------------------------
// HTTP: plain fetch with a timeout and never following redirects (a redirect IS the answer).

interface ProbeHttp {
  get(url: string): Promise<Response>;
  postForm(url: string, body: URLSearchParams): Promise<Response>;
}

function probeHttp(deps: DoctorDeps): ProbeHttp {
  const fetchImpl = deps.fetch ?? globalThis.fetch;
  const timeoutMs = deps.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  return {
    get: (url) => fetchImpl(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json, text/html;q=0.9' } }),
    postForm: (url, body) =>
      fetchImpl(url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
      }),
  };
}

function networkReason(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer in time';
  const code = (error as { code?: unknown })?.code ?? ((error as { cause?: { code?: unknown } })?.cause?.code);
  return typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code) ? code : 'network error';
}

/** A safe one-token rendering of an OAuth `error` value (RFC 6749 §5.2 charset), or null. */
function oauthErrorCode(value: unknown): string | null {
  return typeof value === 'string' && /^[\x20-\x21\x23-\x5B\x5D-\x7E]{1,64}$/.test(value) ? value : null;
}

async function readText(response: Response, limit = 64 * 1024): Promise<string> {
  const text = await response.text().catch(() => '');
  return text.slice(0, limit);
}

// ---------------------------------------------------------------------------------------------
// Discovery and issuer (OIDC Discovery §4, RFC 8414 §3 and §3.3)

async function discover(
  config: AppConfig,
  http: ProbeHttp,
): Promise<{ check: DoctorCheck; metadata: Metadata | null; url: string | null }> {
  const issuer = new URL(config.issuer);
  const oidcUrl = `${issuer.href.replace(/\/$/, '')}/.well-known/openid-configuration`;
  // RFC 8414 §3.1: the well-known segment goes between host and path.
  const path = issuer.pathname === '/' ? '' : issuer.pathname.replace(/\/$/, '');
  const rfc8414Url = `${issuer.origin}/.well-known/oauth-authorization-server${path}`;
  const failures: string[] = [];
  for (const [url, label] of [
    [oidcUrl, 'OpenID Connect discovery'],
    [rfc8414Url, 'RFC 8414 metadata'],
  ] as const) {
    let response: Response;
    try {
      response = await http.get(url);
    } catch (error) {
      // Unreachable host: the second URL would fail the same way.
      return {
        metadata: null,
        url: null,
        check: {
          id: 'discovery',
          status: 'fail',
          title: 'Discovery reachable',
          detail: `Could not reach ${url} (${networkReason(error)}). The other checks need the provider metadata.`,
          fix: 'Check OAUTH_ISSUER and your network connection.',
        },
      };
    }
    if (response.status !== 200) {
      failures.push(`${label}: HTTP ${response.status}`);
      await response.body?.cancel().catch(() => {});
      continue;
    }
    let body: unknown;
    try {
      body = JSON.parse(await readText(response, 1024 * 1024));
    } catch {
      failures.push(`${label}: not JSON`);
      continue;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      failures.push(`${label}: not a JSON object`);
      continue;
    }
    return {
      metadata: body as Metadata,
      url,
      check: { id: 'discovery', status: 'pass', title: 'Discovery reachable', detail: `${label} answered at ${url}.` },
    };
  }
  return {
    metadata: null,
    url: null,
    check: {
      id: 'discovery',
      status: 'fail',
      title: 'Discovery reachable',
      detail: `No provider metadata found (${failures.join('; ')}). The other checks need it.`,
      fix: 'Set OAUTH_ISSUER to the issuer identifier your provider documents (the URL before /.well-known/).',
    },
  };
}

function checkIssuer(config: AppConfig, md: Metadata): DoctorCheck {
  const title = 'Issuer matches';
  const advertised = typeof md.issuer === 'string' ? md.issuer : null;
  // Compared after URL normalisation, exactly as the sign-in does (oauth4webapi, RFC 8414 §3.3).
  if (advertised !== null && sameIssuer(advertised, config.issuer)) {
    return { id: 'issuer', status: 'pass', title, detail: `The metadata names the configured issuer ${config.issuer}.` };
  }
  return {
    id: 'issuer',
    status: 'fail',
    title,
    detail:
      `The metadata names ${advertised === null ? 'no issuer' : JSON.stringify(advertised.slice(0, 200))}, not ${config.issuer}: ` +
      'metadata for another issuer is refused, so sign-in stops (RFC 8414 §3.3, mix-up defense).',
    fix:
      advertised === null
        ? 'The provider metadata is broken; check OAUTH_ISSUER.'
        : `Set OAUTH_ISSUER to exactly ${JSON.stringify(advertised.slice(0, 200))} (scheme, host, port and path must match).`,
  };
}

function checkHttps(config: AppConfig, md: Metadata): DoctorCheck {
  const title = 'HTTPS endpoints';
  const insecure: string[] = [];
  let loopbackHttp = 0;
  for (const field of ENDPOINT_FIELDS) {
    const value = md[field];
    if (typeof value !== 'string') continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      insecure.push(field);
      continue;
    }
    if (url.protocol === 'https:') continue;
    if (url.protocol === 'http:' && config.insecureLoopbackIssuer && isLoopbackHostname(url.hostname)) loopbackHttp += 1;
    else insecure.push(field);
  }
  if (insecure.length > 0) {
    return {
      id: 'https',
      status: 'fail',
      title,
      detail: `Not https: ${insecure.join(', ')}. Tokens and codes would cross the network in clear text; the app refuses such endpoints (RFC 9700 §2.6, RFC 8252 §8.1).`,
      fix: 'Serve every endpoint over https (the provider must fix its metadata).',
    };
  }
  if (loopbackHttp > 0) {
    return {
      id: 'https',
      status: 'info',
      title,
      detail: 'A loopback development provider over http: allowed only because the issuer itself is a loopback address. A real provider must be https.',
    };
  }
  return { id: 'https', status: 'pass', title, detail: 'Every advertised endpoint is https.' };
}

function checkCodeFlow(md: Metadata): DoctorCheck {
  const title = 'Authorization code flow';
  const missing = ['authorization_endpoint', 'token_endpoint'].filter((f) => typeof md[f] !== 'string');
  if (missing.length > 0) {
    return {
      id: 'code_flow',
      status: 'fail',
      title,
      detail: `The metadata has no ${missing.join(' or ')}: browser sign-in is impossible.`,
      fix: 'Use a provider (or tenant) that offers the authorization code flow.',
    };
  }
  const responseTypes = md.response_types_supported;
  if (Array.isArray(responseTypes) && !responseTypes.includes('code')) {
    return {
      id: 'code_flow',
      status: 'fail',
      title,
      detail: 'response_types_supported does not include "code"; this app uses only the code flow (RFC 9700 §2.1.2 rules out implicit).',
      fix: 'Enable the authorization code flow for this provider or client.',
    };
  }
  return { id: 'code_flow', status: 'pass', title, detail: 'Authorization and token endpoints present; response_type=code supported.' };
}

// ---------------------------------------------------------------------------------------------
// The loopback redirect probe (RFC 8252 §7.3): does the provider accept http://127.0.0.1:<any port>?

interface ProbeOutcome {
  /** 'accepted' | 'refused' | 'unknown', and for a redirect back to us, the OAuth error code. */
  verdict: 'accepted' | 'refused' | 'unknown';
  errorCode: string | null;
  check: DoctorCheck;
}

async function probeLoopbackRedirect(
  config: AppConfig,
  md: Metadata,
  http: ProbeHttp,
  deps: DoctorDeps,
  withPkce: boolean,
): Promise<ProbeOutcome> {
  const fixedPort = config.redirectPort !== 0;
  const title = fixedPort ? `Loopback redirect (port ${config.redirectPort})` : 'Loopback redirect, any port';
  const unknown = (detail: string, fix?: string): ProbeOutcome => ({
    verdict: 'unknown',
    errorCode: null,
    check: { id: 'loopback_redirect', status: 'warn', title, detail: `Cannot tell: ${detail}`, ...(fix ? { fix } : {}) },
  });
  const endpoint = typeof md.authorization_endpoint === 'string' ? md.authorization_endpoint : null;
  if (!endpoint) return unknown('there is no authorization endpoint to ask.');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return unknown('the authorization endpoint is not a valid URL.');
  }
  if (url.protocol !== 'https:' && !(config.insecureLoopbackIssuer && isLoopbackHostname(url.hostname))) {
    return unknown('the authorization endpoint is not https, so it was not contacted.');
  }

  const port = fixedPort ? config.redirectPort : (deps.probePort ?? (() => randomInt(49152, 65536)))();
  const host = config.redirectHost === '::1' ? '[::1]' : config.redirectHost;
  const redirectUri = `http://${host}:${port}${config.redirectPath}`;
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('scope', config.scopes.join(' '));
  // Fresh throwaway values: this request is never completed, nothing listens on the port.
  url.searchParams.set('state', oauth.generateRandomState());
  url.searchParams.set('nonce', oauth.generateRandomNonce());
  if (withPkce) {
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier()));
    url.searchParams.set('code_challenge_method', 'S256');
  }

  let response: Response;
  try {
    response = await http.get(url.href);
  } catch (error) {
    return unknown(`the authorization endpoint did not answer (${networkReason(error)}).`);
  }
  const what = `the provider's answer to an authorization request with redirect_uri ${redirectUri}`;
  const location = response.headers.get('location');
  if (response.status >= 300 && response.status < 400 && location) {
    await response.body?.cancel().catch(() => {});
    let target: URL;
    try {
      target = new URL(location, url);
    } catch {
      return unknown(`${what} was a redirect to an invalid URL.`);
    }
    if (target.origin === new URL(redirectUri).origin && target.pathname === config.redirectPath) {
      // RFC 6749 §4.1.2.1: errors are sent to the redirect URI only once it has been validated.
      const error = oauthErrorCode(target.searchParams.get('error'));
      return {
        verdict: 'accepted',
        errorCode: error,
        check: error
          ? {
              id: 'loopback_redirect',
              status: error === 'unauthorized_client' || error === 'unsupported_response_type' ? 'fail' : 'warn',
              title,
              detail: `The redirect URI was accepted, but the provider answered "${error}" to the request.`,
              fix:
                error === 'unauthorized_client'
                  ? 'Allow the authorization code grant for this client in the provider registration.'
                  : 'Check the client registration (scopes, allowed grants) at the provider.',
            }
          : {
              id: 'loopback_redirect',
              status: 'pass',
              title,
              detail: `Accepted: the provider redirected straight back to ${redirectUri}.`,
            },
      };
    }
    return {
      verdict: 'accepted',
      errorCode: null,
      check: {
        id: 'loopback_redirect',
        status: 'pass',
        title,
        detail:
          `Accepted: the provider sent the browser on to its sign-in page (${target.origin}/${target.pathname.split('/')[1] ?? ''}…) for redirect_uri ${redirectUri}. ` +
          '(A few providers check the redirect URI only after the user signs in; `login` is the final proof.)',
      },
    };
  }

  const text = await readText(response);
  const errorCode = errorCodeIn(text);
  if (errorCode === 'invalid_client' || /\bunknown client|client[_ ]id\b.*\b(invalid|not found|unknown)/i.test(text)) {
    return {
      verdict: 'refused',
      errorCode: 'invalid_client',
      check: {
        id: 'loopback_redirect',
        status: 'fail',
        title,
        detail: `The provider does not know the client ${JSON.stringify(config.clientId)} (HTTP ${response.status}, invalid_client).`,
        fix: 'Check OAUTH_CLIENT_ID against the provider registration.',
      },
    };
  }
  if (/redirect[_ ]?ur[il]|reply[_ ]?url|callback url/i.test(text) && (response.status >= 400 || /error|invalid|mismatch|not match/i.test(text))) {
    return {
      verdict: 'refused',
      errorCode,
      check: {
        id: 'loopback_redirect',
        status: 'fail',
        title,
        detail:
          `Refused: the provider answered HTTP ${response.status}${errorCode ? ` (${errorCode})` : ''} about the redirect URI ${redirectUri}. ` +
          (fixedPort
            ? 'That exact URI is not registered.'
            : 'Native apps must be allowed any port on the loopback address (RFC 8252 §7.3); this registration matches redirect URIs exactly, as for a web app.'),
        fix: fixedPort
          ? `Register ${redirectUri} for this client.`
          : `Register the client as a native/desktop app (application_type "native") with redirect URI http://${host}${config.redirectPath}, ` +
            'or register a fixed port and set OAUTH_REDIRECT_PORT to it.',
      },
    };
  }
  if (response.status === 200 && /<form[\s>]/i.test(text) && /type=["']?password|name=["']?(login|username|email)/i.test(text)) {
    return {
      verdict: 'accepted',
      errorCode: null,
      check: {
        id: 'loopback_redirect',
        status: 'pass',
        title,
        detail: `Accepted: the provider showed its sign-in form for redirect_uri ${redirectUri}.`,
      },
    };
  }
  return unknown(`${what} was HTTP ${response.status}${errorCode ? ` (${errorCode})` : ''}, which does not say whether the redirect URI is accepted.`, 'Try `login` and read the page the browser shows.');
}

/** An OAuth error code in a JSON body, or in an error page, when the page names a known code. */
function errorCodeIn(text: string): string | null {
  try {
    const json = JSON.parse(text) as { error?: unknown };
    return oauthErrorCode(json.error);
  } catch {
    const match = /\b(invalid_redirect_uri|invalid_request|invalid_client|unauthorized_client|invalid_grant|invalid_scope|access_denied|server_error)\b/.exec(text);
    return match ? (match[1] ?? null) : null;
  }
}

// ---------------------------------------------------------------------------------------------
// PKCE (RFC 7636, RFC 9700 §2.1.1)

async function checkPkce(
  config: AppConfig,
  md: Metadata,
  http: ProbeHttp,
  deps: DoctorDeps,
  withChallenge: ProbeOutcome,
): Promise<DoctorCheck> {
  const title = 'PKCE S256';
  const methods = md.code_challenge_methods_supported;
  if (Array.isArray(methods)) {
    if (methods.includes('S256')) {
      return { id: 'pkce', status: 'pass', title, detail: 'code_challenge_methods_supported includes S256.' };
    }
    return {
      id: 'pkce',
      status: 'fail',
      title,
      detail: `code_challenge_methods_supported is [${methods.filter((m) => typeof m === 'string').join(', ')}], without S256. This app sends only S256 (plain offers no protection, RFC 7636 §4.2) and refuses such a provider.`,
      fix: 'Enable PKCE with S256 at the provider.',
    };
  }
  // Not advertised. Sign-in still works (the app sends S256 anyway), so this is a warning — but
  // whether the provider *enforces* PKCE decides how bad: ask it once more without a challenge.
  if (withChallenge.verdict !== 'accepted') {
    return {
      id: 'pkce',
      status: 'warn',
      title,
      detail: 'code_challenge_methods_supported is not advertised, so clients cannot detect PKCE support (RFC 9700 §2.1.1). The app sends S256 anyway.',
      fix: 'Ask the provider to advertise code_challenge_methods_supported: ["S256"].',
    };
  }
  const without = await probeLoopbackRedirect(config, md, http, deps, false);
  const enforced = without.verdict === 'accepted' && without.errorCode === 'invalid_request';
  return {
    id: 'pkce',
    status: 'warn',
    title,
    detail: enforced
      ? 'Not advertised, but the provider refuses a request without a code challenge, so it enforces PKCE; the app sends S256. Clients cannot detect this from the metadata (RFC 9700 §2.1.1).'
      : 'Not advertised, and the provider accepted a request without a code challenge. The app sends S256 anyway; if the provider ignores it, a stolen authorization code could be redeemed (RFC 9700 §2.1.1, §4.5).',
    fix: enforced
      ? 'Ask the provider to advertise code_challenge_methods_supported: ["S256"].'
      : 'Require PKCE (S256) for this client at the provider, and advertise code_challenge_methods_supported.',
  };
}

function checkIssParameter(md: Metadata): DoctorCheck {
  const title = 'RFC 9207 iss in responses';
  if (md.authorization_response_iss_parameter_supported === true) {
    return { id: 'iss_parameter', status: 'pass', title, detail: 'The provider names itself in every authorization response; the app checks it (mix-up defense).' };
  }
  return {
    id: 'iss_parameter',
    status: 'warn',
    title,
    detail: 'authorization_response_iss_parameter_supported is not true: the app cannot tell which provider sent a sign-in response (mix-up attacks, RFC 9207 §1, RFC 9700 §4.4). It still signs in.',
    fix: 'Nothing to change in the app; ask the provider to support RFC 9207.',
  };
}

// ---------------------------------------------------------------------------------------------
// Refresh, revocation, device, end-session, DPoP, PAR

function checkRefresh(config: AppConfig, md: Metadata): DoctorCheck {
  const title = 'Refresh tokens';
  const grants = Array.isArray(md.grant_types_supported) ? (md.grant_types_supported as unknown[]) : null;
  const scopes = Array.isArray(md.scopes_supported) ? (md.scopes_supported as unknown[]) : null;
  const wantsOffline = config.scopes.includes('offline_access');
  const fix = 'Enable refresh tokens for this client (often "offline access") at the provider.';
  if (grants && !grants.includes('refresh_token')) {
    return {
      id: 'refresh_tokens',
      status: 'warn',
      title,
      detail: 'grant_types_supported omits refresh_token: users will have to sign in again whenever the access token expires.',
      fix,
    };
  }
  if (wantsOffline && scopes && !scopes.includes('offline_access')) {
    return {
      id: 'refresh_tokens',
      status: 'warn',
      title,
      detail: 'The app asks for offline_access, which scopes_supported does not list: the provider may drop it and issue no refresh token.',
      fix: 'Remove offline_access from OAUTH_SCOPE if the provider issues refresh tokens another way, or enable it at the provider.',
    };
  }
  if (!grants) {
    return {
      id: 'refresh_tokens',
      status: 'info',
      title,
      detail: 'grant_types_supported is not advertised; the first sign-in shows whether a refresh token is issued (`status`).',
    };
  }
  return {
    id: 'refresh_tokens',
    status: 'pass',
    title,
    detail: wantsOffline ? 'refresh_token grant and offline_access advertised.' : 'refresh_token grant advertised.',
  };
}

async function checkRevocation(config: AppConfig, md: Metadata, http: ProbeHttp): Promise<DoctorCheck> {
  const title = 'Token revocation';
  const endpoint = typeof md.revocation_endpoint === 'string' ? md.revocation_endpoint : null;
  if (!endpoint) {
    return {
      id: 'revocation',
      status: 'warn',
      title,
      detail: 'No revocation_endpoint (RFC 7009): sign-out deletes the tokens here, but the refresh token stays valid at the provider until it expires.',
      fix: 'Enable token revocation at the provider, if it offers it.',
    };
  }
  const methods = Array.isArray(md.revocation_endpoint_auth_methods_supported)
    ? (md.revocation_endpoint_auth_methods_supported as unknown[])
    : null;
  // RFC 7009 §2.1 lets public clients revoke with client_id alone; ask the endpoint directly with a
  // random value that is no token (it must answer 200, RFC 7009 §2.2) — nothing is revoked.
  const outcome = await probeRevocation(config, endpoint, http);
  if (outcome === 'accepted') {
    return { id: 'revocation', status: 'pass', title, detail: 'Advertised, and it accepts revocation from this public client: sign-out revokes the refresh token.' };
  }
  if (outcome === 'client_refused' || (outcome === 'unknown' && methods && !methods.includes('none'))) {
    return {
      id: 'revocation',
      status: 'warn',
      title,
      detail:
        'The endpoint exists but does not accept this public client (no "none" authentication): sign-out deletes local tokens only; the refresh token stays valid until it expires.',
      fix: 'Allow public clients (token_endpoint_auth_method "none") to revoke their own tokens at the provider.',
    };
  }
  return {
    id: 'revocation',
    status: 'info',
    title,
    detail: `Advertised at ${endpoint}; whether this public client may use it could not be confirmed.`,
  };
}

async function probeRevocation(
  config: AppConfig,
  endpoint: string,
  http: ProbeHttp,
): Promise<'accepted' | 'client_refused' | 'unknown'> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'unknown';
  }
  if (url.protocol !== 'https:' && !(config.insecureLoopbackIssuer && isLoopbackHostname(url.hostname))) return 'unknown';
  const body = new URLSearchParams({
    token: `doctor-probe-${randomBytes(16).toString('hex')}`,
    token_type_hint: 'refresh_token',
    client_id: config.clientId,
  });
  try {
    const response = await http.postForm(url.href, body);
    const text = await readText(response, 4096);
    if (response.status === 200) return 'accepted';
    if (response.status === 401 || errorCodeIn(text) === 'invalid_client' || errorCodeIn(text) === 'unauthorized_client') return 'client_refused';
    return 'unknown';
  } catch {
    return 'unknown';
  }
}

async function checkDevice(config: AppConfig, md: Metadata, http: ProbeHttp): Promise<DoctorCheck> {
  const title = 'Device flow (RFC 8628)';
  const endpoint = typeof md.device_authorization_endpoint === 'string' ? md.device_authorization_endpoint : null;
  const grants = Array.isArray(md.grant_types_supported) ? (md.grant_types_supported as unknown[]) : null;
  if (!endpoint) {
    return config.deviceFlow
      ? {
          id: 'device_flow',
          status: 'warn',
          title,
          detail: 'OAUTH_DEVICE_FLOW is on, but the provider has no device_authorization_endpoint: `login --device` will fail. Browser sign-in is unaffected.',
          fix: 'Turn OAUTH_DEVICE_FLOW off, or enable the device grant at the provider.',
        }
      : { id: 'device_flow', status: 'info', title, detail: 'Not offered by the provider (the app keeps it off unless OAUTH_DEVICE_FLOW=1).' };
  }
  if (!config.deviceFlow) {
    return {
      id: 'device_flow',
      status: 'info',
      title,
      detail: 'Offered by the provider; off in this app. It is opt-in (OAUTH_DEVICE_FLOW=1) because of device-code phishing (RFC 8628 §5.4).',
    };
  }
  if (grants && !grants.includes(DEVICE_GRANT)) {
    return {
      id: 'device_flow',
      status: 'warn',
      title,
      detail: 'The endpoint exists but grant_types_supported omits the device_code grant: `login --device` may fail.',
      fix: 'Enable the device grant for this client at the provider.',
    };
  }
  // The user turned the device flow on: ask whether this client may use it. The provider creates a
  // pending code that nobody enters and that simply expires; the device_code is dropped unread.
  const probe = await probeDeviceAuthorization(config, endpoint, http);
  if (probe.outcome === 'client_refused') {
    return {
      id: 'device_flow',
      status: 'warn',
      title,
      detail: `The provider refuses the device grant for this client (${probe.errorCode ?? `HTTP ${probe.status}`}): \`login --device\` will fail. Browser sign-in is unaffected.`,
      fix: 'Allow the device code grant for this client at the provider, or turn OAUTH_DEVICE_FLOW off.',
    };
  }
  if (probe.outcome === 'unknown') {
    return {
      id: 'device_flow',
      status: 'info',
      title,
      detail: 'Offered by the provider and enabled here; whether this client may use it could not be confirmed.',
    };
  }
  return {
    id: 'device_flow',
    status: 'pass',
    title,
    detail: 'Offered by the provider and enabled here (`login --device`). Users must enter only codes they started themselves (RFC 8628 §5.4).',
  };
}

async function probeDeviceAuthorization(
  config: AppConfig,
  endpoint: string,
  http: ProbeHttp,
): Promise<{ outcome: 'accepted' | 'client_refused' | 'unknown'; errorCode: string | null; status: number }> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { outcome: 'unknown', errorCode: null, status: 0 };
  }
  if (url.protocol !== 'https:' && !(config.insecureLoopbackIssuer && isLoopbackHostname(url.hostname))) {
    return { outcome: 'unknown', errorCode: null, status: 0 };
  }
  try {
    const response = await http.postForm(url.href, new URLSearchParams({ client_id: config.clientId, scope: config.scopes.join(' ') }));
    const text = await readText(response, 8192);
    if (response.status === 200) return { outcome: 'accepted', errorCode: null, status: 200 };
    const errorCode = errorCodeIn(text);
    if (response.status === 401 || errorCode === 'unauthorized_client' || errorCode === 'invalid_client' || errorCode === 'invalid_grant') {
      return { outcome: 'client_refused', errorCode, status: response.status };
    }
    // Some providers (oidc-provider) say invalid_request "…grant… is not allowed for this client".
    // The description is only classified here, never shown.
    if (errorCode === 'invalid_request' && /grant|device_code/i.test(text) && /not allowed|unauthori[sz]ed|not permitted/i.test(text)) {
      return { outcome: 'client_refused', errorCode, status: response.status };
    }
    return { outcome: 'unknown', errorCode, status: response.status };
  } catch {
    return { outcome: 'unknown', errorCode: null, status: 0 };
  }
}

function checkEndSession(config: AppConfig, md: Metadata): DoctorCheck {
  const title = 'End-session (RP-initiated logout)';
  if (typeof md.end_session_endpoint === 'string') {
    return {
      id: 'end_session',
      status: 'pass',
      title,
      detail: config.logoutInBrowser
        ? 'Offered; sign-out also ends the browser session (OAUTH_LOGOUT_IN_BROWSER).'
        : 'Offered; set OAUTH_LOGOUT_IN_BROWSER=1 to also end the browser session at sign-out.',
    };
  }
  return config.logoutInBrowser
    ? {
        id: 'end_session',
        status: 'warn',
        title,
        detail: 'OAUTH_LOGOUT_IN_BROWSER is on, but the provider has no end_session_endpoint: the browser session stays signed in.',
        fix: 'Turn OAUTH_LOGOUT_IN_BROWSER off, or enable RP-initiated logout at the provider.',
      }
    : { id: 'end_session', status: 'info', title, detail: 'Not offered: sign-out ends the app session only; the browser stays signed in at the provider.' };
}

function checkDpop(md: Metadata): DoctorCheck {
  const algs = Array.isArray(md.dpop_signing_alg_values_supported) ? (md.dpop_signing_alg_values_supported as unknown[]) : null;
  return {
    id: 'dpop',
    status: 'info',
    title: 'DPoP (RFC 9449)',
    detail: algs
      ? `Supported (${algs.filter((a) => typeof a === 'string').slice(0, 6).join(', ')}). This app uses bearer tokens; DPoP would bind them to a key.`
      : 'Not advertised. This app uses bearer tokens.',
  };
}

function checkPar(md: Metadata): DoctorCheck {
  const title = 'PAR (RFC 9126)';
  if (md.require_pushed_authorization_requests === true) {
    return {
      id: 'par',
      status: 'fail',
      title,
      detail: 'The provider requires pushed authorization requests; this app sends the request in the browser URL, which the provider will refuse.',
      fix: 'Turn off "require PAR" for this client at the provider.',
    };
  }
  return {
    id: 'par',
    status: 'info',
    title,
    detail:
      typeof md.pushed_authorization_request_endpoint === 'string'
        ? 'Supported, not required. This app sends the request in the browser URL (fine for public clients with PKCE).'
        : 'Not advertised (not needed).',
  };
}
