/**
 * The baselines: what a bare client does with oauth4webapi and keytar alone — no session state, no
 * lock, no vault, no loopback receiver of ours. Each sends the provider the same request the product
 * sends (same client, PKCE, `resource`), so the provider's own work is equal on both sides.
 */
import * as oauth from 'oauth4webapi';
import {
  type AuthorizationRequest,
  buildAuthorizationRequest,
  INSECURE_LOOPBACK,
  startCallbackListener,
} from '../test/support/reference-client';
import { redirectPort, watchListener } from './callback';
import type { BenchEnv } from './env';
import { now } from './sampler';

/** The keychain account the baselines write to (under the run's baseline service). */
export const BASELINE_ACCOUNT = 'bench-baseline';

/**
 * Code exchange as RFC 6749 §4.1.3 + RFC 7636 §4.5 describe it, with the ID token validated.
 * @see RFC 6749 §4.1.3
 */
export async function bareCodeExchange(
  env: BenchEnv,
  request: AuthorizationRequest,
  callbackUrl: URL,
): Promise<oauth.TokenEndpointResponse> {
  const client: oauth.Client = { client_id: request.clientId };
  const params = oauth.validateAuthResponse(env.as, client, callbackUrl, request.state);
  const response = await oauth.authorizationCodeGrantRequest(
    env.as,
    client,
    oauth.None(),
    params,
    request.redirectUri,
    request.codeVerifier,
    { ...INSECURE_LOOPBACK, additionalParameters: [['resource', env.servers.resource]] },
  );
  return oauth.processAuthorizationCodeResponse(env.as, client, response, {
    expectedNonce: request.nonce,
    requireIdToken: true,
  });
}

/**
 * One refresh-token grant, validated.
 * @see RFC 6749 §6
 */
export async function bareRefresh(env: BenchEnv, refreshToken: string): Promise<oauth.TokenEndpointResponse> {
  const client: oauth.Client = { client_id: env.servers.clientId };
  const response = await oauth.refreshTokenGrantRequest(env.as, client, oauth.None(), refreshToken, {
    ...INSECURE_LOOPBACK,
    additionalParameters: [['resource', env.servers.resource]],
  });
  return oauth.processRefreshTokenResponse(env.as, client, response);
}

/** What a bare client would keep: the tokens and their expiry. */
export function bareRecord(tokens: oauth.TokenEndpointResponse): string {
  return JSON.stringify({
    at: tokens.access_token,
    rt: tokens.refresh_token ?? null,
    exp: typeof tokens.expires_in === 'number' ? Date.now() + tokens.expires_in * 1000 : null,
  });
}

/** A completed bare sign-in: the timed part, and the tokens it produced. */
export interface BareSignIn {
  /** Callback at the listener → tokens validated and written to the keychain, in ms. */
  elapsedMs: number;
  tokens: oauth.TokenEndpointResponse;
}

/**
 * A bare sign-in: a one-path loopback listener, chromium signing in (single sign-on after the
 * first time) and delivering the callback, timed from the callback reaching the listener to the
 * keytar write being done.
 * @see RFC 8252 §7.3
 */
export async function bareSignIn(env: BenchEnv): Promise<BareSignIn> {
  const listener = await startCallbackListener();
  try {
    const request = await buildAuthorizationRequest(env.as, {
      clientId: env.servers.clientId,
      redirectUri: listener.redirectUri,
      resource: env.servers.resource,
    });
    const watch = watchListener(redirectPort(request.url.href));
    const browsing = env.browser.signIn(request.url.href, { keepSession: true });
    try {
      const received = await listener.nextCallback();
      const tokens = await bareCodeExchange(env, request, received);
      await env.keytar.setPassword(env.baselineService, BASELINE_ACCOUNT, bareRecord(tokens));
      const done = now();
      return { elapsedMs: done - (await watch.callback), tokens };
    } finally {
      watch.cancel();
      await browsing;
    }
  } finally {
    await listener.close();
  }
}

/**
 * A refresh token of the baseline's own grant (never the product's: rotation would revoke it),
 * obtained by one bare sign-in and rotated by each {@link bareRefresh}.
 */
export class BaselineGrant {
  #refreshToken: string | null = null;

  constructor(private readonly env: BenchEnv) {}

  /** Adopts the refresh token of a bare sign-in done elsewhere. */
  adopt(tokens: oauth.TokenEndpointResponse): void {
    if (tokens.refresh_token) this.#refreshToken = tokens.refresh_token;
  }

  /** One timed bare refresh (rotating the token), in ms. */
  async refresh(): Promise<number> {
    if (!this.#refreshToken) this.adopt((await bareSignIn(this.env)).tokens);
    const token = this.#refreshToken;
    if (!token) throw new Error('bench: the bare sign-in got no refresh token');
    const t0 = now();
    const tokens = await bareRefresh(this.env, token);
    const elapsedMs = now() - t0;
    this.adopt(tokens);
    return elapsedMs;
  }
}
