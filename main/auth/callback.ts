/**
 * Validation of the authorization response the loopback receiver collected (the receiver only
 * collects; this module decides — STYLE rule 1).
 *
 * Our own checks run first so each failure gets its precise code (front-channel tokens, `iss`,
 * `state`, repeated parameters); oauth4webapi's `validateAuthResponse` then runs its full set of
 * checks as well, so nothing it enforces is lost.
 */
import * as oauth from 'oauth4webapi';
import type { DiscoveredProvider } from './discovery';
import { AuthError, toAuthError } from './errors';

/** Parameters that only implicit/hybrid responses carry; never accepted in the query (RFC 9700 §2.1.2). */
const FRONT_CHANNEL_TOKEN_PARAMS = ['access_token', 'id_token', 'token', 'refresh_token'] as const;

/** Parameters that must appear at most once (RFC 6749 §3.1: "MUST NOT be included more than once"). */
const SINGLE_PARAMS = ['code', 'state', 'iss', 'error'] as const;

/**
 * Validates the redirect and returns the parameters to hand to the code exchange.
 * Throws `AuthError` with `front_channel_tokens`, `iss_mismatch`, `state_mismatch`,
 * `access_denied`, `authorization_error` or `callback_invalid`.
 *
 * @see RFC 6749 §4.1.2, RFC 9207 §2.4 (iss), RFC 9700 §4.7 (CSRF), RFC 8252 §8.1
 */
export function validateCallback(
  provider: Pick<DiscoveredProvider, 'as' | 'client'>,
  callbackUrl: URL,
  expectedState: string,
): URLSearchParams {
  const params = callbackUrl.searchParams;

  // Tokens in a URL leak through history, logs and Referer; their presence means a misconfigured
  // (implicit/hybrid) client or an injection attempt. Refuse before looking at anything else (N11, L9).
  if (FRONT_CHANNEL_TOKEN_PARAMS.some((name) => params.has(name)) || callbackUrl.hash.length > 1) {
    throw new AuthError(
      'front_channel_tokens',
      'The sign-in response carried tokens in the browser URL, which this app never accepts. Check the provider registration (use the authorization code flow).',
    );
  }
  for (const name of SINGLE_PARAMS) {
    if (params.getAll(name).length > 1) {
      throw new AuthError('callback_invalid', 'The sign-in response repeated a parameter. Start the sign-in again.');
    }
  }

  // RFC 9207 §2.4: compare iss when present; require it when the provider says it sends it.
  const iss = params.get('iss');
  if (iss === null ? provider.as.authorization_response_iss_parameter_supported === true : iss !== provider.as.issuer) {
    throw new AuthError(
      'iss_mismatch',
      iss === null
        ? 'The sign-in response did not say which provider sent it, although the provider promises to. Sign-in was stopped.'
        : 'The sign-in response came from an unexpected issuer. Sign-in was stopped.',
    );
  }
  if (params.get('state') !== expectedState) {
    throw new AuthError('state_mismatch', 'The sign-in response does not belong to this sign-in. Start the sign-in again.');
  }

  let validated: URLSearchParams;
  try {
    validated = oauth.validateAuthResponse(provider.as, provider.client, params, expectedState);
  } catch (error) {
    // access_denied → 'access_denied' and any other error → 'authorization_error', with a fixed
    // message: error_description is attacker-controllable and is never shown (L5).
    throw toAuthError(error, 'sign-in');
  }
  const code = validated.get('code');
  if (!code) {
    throw new AuthError('callback_invalid', 'The sign-in response had neither a code nor an error. Start the sign-in again.');
  }
  return validated;
}
