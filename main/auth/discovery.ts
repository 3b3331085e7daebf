/**
 * Provider discovery: OpenID Connect Discovery, falling back to RFC 8414, pinned to the configured
 * issuer, checked once for what matters to security, and cached for launches without network.
 *
 * Lenient where real providers are sloppy (a missing `none` auth method, `refresh_token` grant or
 * `code_challenge_methods_supported` only logs a warning), strict where it matters: the metadata's
 * issuer must equal the configured one (S6), every endpoint must be https (S7), and a provider that
 * lists PKCE methods without S256 is refused (N2).
 */
import * as oauth from 'oauth4webapi';
import type { FetchLike, Clock, Logger, SettingsStore } from '../platform/ports';
import type { AppConfig } from './config';
import { AuthError, isAuthError, toAuthError } from './errors';
import { assertEndpointAllowed, createOAuthHttp, type OAuthHttp } from './http';

/** Everything the flows need to talk to one provider registration. */
export interface DiscoveredProvider {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  /** Always `None()`: a desktop app is a public client and ships no secret (RFC 8252 §8.4, N10). */
  clientAuth: oauth.ClientAuth;
  /** True when the network failed and the cached, issuer-pinned metadata is used (K18). */
  fromCache: boolean;
  /** The transport (timeout, http switch, clock samples) for every later call to this provider. */
  http: OAuthHttp;
}

export interface DiscoveryDeps {
  fetch: FetchLike;
  settings: SettingsStore;
  clock: Clock;
  logger: Logger;
  /** Per-request timeout in ms (default 10 s). */
  timeoutMs?: number;
}

/** Metadata fields that name endpoints the app may call or open; each must pass {@link assertEndpointAllowed}. */
export const ENDPOINT_FIELDS = [
  'authorization_endpoint',
  'token_endpoint',
  'userinfo_endpoint',
  'revocation_endpoint',
  'end_session_endpoint',
  'device_authorization_endpoint',
  'introspection_endpoint',
  'pushed_authorization_request_endpoint',
  'jwks_uri',
] as const;

/**
 * Discovers and validates the provider's metadata; falls back to the cache on network failure.
 *
 * @see OpenID Connect Discovery 1.0 §4, RFC 8414 §3 (retrieval) and §3.3 (issuer must match)
 */
export async function discoverProvider(config: AppConfig, deps: DiscoveryDeps): Promise<DiscoveredProvider> {
  const http = createOAuthHttp(config, deps);
  const client: oauth.Client = { client_id: config.clientId };
  const clientAuth = oauth.None();
  let as: oauth.AuthorizationServer;
  try {
    as = await fetchMetadata(config, http);
  } catch (error) {
    const mapped = toAuthError(error, 'discovery');
    if (!mapped.retryable) throw mapped;
    const cached = cachedMetadata(config, deps.settings);
    if (!cached) throw mapped;
    validateMetadata(cached, config, deps.logger);
    deps.logger.warn('discovery: provider unreachable, using cached metadata', { code: mapped.code });
    return { as: cached, client, clientAuth, fromCache: true, http };
  }
  validateMetadata(as, config, deps.logger);
  const cache = { ...deps.settings.get('discoveryCache') };
  const metadata = { ...as };
  // Rewritten only when the document changed: a provider serves the same metadata for months, and
  // the settings write (a synchronous, flushed file replace) cost every launch renewal ~1 ms (issue 7).
  // `fetchedAt` is therefore when this content was first seen.
  if (JSON.stringify(cache[config.issuer]?.metadata) !== JSON.stringify(metadata)) {
    cache[config.issuer] = { metadata, fetchedAt: deps.clock.now() };
    deps.settings.set('discoveryCache', cache);
  }
  return { as, client, clientAuth, fromCache: false, http };
}

/**
 * The provider as last discovered, from the settings cache, without any request — or null when
 * nothing (or nothing for this exact issuer, S6) is cached. Validated like fresh metadata.
 * A launch renewal uses it to save a round trip; a stale endpoint fails like a network error and
 * the next attempt discovers afresh (K18).
 */
export function cachedProvider(config: AppConfig, deps: DiscoveryDeps): DiscoveredProvider | null {
  const cached = cachedMetadata(config, deps.settings);
  if (!cached) return null;
  try {
    validateMetadata(cached, config, deps.logger);
  } catch {
    return null;
  }
  return { as: cached, client: { client_id: config.clientId }, clientAuth: oauth.None(), fromCache: true, http: createOAuthHttp(config, deps) };
}

