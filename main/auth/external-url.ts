/**
 * Which URLs the app may hand to the system browser (CHECKLIST E9, N1).
 *
 * `shell.openExternal` starts whatever handler the OS has for a URL: `file:`, `smb:`, a custom
 * scheme of some installed app… so a URL from anywhere but our own sign-in flow could run code or
 * leak credentials. The app opens exactly: the provider's discovered endpoints meant for the
 * browser (the authorization endpoint, and the end-session endpoint for browser logout), over
 * https — or http for a loopback issuer (the demo and test providers, by explicit configuration,
 * S7) — plus an explicit allow-list of https help links. The device flow's verification page
 * (RFC 8628 §3.2) is vetted separately by {@link vetVerificationUri}: its path is not in the
 * metadata, so it is allowed by origin. Pure, so it is tested without Electron.
 *
 * @see RFC 8252 §4 and §8.1, https://www.electronjs.org/docs/latest/tutorial/security#15-do-not-use-shellopenexternal-with-untrusted-content
 */
import type { AppConfig } from './config';
import { isLoopbackHostname } from './config';
import { sameIssuer } from './discovery';
import { AuthError } from './errors';
import type { SettingsStore } from '../platform/ports';

/** What may be opened. */
export interface ExternalUrlPolicy {
  /** Endpoint URLs from the issuer-checked provider metadata; a URL must match one's origin and path. */
  endpoints: readonly string[];
  /** True only for an http loopback issuer (config.insecureLoopbackIssuer). */
  insecureLoopbackIssuer: boolean;
  /** Extra https links (help pages) matched by origin and path. */
  links?: readonly string[];
  /**
   * Origins (`scheme://host[:port]`) whose pages may be opened as a device sign-in's verification
   * page: the issuer's and the discovered authorization endpoint's. Read by {@link vetVerificationUri} only.
   */
  verificationOrigins?: readonly string[];
}

/** Metadata fields whose URLs the browser is meant to visit. */
const BROWSER_ENDPOINTS = ['authorization_endpoint', 'end_session_endpoint'] as const;

/**
 * The policy for the configured provider: its endpoints as last discovered (discovery caches the
 * issuer-checked metadata in settings before any authorization URL is built, CHECKLIST S6, K18).
 */
export function externalUrlPolicy(
  config: Pick<AppConfig, 'issuer' | 'insecureLoopbackIssuer'>,
  settings: Pick<SettingsStore, 'get'>,
  links: readonly string[] = [],
): ExternalUrlPolicy {
  const metadata = settings.get('discoveryCache')?.[config.issuer]?.metadata ?? {};
  const checked = sameIssuer(metadata.issuer, config.issuer);
  const endpoints = checked
    ? BROWSER_ENDPOINTS.map((name) => metadata[name]).filter((v): v is string => typeof v === 'string')
    : [];
  const verificationOrigins = [config.issuer, checked ? metadata.authorization_endpoint : undefined]
    .map(originOf)
    .filter((o, i, all): o is string => o !== null && all.indexOf(o) === i);
  return { endpoints, insecureLoopbackIssuer: config.insecureLoopbackIssuer, links, verificationOrigins };
}

/**
 * Returns the URL if the policy allows opening it; throws `origin_not_allowed` or
 * `insecure_endpoint` otherwise. Messages name the origin only: the URL carries `state`.
 *
 * @see ExternalUrlPolicy
 */
export function vetExternalUrl(url: string, policy: ExternalUrlPolicy): URL {
  const parsed = parseOpenable(url, policy);
  const target = originAndPath(parsed);
  const allowed = [...policy.endpoints, ...(policy.links ?? [])].some((candidate) => {
    try {
      return originAndPath(new URL(candidate)) === target;
    } catch {
      return false;
    }
  });
  if (!allowed) {
    throw new AuthError(
      'origin_not_allowed',
      `The app refused to open ${parsed.origin}: it is not the provider's sign-in page.`,
    );
  }
  return parsed;
}

/**
 * Returns the URL if it may be opened as a device sign-in's verification page: same scheme rules
 * as {@link vetExternalUrl}, and its origin must be the issuer's or the authorization endpoint's.
 * The device module already requires https (or a loopback issuer's http) for it; this keeps a
 * provider that names some other site as its "verification page" from steering the user there
 * through the app (RFC 8628 §5.4, remote phishing). Throws `origin_not_allowed` or `insecure_endpoint`.
 *
 * @see RFC 8628 §3.2, §3.3
 */
export function vetVerificationUri(url: string, policy: ExternalUrlPolicy): URL {
  const parsed = parseOpenable(url, policy);
  if (!(policy.verificationOrigins ?? []).includes(parsed.origin)) {
    throw new AuthError(
      'origin_not_allowed',
      `The app refused to open ${parsed.origin}: it is not the provider's own site.`,
    );
  }
  return parsed;
}

/** Parses and applies the checks every opened URL passes: a URL, no credentials, https (or loopback http by configuration). */
function parseOpenable(url: string, policy: Pick<ExternalUrlPolicy, 'insecureLoopbackIssuer'>): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AuthError('origin_not_allowed', 'The app refused to open a link that is not a valid URL.');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new AuthError('origin_not_allowed', 'The app refused to open a link that carries a user name or password.');
  }
  const https = parsed.protocol === 'https:';
  const loopbackHttp = parsed.protocol === 'http:' && policy.insecureLoopbackIssuer && isLoopbackHostname(parsed.hostname);
  if (!https && !loopbackHttp) {
    throw new AuthError(
      'insecure_endpoint',
      `The app refused to open a ${parsed.protocol.replace(/:$/, '').slice(0, 20)} link: only https pages of the provider are opened.`,
    );
  }
  return parsed;
}

/** `https://host[:port]` of an http(s) URL, else null. */
function originOf(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : null;
  } catch {
    return null;
  }
}

/** As discovery compares issuers: after URL normalisation. */
function originAndPath(u: URL): string {
  return `${u.protocol}//${u.host}${u.pathname}`;
}
