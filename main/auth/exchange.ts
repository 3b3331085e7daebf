/**
 * The code exchange, and the one place a token response becomes a {@link StoredSession}.
 *
 * oauth4webapi validates the ID token's iss, aud, azp, exp, iat and nonce (C1, C3) and UserInfo's
 * `sub` (C6). What it cannot know — that a refreshed ID token still names the same user (C5), that
 * a refresh without a new refresh token keeps the old one (K15) — is done in
 * {@link sessionFromTokenResponse}, which the refresh code reuses.
 */
import * as oauth from 'oauth4webapi';
import type { Clock, Logger } from '../platform/ports';
import type { PendingAuthorization } from './authorize';
import type { AppConfig } from './config';
import type { DiscoveredProvider } from './discovery';
import { AuthError, toAuthError } from './errors';
import { type Account, type IdentityAnchor, redactedSession, type StoredSession } from './tokens';

export interface ExchangeDeps {
  config: AppConfig;
  provider: DiscoveredProvider;
  clock: Clock;
  logger: Logger;
  /** Aborts the token and UserInfo requests (sign-in cancelled). */
  signal?: AbortSignal;
}

/**
 * Redeems the authorization code (exactly one token request), validates the ID token, and reads
 * UserInfo when it can be trusted. Resolves with the new session; does not store it.
 *
 * @see RFC 6749 §4.1.3, RFC 7636 §4.5, RFC 8707 §2.2, OIDC Core §3.1.3.7 and §5.3.2
 */
export async function exchangeAuthorizationCode(
  deps: ExchangeDeps,
  pending: PendingAuthorization,
  callbackParameters: URLSearchParams,
): Promise<StoredSession> {
  const { config, provider } = deps;
  let tokens: oauth.TokenEndpointResponse;
  let receivedAt: number;
  try {
    const response = await oauth.authorizationCodeGrantRequest(
      provider.as,
      provider.client,
      provider.clientAuth,
      callbackParameters,
      pending.redirectUri,
      pending.secrets.codeVerifier,
      {
        ...provider.http.tokenEndpointOptions,
        signal: deps.signal,
        additionalParameters: pending.resources.map((resource) => ['resource', resource]),
      },
    );
    receivedAt = deps.clock.now();
    tokens = await oauth.processAuthorizationCodeResponse(provider.as, provider.client, response, {
      expectedNonce: pending.secrets.nonce,
      requireIdToken: true,
    });
  } catch (error) {
    throw toAuthError(error, 'code exchange');
  }
  const claims = oauth.getValidatedIdTokenClaims(tokens);
  const profile = claims ? await fetchUserInfo(deps, pending, tokens, claims.sub) : undefined;
  return sessionFromTokenResponse(config, provider, tokens, {
    previous: null,
    receivedAt,
    requestedScopes: pending.scopes,
    profile,
  });
}

/**
 * UserInfo, only where the access token is meant for it and only with the ID token's `sub`.
 * A `sub` mismatch ends the sign-in (C6); any other failure falls back to the ID token claims,
 * because the profile is display data and the ID token already identified the user.
 *
 * @see OIDC Core §5.3.2 (sub MUST be verified)
 */
async function fetchUserInfo(
  deps: ExchangeDeps,
  pending: PendingAuthorization,
  tokens: oauth.TokenEndpointResponse,
  sub: string,
): Promise<oauth.UserInfoResponse | undefined> {
  const { provider, logger } = deps;
  if (typeof provider.as.userinfo_endpoint !== 'string') return undefined;
  // An access token issued for a resource server (RFC 8707) is audience-restricted to it: sending
  // it to the provider's UserInfo endpoint is pointless (oidc-provider refuses it) and would hand a
  // token to a party it was not issued for (RFC 9700 §2.3).
  if (pending.resources.length > 0) return undefined;
  if (tokens.token_type !== 'bearer') return undefined;
  try {
    const response = await oauth.userInfoRequest(provider.as, provider.client, tokens.access_token, {
      ...provider.http.options,
      signal: deps.signal,
    });
    return await oauth.processUserInfoResponse(provider.as, provider.client, sub, response);
  } catch (error) {
    const mapped = toAuthError(error, 'userinfo');
    if (mapped.code === 'userinfo_sub_mismatch' || mapped.code === 'cancelled') throw mapped;
    logger.warn('userinfo: not used, falling back to ID token claims', { code: mapped.code });
    return undefined;
  }
}

