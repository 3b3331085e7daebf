/**
 * The one error type of oauth-desktop.
 *
 * Every failure that leaves a module is an `AuthError` with a stable `code` that callers branch on
 * (never on messages). Library, network, keychain and listener errors are mapped to it in ONE place:
 * {@link toAuthError}. Messages are written for the person who reads them — what happened and what
 * to do — and never contain a token, code, verifier, state, nonce or secret (CHECKLIST T4): mapping
 * functions build messages from fixed strings and OAuth error *codes* only, never from
 * `error_description` or response bodies, which an attacker or a sloppy provider controls.
 */
import * as oauth from 'oauth4webapi';

/** Stable error codes. Add new ones at the end of their group; never rename. */
export type AuthErrorCode =
  // configuration and provider metadata
  | 'config_invalid'
  | 'grant_refused'
  | 'discovery_failed'
  | 'issuer_mismatch'
  | 'insecure_endpoint'
  | 'provider_unsupported'
  // network (retryable: the session keeps its tokens and goes "offline")
  | 'network'
  | 'timeout'
  | 'server_error'
  | 'offline'
  // the authorization response and the sign-in flow
  | 'state_mismatch'
  | 'iss_mismatch'
  | 'front_channel_tokens'
  | 'callback_invalid'
  | 'access_denied'
  | 'authorization_error'
  | 'cancelled'
  | 'timed_out'
  | 'superseded'
  | 'listener_failed'
  | 'browser_unavailable'
  // tokens
  | 'id_token_invalid'
  | 'userinfo_sub_mismatch'
  | 'subject_changed'
  | 'invalid_grant'
  | 'token_response_invalid'
  | 'invalid_client'
  | 'not_signed_in'
  // device grant (RFC 8628)
  | 'device_expired'
  | 'device_denied'
  // storage
  | 'storage_unavailable'
  | 'storage_too_large'
  | 'storage_corrupt'
  | 'settings_corrupt'
  // protected calls and IPC
  | 'origin_not_allowed'
  | 'response_too_large'
  | 'api_unauthorized'
  | 'ipc_invalid'
  | 'ipc_forbidden'
  | 'internal';

/** Codes after which a retry later may succeed without the user doing anything. */
const RETRYABLE: ReadonlySet<AuthErrorCode> = new Set(['network', 'timeout', 'server_error', 'offline']);

/** The error type every oauth-desktop module throws. `cause` keeps the original for debugging. */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly code: AuthErrorCode;

  constructor(code: AuthErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** True for failures that say nothing about the validity of the session (network, 5xx, timeout). */
  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }

  /** A plain, token-free object fit for IPC replies, logs and `--json` output. */
  toJSON(): { code: AuthErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }

  /**
   * What `console.log(error)` / `util.inspect` show: the stack, the code, and only the class and
   * code of each cause. A cause can hold a whole token response (oauth4webapi keeps the body it
   * refused, tokens included), so its data is never printed (T4); it stays on `cause` for code.
   */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `${this.stack ?? `${this.name}: ${this.message}`}\n  code: ${this.code}${describeCauses(this.cause)}`;
  }
}

