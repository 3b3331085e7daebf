/**
 * The authorization request (RFC 6749 §4.1.1 + RFC 7636 + OIDC Core §3.1.2.1 + RFC 8707).
 *
 * Each sign-in gets a fresh `state` (CSRF, N8), `nonce` (ID-token replay, C1) and PKCE verifier
 * (code interception, N2; S256 only). These live in memory only, inside objects that cannot print
 * them: private fields, a `toJSON` and an inspect hook that redact (T4). The authorization URL
 * itself carries `state` and `nonce`, so it is redacted the same way.
 */
import { inspect } from 'node:util';
import * as oauth from 'oauth4webapi';
import type { AppConfig } from './config';
import type { DiscoveredProvider } from './discovery';
import { assertEndpointAllowed } from './http';

const REDACTED = '[redacted]';

/**
 * The per-request secrets: `state`, `nonce` and the PKCE `code_verifier`, 256 bits each.
 *
 * @see RFC 7636 §4.1, RFC 9700 §2.1, OIDC Core §3.1.2.1 (nonce)
 */
export class AuthorizationSecrets {
  readonly #state = oauth.generateRandomState();
  readonly #nonce = oauth.generateRandomNonce();
  readonly #codeVerifier = oauth.generateRandomCodeVerifier();

  get state(): string {
    return this.#state;
  }
  get nonce(): string {
    return this.#nonce;
  }
  get codeVerifier(): string {
    return this.#codeVerifier;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return `AuthorizationSecrets ${REDACTED}`;
  }
  toString(): string {
    return `AuthorizationSecrets ${REDACTED}`;
  }
}

/** A built authorization request, kept in memory until the callback is validated and exchanged. */
export class PendingAuthorization {
  readonly #url: URL;
  readonly #secrets: AuthorizationSecrets;

  constructor(
    url: URL,
    secrets: AuthorizationSecrets,
    /** The exact redirect_uri sent; the token request repeats it byte for byte (RFC 6749 §4.1.3, N9). */
    readonly redirectUri: string,
    readonly scopes: readonly string[],
    readonly resources: readonly string[],
    /** offline_access was requested (a refresh token is expected). */
    readonly offlineRequested: boolean,
    /** `prompt=consent` was added because offline access was not granted before. */
    readonly promptConsent: boolean,
  ) {
    this.#url = url;
    this.#secrets = secrets;
  }

  /** The URL to open in the system browser. Contains `state`: never log it. */
  get url(): string {
    return this.#url.href;
  }
  get secrets(): AuthorizationSecrets {
    return this.#secrets;
  }
  toJSON(): Record<string, unknown> {
    return {
      redirectUri: this.redirectUri,
      scopes: this.scopes,
      resources: this.resources,
      offlineRequested: this.offlineRequested,
      promptConsent: this.promptConsent,
      url: REDACTED,
      secrets: REDACTED,
    };
  }
  [inspect.custom](): string {
    return `PendingAuthorization ${JSON.stringify(this.toJSON())}`;
  }
  toString(): string {
    return `PendingAuthorization ${REDACTED}`;
  }
}

export interface AuthorizationRequestOptions {
  /** The loopback receiver's exact redirect URI. */
  redirectUri: string;
  /** Pre-generated secrets (the receiver needs `state` before the URL exists); fresh ones by default. */
  secrets?: AuthorizationSecrets;
}

/**
 * Builds the authorization URL: `response_type=code` only, S256 challenge, state, nonce, scopes,
 * resource indicators, and `prompt=consent` whenever offline access is asked for (OIDC Core §11).
 *
 * @see RFC 6749 §4.1.1, RFC 7636 §4.3, RFC 8707 §2, RFC 8252 §6, OIDC Core §11 (offline_access)
 */
export async function buildAuthorizationRequest(
  config: AppConfig,
  provider: Pick<DiscoveredProvider, 'as' | 'client'>,
  options: AuthorizationRequestOptions,
): Promise<PendingAuthorization> {
  const endpoint = provider.as.authorization_endpoint;
  if (typeof endpoint !== 'string') throw new TypeError('authorization_endpoint missing: validate metadata first');
  // Re-checked here so no code path can open a browser on a non-https authorization endpoint (S7).
  const url = new URL(assertEndpointAllowed(endpoint, 'authorization_endpoint', config).href);
  const secrets = options.secrets ?? new AuthorizationSecrets();
  const offlineRequested = config.scopes.includes('offline_access');
  // OIDC Core §11: "When offline access is requested, a prompt parameter value of consent MUST be
  // used". Strict providers (oidc-provider among them) drop offline_access from any request without
  // it — also for a user who consented before — and the session then silently has no refresh token
  // and ends at the access token's expiry. A consent screen on the (rare) interactive sign-in is the
  // smaller cost.
  const promptConsent = offlineRequested;

  // `set` keeps any query the endpoint already has (RFC 6749 §3.1) while making ours authoritative.
  const params = url.searchParams;
  params.set('client_id', provider.client.client_id);
  params.set('response_type', 'code');
  params.set('redirect_uri', options.redirectUri);
  params.set('scope', config.scopes.join(' '));
  params.set('state', secrets.state);
  params.set('nonce', secrets.nonce);
  params.set('code_challenge', await oauth.calculatePKCECodeChallenge(secrets.codeVerifier));
  params.set('code_challenge_method', 'S256');
  params.delete('resource');
  for (const resource of config.resources) params.append('resource', resource);
  if (promptConsent) params.set('prompt', 'consent');

  return new PendingAuthorization(
    url,
    secrets,
    options.redirectUri,
    [...config.scopes],
    [...config.resources],
    offlineRequested,
    promptConsent,
  );
}