export interface SessionFromTokenResponseOptions {
  /** The session being refreshed, or null for a new sign-in. */
  previous: StoredSession | null;
  /** Wall-clock epoch ms when the token response arrived (expiry = receivedAt + expires_in). */
  receivedAt: number;
  /** Scopes asked for; used when the response omits `scope` (RFC 6749 §5.1). Default: previous, then config. */
  requestedScopes?: readonly string[];
  /** UserInfo claims already checked to have the ID token's `sub`. */
  profile?: oauth.UserInfoResponse;
}

/**
 * Turns a processed token response into a session. Throws `subject_changed` when a refreshed ID
 * token names another issuer, subject or audience than the session's (C5), and
 * `token_response_invalid` when a new session has no ID token.
 *
 * @see RFC 6749 §5.1 and §6 (K15), OIDC Core §12.2 (same iss/sub/aud after refresh)
 */
export function sessionFromTokenResponse(
  config: AppConfig,
  provider: Pick<DiscoveredProvider, 'as' | 'client'>,
  response: oauth.TokenEndpointResponse,
  options: SessionFromTokenResponseOptions,
): StoredSession {
  const { previous, receivedAt } = options;
  const claims = oauth.getValidatedIdTokenClaims(response);

  let identity: IdentityAnchor | null;
  let account: Account;
  if (claims) {
    identity = { iss: claims.iss, sub: claims.sub, aud: audienceOf(claims.aud) };
    if (previous) assertSameSubject(previous, identity);
    account = accountFrom(claims, options.profile, previous);
  } else if (previous) {
    identity = previous.identity;
    account = previous.account;
  } else {
    throw new AuthError('token_response_invalid', 'The provider did not send an ID token, so the user cannot be identified.');
  }

  const scopes = response.scope
    ? response.scope.split(' ').filter(Boolean)
    : [...(options.requestedScopes ?? previous?.scopes ?? config.scopes)];

  return redactedSession({
    issuer: config.issuer,
    clientId: provider.client.client_id,
    account,
    identity,
    // RFC 6749 §6: the server MAY issue a new refresh token; if it does not, the old one stays valid.
    refreshToken: response.refresh_token ?? previous?.refreshToken ?? null,
    accessToken: response.access_token,
    accessTokenExpiresAt: typeof response.expires_in === 'number' ? receivedAt + response.expires_in * 1000 : null,
    scopes,
    receivedAt,
  });
}

/** OIDC Core §12.2: iss, sub and aud of a refreshed ID token MUST equal the original's. */
function assertSameSubject(previous: StoredSession, identity: IdentityAnchor): void {
  const anchor = previous.identity;
  const same =
    identity.sub === previous.account.sub &&
    (anchor === null || (anchor.iss === identity.iss && anchor.sub === identity.sub && anchor.aud === identity.aud));
  if (!same) {
    throw new AuthError(
      'subject_changed',
      'The provider answered the session renewal with an ID token for a different user or client. You have been signed out; sign in again.',
    );
  }
}

/** A stable string for `aud` (a string, or an array compared as a set). */
function audienceOf(aud: string | string[]): string {
  if (typeof aud === 'string') return aud;
  return [...aud].sort().join(' ');
}

function accountFrom(claims: oauth.IDToken, profile: oauth.UserInfoResponse | undefined, previous: StoredSession | null): Account {
  // Profile first (fresher, and the ID token may carry only `sub`), then ID token, then what we had.
  const pick = (key: 'name' | 'email' | 'picture'): string | undefined =>
    stringClaim(profile?.[key]) ?? stringClaim(claims[key]) ?? previous?.account[key];
  const account: Account = { sub: claims.sub };
  const name = pick('name') ?? stringClaim(profile?.preferred_username) ?? stringClaim(claims.preferred_username);
  const email = pick('email');
  const picture = pick('picture');
  if (name !== undefined) account.name = name;
  if (email !== undefined) account.email = email;
  if (picture !== undefined) account.picture = picture;
  return account;
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value.slice(0, 256) : undefined;
}
