/**
 * A reference OAuth client made of plain oauth4webapi calls and a tiny loopback listener — no
 * product code. It proves the bench on its own (test/smoke.test.ts) and gives tests real tokens
 * from the bench provider when the code under test is not the sign-in itself.
 *
 * `allowInsecureRequests` is used because the bench issuer is `http://127.0.0.1`; it is allowed in
 * test and dev-provider code only (STYLE rule 4).
 *
 * Public API:
 * - `discover(issuer): Promise<oauth.AuthorizationServer>`
 * - `startCallbackListener(opts?): Promise<CallbackListener>` — `redirectUri`, `hits`,
 *   `nextCallback(timeoutMs?)`, `close()`
 * - `buildAuthorizationRequest(as, opts): Promise<AuthorizationRequest>` — URL + state/nonce/verifier
 * - `exchangeCode(as, request, callbackUrl): Promise<oauth.TokenEndpointResponse>`
 * - `refresh(as, clientId, refreshToken): Promise<oauth.TokenEndpointResponse>`
 * - `signInWithReferenceClient(provider, browser, opts?): Promise<ReferenceSignIn>` — all of the above
 * - `INSECURE_LOOPBACK`: the oauth4webapi options object for a loopback issuer
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oauth from 'oauth4webapi';
import type { DevProvider } from '../../dev-provider/provider';
import type { SignInOptions, SignInResult, SystemBrowser } from './browser';

/** oauth4webapi options for an `http://127.0.0.1` issuer (test/dev only). */
export const INSECURE_LOOPBACK = { [oauth.allowInsecureRequests]: true } as const;

/**
 * Fetches and validates the provider metadata.
 * @see RFC 8414 §3
 */
export async function discover(issuer: string): Promise<oauth.AuthorizationServer> {
  const url = new URL(issuer);
  return oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, INSECURE_LOOPBACK));
}