/** OIDC location first; if that document does not exist, the RFC 8414 location. */
async function fetchMetadata(config: AppConfig, http: OAuthHttp): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(config.issuer);
  try {
    return await fetchOne(issuer, 'oidc', http);
  } catch (error) {
    // Only "no such document" falls through: an issuer mismatch or a network failure must not be
    // papered over by trying another URL.
    if (!isAuthError(error, 'discovery_failed')) throw error;
  }
  try {
    return await fetchOne(issuer, 'oauth2', http);
  } catch (error) {
    if (!isAuthError(error, 'discovery_failed')) throw error;
    throw new AuthError(
      'discovery_failed',
      `No provider metadata was found for ${issuer.href} (tried /.well-known/openid-configuration and ` +
        '/.well-known/oauth-authorization-server). Check OAUTH_ISSUER.',
      { cause: error },
    );
  }
}

async function fetchOne(issuer: URL, algorithm: 'oidc' | 'oauth2', http: OAuthHttp): Promise<oauth.AuthorizationServer> {
  try {
    const response = await oauth.discoveryRequest(issuer, { ...http.options, algorithm });
    // processDiscoveryResponse compares the document's `issuer` with ours (RFC 8414 §3.3, S6).
    return await oauth.processDiscoveryResponse(issuer, response);
  } catch (error) {
    throw toAuthError(error, 'discovery');
  }
}

/** The cached metadata for the configured issuer, only if it names that same issuer (S6). */
function cachedMetadata(config: AppConfig, settings: SettingsStore): oauth.AuthorizationServer | null {
  const entry = settings.get('discoveryCache')?.[config.issuer];
  const metadata = entry?.metadata;
  if (!metadata || typeof metadata.issuer !== 'string') return null;
  if (!sameIssuer(metadata.issuer, config.issuer)) return null;
  return metadata as unknown as oauth.AuthorizationServer;
}

/** Issuer comparison as oauth4webapi does it for discovery: after URL normalisation. */
export function sameIssuer(a: unknown, b: string): boolean {
  try {
    return typeof a === 'string' && new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
}

/**
 * The security checks on metadata (fresh or cached). Throws `insecure_endpoint` (S7) or
 * `provider_unsupported`; logs a warning for harmless omissions.
 *
 * @see RFC 8414 §2, RFC 7636 §4.3 (S256), RFC 9700 §2.1.1
 */
export function validateMetadata(as: oauth.AuthorizationServer, config: AppConfig, logger: Logger): void {
  for (const field of ['authorization_endpoint', 'token_endpoint'] as const) {
    if (typeof as[field] !== 'string') {
      throw new AuthError('provider_unsupported', `The provider metadata has no ${field}: browser sign-in is not possible.`);
    }
  }
  for (const field of ENDPOINT_FIELDS) {
    const value = as[field];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new AuthError('provider_unsupported', `The provider metadata has an invalid ${field}.`);
    assertEndpointAllowed(value, field, config);
  }

  const pkce = as.code_challenge_methods_supported;
  if (pkce === undefined) {
    // Many providers support S256 without advertising it; RFC 9700 §2.1.1 lets us send it anyway.
    logger.warn('discovery: provider does not advertise code_challenge_methods_supported; sending S256 anyway');
  } else if (!Array.isArray(pkce) || !pkce.includes('S256')) {
    throw new AuthError(
      'provider_unsupported',
      'The provider does not support PKCE with S256 (RFC 7636), which this app requires to protect the sign-in.',
    );
  }
  const authMethods = as.token_endpoint_auth_methods_supported;
  if (Array.isArray(authMethods) && !authMethods.includes('none')) {
    logger.warn('discovery: token_endpoint_auth_methods_supported omits "none"; assuming public clients are accepted');
  }
  const grants = as.grant_types_supported;
  if (Array.isArray(grants)) {
    if (!grants.includes('authorization_code')) logger.warn('discovery: grant_types_supported omits authorization_code');
    if (!grants.includes('refresh_token') && config.scopes.includes('offline_access')) {
      logger.warn('discovery: grant_types_supported omits refresh_token; sessions may not renew');
    }
  }
  const responseTypes = as.response_types_supported;
  if (Array.isArray(responseTypes) && !responseTypes.includes('code')) {
    logger.warn('discovery: response_types_supported omits "code"');
  }
}