/** `caused by: OperationProcessingError (OAUTH_INVALID_RESPONSE)`, for up to five causes, no data. */
function describeCauses(cause: unknown): string {
  let text = '';
  for (let depth = 0; cause !== undefined && cause !== null && depth < 5; depth += 1) {
    const code = (cause as { code?: unknown }).code;
    const kind = cause instanceof Error ? cause.name : typeof cause;
    text += `\n  caused by: ${kind}${typeof code === 'string' && /^[\w.-]{1,64}$/.test(code) ? ` (${code})` : ''}`;
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return text;
}

/** Type guard that also narrows on a code: `isAuthError(e, 'invalid_grant')`. */
export function isAuthError(error: unknown, code?: AuthErrorCode): error is AuthError {
  return error instanceof AuthError && (code === undefined || error.code === code);
}

/** What the caller was doing, to word the message ("refreshing the session failed: …"). */
export type AuthOperation =
  | 'discovery'
  | 'sign-in'
  | 'code exchange'
  | 'refresh'
  | 'revocation'
  | 'userinfo'
  | 'device authorization'
  | 'client credentials'
  | 'api call'
  | 'keychain';

/**
 * Maps anything thrown by oauth4webapi, fetch, keytar or our own code to an {@link AuthError}.
 * The single place where foreign errors are classified (STYLE rule 3).
 *
 * @see RFC 6749 §5.2 (token endpoint error codes)
 */
export function toAuthError(error: unknown, operation: AuthOperation): AuthError {
  if (error instanceof AuthError) return error;

  // Token-endpoint style error body: {"error": "..."} with a 4xx/5xx status (RFC 6749 §5.2).
  if (error instanceof oauth.ResponseBodyError) {
    return fromOAuthErrorCode(error.error, error.status, operation, error);
  }
  // Error response on the redirect (RFC 6749 §4.1.2.1).
  if (error instanceof oauth.AuthorizationResponseError) {
    if (error.error === 'access_denied') {
      return new AuthError('access_denied', 'Sign-in was cancelled in the browser.', { cause: error });
    }
    return new AuthError(
      'authorization_error',
      `The provider refused the sign-in request (${safeCode(error.error)}). Check the app's registration with the provider.`,
      { cause: error },
    );
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const challenge = error.cause.find((c) => c.scheme === 'bearer' || c.scheme === 'dpop');
    const code = challenge?.parameters.error;
    if (error.response.status >= 500) return serverError(operation, error.response.status, error);
    // A 401 with a Basic challenge from the token endpoint means the client failed to
    // authenticate (RFC 6749 §5.2, invalid_client).
    if (!challenge && error.response.status === 401 && error.cause.some((c) => c.scheme === 'basic')) {
      return fromOAuthErrorCode('invalid_client', 401, operation, error);
    }
    return fromOAuthErrorCode(code ?? 'invalid_token', error.response.status, operation, error);
  }
  if (error instanceof oauth.OperationProcessingError) {
    return fromProcessingError(error, operation);
  }
  if (error instanceof oauth.UnsupportedOperationError) {
    return new AuthError('provider_unsupported', `The provider does not support ${operation}.`, { cause: error });
  }
  if (isAbortLike(error)) {
    if ((error as Error).name === 'TimeoutError') {
      return new AuthError('timeout', `The provider did not answer in time (${operation}). Check your connection.`, {
        cause: error,
      });
    }
    return new AuthError('cancelled', `The ${operation} was cancelled.`, { cause: error });
  }
  if (isNetworkError(error)) {
    return new AuthError('network', `Could not reach the provider (${operation}). Check your connection.`, {
      cause: error,
    });
  }
  return new AuthError('internal', `Unexpected failure during ${operation}.`, { cause: error });
}

function fromOAuthErrorCode(code: string, status: number, operation: AuthOperation, cause: unknown): AuthError {
  switch (code) {
    case 'invalid_grant':
      return new AuthError(
        'invalid_grant',
        operation === 'refresh'
          ? 'Your session has ended at the provider (expired or revoked). Sign in again.'
          : 'The provider rejected the authorization grant. Start the sign-in again.',
        { cause },
      );
    case 'invalid_client':
    case 'unauthorized_client':
      return new AuthError(
        'invalid_client',
        `The provider does not accept this app's client registration (${code}). Check OAUTH_CLIENT_ID.`,
        { cause },
      );
    case 'access_denied':
      return new AuthError('device_denied', 'The sign-in was denied.', { cause });
    case 'expired_token':
      return new AuthError('device_expired', 'The code expired before it was entered. Start again.', { cause });
    case 'temporarily_unavailable':
      return serverError(operation, status, cause);
    default:
      if (status >= 500) return serverError(operation, status, cause);
      return new AuthError(
        'token_response_invalid',
        `The provider answered the ${operation} with an error (${safeCode(code)}).`,
        { cause },
      );
  }
}

function fromProcessingError(error: oauth.OperationProcessingError, operation: AuthOperation): AuthError {
  const cause = (error as { cause?: unknown }).cause;
  // A non-JSON or non-OAuth answer with a 5xx status (an overloaded provider, a proxy's HTML page)
  // says nothing about our tokens: treat it as a server error so the refresh token is kept.
  const status = responseStatus(cause);
  if (status !== undefined && status >= 500) return serverError(operation, status, error);
  switch (error.code) {
    case oauth.JWT_CLAIM_COMPARISON:
    case oauth.JWT_TIMESTAMP_CHECK:
    case oauth.KEY_SELECTION:
      if (operation === 'code exchange' || operation === 'refresh') {
        return new AuthError(
          'id_token_invalid',
          'The provider sent an ID token that failed validation (issuer, audience, nonce or time). Sign-in was stopped.',
          { cause: error },
        );
      }
      break;
    case oauth.JSON_ATTRIBUTE_COMPARISON:
      if (operation === 'discovery') {
        return new AuthError(
          'issuer_mismatch',
          'The provider metadata names a different issuer than the one configured (OAUTH_ISSUER).',
          { cause: error },
        );
      }
      if (operation === 'sign-in') {
        return new AuthError('iss_mismatch', 'The sign-in response came from an unexpected issuer. Sign-in was stopped.', {
          cause: error,
        });
      }
      if (operation === 'userinfo') {
        return new AuthError('userinfo_sub_mismatch', 'The provider returned a profile for another user.', {
          cause: error,
        });
      }
      break;
    case oauth.HTTP_REQUEST_FORBIDDEN:
    case oauth.REQUEST_PROTOCOL_FORBIDDEN:
      return new AuthError(
        'insecure_endpoint',
        'The provider uses an http:// endpoint. Only https is allowed (http only for loopback test providers).',
        { cause: error },
      );
    case oauth.RESPONSE_IS_NOT_JSON:
    case oauth.RESPONSE_IS_NOT_CONFORM:
    case oauth.INVALID_RESPONSE:
    case oauth.PARSE_ERROR:
      if (operation === 'discovery') {
        return new AuthError('discovery_failed', 'The provider metadata could not be read.', { cause: error });
      }
      // An ID token with a missing or mistyped claim (nonce, iat, sub…): oauth4webapi attaches the
      // claims it looked at, which is how it is told apart from a malformed response (C1, C3).
      if ((operation === 'code exchange' || operation === 'refresh') && typeof cause === 'object' && cause !== null && 'claims' in cause) {
        return new AuthError(
          'id_token_invalid',
          'The provider sent an ID token that failed validation (issuer, audience, nonce or time). Sign-in was stopped.',
          { cause: error },
        );
      }
      // validateAuthResponse reports a malformed redirect (repeated or missing parameters) this way.
      if (operation === 'sign-in') {
        return new AuthError('callback_invalid', 'The sign-in response was not valid. Start the sign-in again.', {
          cause: error,
        });
      }
      // A provider that answers a dead refresh token with a bare 400 and no OAuth body: treat like
      // invalid_grant (issue 4), because retrying the same token can never succeed.
      if (operation === 'refresh' && status === 400) {
        return new AuthError('invalid_grant', 'Your session has ended at the provider. Sign in again.', { cause: error });
      }
      // The body never arrived whole (connection dropped or timed out mid-body): oauth4webapi
      // reports that as a parse error; it is the network failure or timeout it wraps.
      if (error.code === oauth.PARSE_ERROR && (isAbortLike(cause) || isNetworkError(cause))) {
        return toAuthError(cause, operation);
      }
      // No OAuth server wrote this: an HTML or text page, a redirect (requests are sent with
      // redirect: 'manual') or a 407 — a proxy or a Wi-Fi sign-in page. It says nothing about our
      // tokens, so it is a retryable network problem and the refresh token is kept (K11) — not
      // "invalid", which the user cannot act on.
      if (error.code === oauth.RESPONSE_IS_NOT_JSON || (status !== undefined && ((status >= 300 && status < 400) || status === 407))) {
        return new AuthError(
          'network',
          `Something other than the provider answered the ${operation} (a proxy or a network sign-in page?). ` +
            (operation === 'refresh' ? 'Check your connection; it will retry automatically.' : 'Check your connection and try again.'),
          { cause: error },
        );
      }
      return invalidAnswer(operation, error);
    case oauth.MISSING_SERVER_METADATA:
    case oauth.INVALID_SERVER_METADATA:
      return new AuthError('provider_unsupported', `The provider metadata lacks what ${operation} needs.`, {
        cause: error,
      });
  }
  if (operation === 'sign-in') {
    return new AuthError('callback_invalid', 'The sign-in response was not valid. Start the sign-in again.', {
      cause: error,
    });
  }
  return invalidAnswer(operation, error);
}

/** A provider answer that breaks the protocol (a missing or malformed field): say what happens next. */
function invalidAnswer(operation: AuthOperation, cause: unknown): AuthError {
  const next =
    operation === 'refresh'
      ? 'Your session is kept and renewal will be retried; if this persists, the provider is misconfigured.'
      : 'Try again; if it keeps failing, the provider is misconfigured.';
  return new AuthError('token_response_invalid', `The provider's answer to the ${operation} was not valid. ${next}`, { cause });
}

function serverError(operation: AuthOperation, status: number, cause: unknown): AuthError {
  // Only a renewal is retried by the app; a sign-in or a call is retried by the user.
  const next = operation === 'refresh' ? 'It will retry automatically.' : 'Try again in a moment.';
  return new AuthError('server_error', `The provider is having trouble (HTTP ${status}) during ${operation}. ${next}`, {
    cause,
  });
}

function responseStatus(cause: unknown): number | undefined {
  if (typeof Response !== 'undefined' && cause instanceof Response) return cause.status;
  return undefined;
}

/** OAuth error codes are ASCII tokens (RFC 6749 §5.2); anything else is not shown. */
function safeCode(code: string | undefined): string {
  return code && /^[\x20-\x21\x23-\x5B\x5D-\x7E]{1,64}$/.test(code) ? code : 'unknown error';
}

function isAbortLike(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

/** undici throws `TypeError('fetch failed')` with the system error (ECONNREFUSED, ENOTFOUND…) as cause. */
function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return true;
  return error instanceof TypeError && /fetch failed|network/i.test(error.message);
}