/** A one-path loopback receiver for authorization responses. */
export interface CallbackListener {
  /** `http://127.0.0.1:PORT/callback` (or `[::1]`). */
  readonly redirectUri: string;
  /** Every request URL received on the callback path, in order. */
  readonly hits: URL[];
  /** Resolves with the next callback (or the first one not yet taken). */
  nextCallback(timeoutMs?: number): Promise<URL>;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1:0 (or ::1) for `/callback`; answers a fixed page, 404 elsewhere.
 * @see RFC 8252 §7.3
 */
export async function startCallbackListener(opts: { host?: '127.0.0.1' | '::1' } = {}): Promise<CallbackListener> {
  const host = opts.host ?? '127.0.0.1';
  const hits: URL[] = [];
  const waiters: Array<(url: URL) => void> = [];
  let taken = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://${host === '::1' ? '[::1]' : host}`);
    if (url.pathname !== '/callback') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const full = new URL(url.pathname + url.search, redirectOrigin());
    hits.push(full);
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      .end('<!DOCTYPE html><title>Signed in</title><p>Reference client: callback received. You can close this tab.</p>');
    const waiter = waiters.shift();
    if (waiter) {
      taken += 1;
      waiter(full);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const redirectOrigin = () => `http://${host === '::1' ? '[::1]' : host}:${port}`;
  return {
    redirectUri: `${redirectOrigin()}/callback`,
    hits,
    nextCallback(timeoutMs = 20_000) {
      if (hits.length > taken) {
        const url = hits[taken]!;
        taken += 1;
        return Promise.resolve(url);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no callback reached the loopback listener')), timeoutMs);
        waiters.push((url) => {
          clearTimeout(timer);
          resolve(url);
        });
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Options of {@link buildAuthorizationRequest}. */
export interface AuthorizationRequestOptions {
  clientId: string;
  redirectUri: string;
  /** Default `openid profile email offline_access api:read`. */
  scope?: string;
  /** RFC 8707 resource indicator; omitted when undefined. */
  resource?: string;
  /**
   * Default `consent` when `offline_access` is asked for: oidc-provider (like OIDC Core §11 says)
   * drops offline_access without it, and then no refresh token is issued.
   */
  prompt?: string;
}

/** An authorization request and the secrets needed to finish it. */
export interface AuthorizationRequest {
  url: URL;
  clientId: string;
  redirectUri: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

/**
 * Builds an authorization-code request with PKCE S256, state and nonce.
 * @see RFC 7636 §4, RFC 6749 §4.1.1
 */
export async function buildAuthorizationRequest(
  as: oauth.AuthorizationServer,
  opts: AuthorizationRequestOptions,
): Promise<AuthorizationRequest> {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const scope = opts.scope ?? 'openid profile email offline_access api:read';
  const url = new URL(as.authorization_endpoint!);
  url.searchParams.set('client_id', opts.clientId);
  url.searchParams.set('redirect_uri', opts.redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', scope);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  url.searchParams.set('nonce', nonce);
  const prompt = opts.prompt ?? (scope.split(' ').includes('offline_access') ? 'consent' : undefined);
  if (prompt) url.searchParams.set('prompt', prompt);
  if (opts.resource) url.searchParams.set('resource', opts.resource);
  return { url, clientId: opts.clientId, redirectUri: opts.redirectUri, state, nonce, codeVerifier };
}

/**
 * Validates the callback (state, iss) and redeems the code with the verifier.
 * @see RFC 9207 §2.4, RFC 7636 §4.5
 */
export async function exchangeCode(
  as: oauth.AuthorizationServer,
  request: AuthorizationRequest,
  callbackUrl: URL,
): Promise<oauth.TokenEndpointResponse> {
  const client: oauth.Client = { client_id: request.clientId };
  const params = oauth.validateAuthResponse(as, client, callbackUrl, request.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    request.redirectUri,
    request.codeVerifier,
    INSECURE_LOOPBACK,
  );
  return oauth.processAuthorizationCodeResponse(as, client, response, {
    expectedNonce: request.nonce,
    requireIdToken: true,
  });
}

/**
 * Redeems a refresh token (public client).
 * @see RFC 6749 §6
 */
export async function refresh(
  as: oauth.AuthorizationServer,
  clientId: string,
  refreshToken: string,
): Promise<oauth.TokenEndpointResponse> {
  const client: oauth.Client = { client_id: clientId };
  const response = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, INSECURE_LOOPBACK);
  return oauth.processRefreshTokenResponse(as, client, response);
}

/** Options of {@link signInWithReferenceClient}. */
export interface ReferenceSignInOptions extends SignInOptions {
  scope?: string;
  /** Default: the provider's demo API resource. Pass `null` for none. */
  resource?: string | null;
  /** client_id; default the provider's native client. */
  clientId?: string;
}

/** Tokens from a complete reference sign-in. */
export interface ReferenceSignIn {
  as: oauth.AuthorizationServer;
  tokens: oauth.TokenEndpointResponse;
  /** What the browser saw. */
  browserResult: SignInResult;
}

/**
 * A full authorization-code + PKCE sign-in through the bench browser, with no product code.
 * @see RFC 8252 §7.3
 */
export async function signInWithReferenceClient(
  provider: Pick<DevProvider, 'issuer' | 'clientId' | 'resource'>,
  browser: SystemBrowser,
  opts: ReferenceSignInOptions = {},
): Promise<ReferenceSignIn> {
  const as = await discover(provider.issuer);
  const listener = await startCallbackListener();
  try {
    const request = await buildAuthorizationRequest(as, {
      clientId: opts.clientId ?? provider.clientId,
      redirectUri: listener.redirectUri,
      scope: opts.scope,
      resource: opts.resource === null ? undefined : (opts.resource ?? provider.resource),
    });
    const browserResult = await browser.signIn(request.url.href, opts);
    if (!browserResult.redirected) {
      throw new Error(`the browser did not come back to the app; it ended at: ${browserResult.text.slice(0, 200)}`);
    }
    const tokens = await exchangeCode(as, request, await listener.nextCallback());
    return { as, tokens, browserResult };
  } finally {
    await listener.close();
  }
}
