/**
 * The bench and demo authorization server: panva's oidc-provider on 127.0.0.1, configured the way
 * RFC 8252 wants a native app's AS to be, plus controls for tests.
 *
 * Public API:
 * - `startDevProvider(opts?: DevProviderOptions): Promise<DevProvider>`
 * - `DevProvider`: `issuer`, `port`, `clientId`, `resource`, `resourceScopes`, `discoveryUrl`,
 *   `jwksUri`, `counts`, `countsByPath`, `resetCounts()`, `stats`, `serverErrors`,
 *   `failTokenEndpoint(fault, opts?)`, `failEndpoint(name, fault, opts?)`, `resetFaults()`,
 *   `revokeGrant(accountOrGrantId)`, `stop()`, `restart()`, `close()`
 * - constants: `DEFAULT_CLIENT_ID`, `DEMO_API_RESOURCE`, `DEMO_API_SCOPES`, `LOOPBACK_REDIRECT_URIS`,
 *   `CLI_CLIENT`, `WEB_CLIENT`, `NO_DEVICE_CLIENT`
 * - re-exports the {@link Fault} type and the demo accounts.
 *
 * Never shipped in the app: only tests, `npm start` (the demo) and benchmarks import it.
 *
 * @module
 */
import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import Provider, { errors, type OidcContext } from 'oidc-provider';
import { findAccount } from './accounts';
import { type ControlledServer, type Fault, type FaultOptions, startControlledServer } from './controlled-server';
import { createSecretRecorder, recordSecretsMiddleware } from './leak-recorder';
import { createMemoryStore } from './memory-store';

export type { Fault, FaultOptions } from './controlled-server';
export { DEMO_ACCOUNTS, type DemoAccount, findDemoAccount } from './accounts';

/** The desktop app's client id at the bench provider. */
export const DEFAULT_CLIENT_ID = 'oauth-desktop';

/**
 * Resource indicator (RFC 8707) of the demo API. A URN rather than the API's URL so the provider
 * and the API can start in any order on any port; it is the `aud` of the API's access tokens.
 */
export const DEMO_API_RESOURCE = 'urn:oauth-desktop:demo-api';

/** Scopes the demo API understands. */
export const DEMO_API_SCOPES = ['api:read', 'api:write'] as const;

/**
 * Loopback redirect URIs registered without a port: oidc-provider lets a `native` client use any
 * port on them (RFC 8252 §7.3); the host must match literally.
 */
export const LOOPBACK_REDIRECT_URIS = ['http://127.0.0.1/callback', 'http://[::1]/callback'] as const;

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Client metadata as oidc-provider takes it (RFC 7591 names). */
export type ClientMetadata = Record<string, unknown> & { client_id: string };

/** A confidential client for the client-credentials grant (RFC 6749 §4.4), e.g. a CLI or CI job. */
export const CLI_CLIENT: ClientMetadata = {
  client_id: 'oauth-desktop-cli',
  client_secret: 'oauth-desktop-cli-secret',
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  token_endpoint_auth_method: 'client_secret_basic',
};

/** A `web` client with portless loopback redirect URIs: any port the app picks is refused. */
export const WEB_CLIENT: ClientMetadata = {
  client_id: 'oauth-desktop-web',
  application_type: 'web',
  token_endpoint_auth_method: 'none',
  redirect_uris: [...LOOPBACK_REDIRECT_URIS],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
};

/** A native client that may not use the device grant (RFC 8628): device authorization is refused. */
export const NO_DEVICE_CLIENT: ClientMetadata = {
  client_id: 'oauth-desktop-no-device',
  application_type: 'native',
  token_endpoint_auth_method: 'none',
  redirect_uris: [...LOOPBACK_REDIRECT_URIS],
  post_logout_redirect_uris: [...LOOPBACK_REDIRECT_URIS],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
};

const PRESET_CLIENTS = { cli: CLI_CLIENT, web: WEB_CLIENT, 'no-device': NO_DEVICE_CLIENT } as const;

/** Token lifetimes in seconds. */
export interface DevProviderTtl {
  /** Access tokens, opaque or JWT for the demo API. Default 600. */
  accessToken?: number;
  /** ID tokens. Default 600. */
  idToken?: number;
  /** Refresh tokens (each rotation starts a new one). Default 14 days. */
  refreshToken?: number;
  /** Authorization codes. Default 60. */
  authorizationCode?: number;
  /** Device codes (RFC 8628). Default 600. */
  deviceCode?: number;
  /** Client-credentials tokens. Default: same as `accessToken`. */
  clientCredentials?: number;
}

/** Options of {@link startDevProvider}. Every field is optional. */
export interface DevProviderOptions {
  /** Port on 127.0.0.1; 0 (default) lets the OS choose. The issuer is `http://127.0.0.1:PORT`. */
  port?: number;
  /** client_id of the public native client. Default {@link DEFAULT_CLIENT_ID}. */
  clientId?: string;
  /** More clients: a preset name or full metadata. */
  extraClients?: Array<keyof typeof PRESET_CLIENTS | ClientMetadata>;
  /** Token lifetimes in seconds. */
  ttl?: DevProviderTtl;
  /** Resource indicator of the demo API. Default {@link DEMO_API_RESOURCE}. */
  resource?: string;
  /** Scopes of the demo API. Default {@link DEMO_API_SCOPES}. */
  resourceScopes?: readonly string[];
  /**
   * Issue JWT access tokens for the demo API even when the request names no `resource` (like
   * providers with a "default audience"). Default false: no `resource`, an opaque token for userinfo.
   */
  resourceByDefault?: boolean;
  /** Rotate refresh tokens on every use, so reuse revokes the grant (RFC 9700 §4.14.2). Default true. */
  rotateRefreshTokens?: boolean;
  /** Switch capabilities off to test other provider shapes. All default to true. */
  features?: {
    /** RFC 7009 revocation endpoint. */
    revocation?: boolean;
    /** RFC 7662 introspection endpoint. */
    introspection?: boolean;
    /** RFC 8628 device authorization grant. */
    deviceFlow?: boolean;
    /** OIDC RP-initiated logout (`end_session_endpoint`). */
    endSession?: boolean;
    /** `code_challenge_methods_supported` in discovery (PKCE stays required for public clients). */
    pkceAdvertised?: boolean;
    /** RFC 9207: `iss` in authorization responses and `authorization_response_iss_parameter_supported`. */
    iss?: boolean;
  };
  /**
   * Deliberately broken behaviour for negative tests.
   * `authorizationResponseIss`: `'missing'` drops `iss` from responses while discovery still
   * advertises it; `'wrong'` sends another issuer's identifier.
   */
  misbehave?: { authorizationResponseIss?: 'missing' | 'wrong' };
}

/** Endpoint names used by `counts` and `failEndpoint`. */
export type EndpointName =
  | 'discovery'
  | 'jwks'
  | 'authorization'
  | 'interaction'
  | 'token'
  | 'userinfo'
  | 'revocation'
  | 'introspection'
  | 'device_authorization'
  | 'code_verification'
  | 'end_session'
  | 'pushed_authorization_request'
  | 'other';

/** Things the provider did that tests may want to observe. */
export interface DevProviderStats {
  /** A rotated (already used) refresh token came back: the grant was revoked (RFC 9700 §4.14.2). */
  refreshTokenReuseDetected: number;
  /** An authorization code was redeemed twice: the grant was revoked (RFC 6749 §4.1.2). */
  authorizationCodeReuseDetected: number;
  /** Successful refresh-token rotations. */
  refreshTokensRotated: number;
  /** Successful token endpoint responses, by grant type. */
  tokensIssued: Record<string, number>;
  /** Token endpoint error responses, by OAuth `error` code. */
  tokenErrors: Record<string, number>;
}

/** A running bench provider. */
export interface DevProvider {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  readonly issuer: string;
  readonly port: number;
  /** client_id of the public native client. */
  readonly clientId: string;
  /** Resource indicator of the demo API (the `aud` of its access tokens). */
  readonly resource: string;
  readonly resourceScopes: readonly string[];
  /** `ISSUER/.well-known/openid-configuration` */
  readonly discoveryUrl: string;
  readonly jwksUri: string;
  /** Requests per endpoint name (live). */
  readonly counts: Readonly<Record<EndpointName, number>>;
  /** Requests per exact path (live). */
  readonly countsByPath: Readonly<Record<string, number>>;
  resetCounts(): void;
  /** Observed protocol events (live). */
  readonly stats: DevProviderStats;
  /** Errors oidc-provider reported as `server_error` (a bench bug, or a hostile request that found one). */
  readonly serverErrors: Error[];
  /** Whether the port is open. */
  readonly running: boolean;
  /** Makes the token endpoint answer a status, hang, reset the connection or answer slowly. */
  failTokenEndpoint(fault: Fault, opts?: FaultOptions): void;
  /** Same for any endpoint. */
  failEndpoint(endpoint: EndpointName, fault: Fault, opts?: FaultOptions): void;
  /** Removes every injected fault. */
  resetFaults(): void;
  /**
   * Revokes server-side, as an admin would: a grant id, or every grant of an account id. Its
   * refresh and access tokens die with it, so the next refresh fails with `invalid_grant`.
   * Returns how many grants were revoked.
   */
  revokeGrant(accountIdOrGrantId: string): number;
  /** Closes the port (the provider "goes offline"); tokens, grants and sessions are kept. */
  stop(): Promise<void>;
  /** Listens again on the same port with the same state and keys. */
  restart(): Promise<void>;
  /** Stops for good. */
  close(): Promise<void>;
}

const ROUTES: Array<[string, EndpointName]> = [
  ['/.well-known/openid-configuration', 'discovery'],
  ['/jwks', 'jwks'],
  ['/auth', 'authorization'],
  ['/token/revocation', 'revocation'],
  ['/token/introspection', 'introspection'],
  ['/token', 'token'],
  ['/me', 'userinfo'],
  ['/device/auth', 'device_authorization'],
  ['/device', 'code_verification'],
  ['/session/end', 'end_session'],
  ['/request', 'pushed_authorization_request'],
  ['/interaction/', 'interaction'],
];

function classify(pathname: string): EndpointName {
  for (const [path, name] of ROUTES) {
    // Prefix match only where the route has sub-paths (/auth/:uid, /interaction/:uid, /device/...).
    if (pathname === path || (path.endsWith('/') ? pathname.startsWith(path) : pathname.startsWith(`${path}/`))) {
      if (path === '/token' && pathname !== '/token') continue;
      return name;
    }
  }
  return 'other';
}

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * Starts the bench authorization server on 127.0.0.1.
 * @see RFC 8252 (native apps), RFC 7636 (PKCE), RFC 9207 (iss), RFC 8707 (resource), RFC 8628 (device)
 */
export async function startDevProvider(opts: DevProviderOptions = {}): Promise<DevProvider> {
  const clientId = opts.clientId ?? DEFAULT_CLIENT_ID;
  const resource = opts.resource ?? DEMO_API_RESOURCE;
  const resourceScopes = [...(opts.resourceScopes ?? DEMO_API_SCOPES)];
  const features = {
    revocation: true,
    introspection: true,
    deviceFlow: true,
    endSession: true,
    pkceAdvertised: true,
    iss: true,
    ...opts.features,
  };
  const ttl = {
    accessToken: 600,
    idToken: 600,
    refreshToken: 14 * 24 * 3600,
    authorizationCode: 60,
    deviceCode: 600,
    ...opts.ttl,
  };
  // Client-credentials tokens are access tokens too: same lifetime unless told otherwise.
  const clientCredentialsTtl = opts.ttl?.clientCredentials ?? ttl.accessToken;

  // Fresh keys per instance: a token from another bench provider must not verify here.
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' };

  const store = createMemoryStore();
  const serverErrors: Error[] = [];
  const stats: DevProviderStats = {
    refreshTokenReuseDetected: 0,
    authorizationCodeReuseDetected: 0,
    refreshTokensRotated: 0,
    tokensIssued: {},
    tokenErrors: {},
  };

  let provider: Provider | undefined;
  const server: ControlledServer = await startControlledServer({
    port: opts.port,
    classify,
    endpoints: ROUTES.map(([, name]) => name).concat('other'),
    handler: (req, res) => {
      if (!provider) {
        res.writeHead(503).end();
        return;
      }
      callback(req, res);
    },
  });
  const issuer = server.origin;

  const nativeClient: ClientMetadata = {
    client_id: clientId,
    client_name: 'oauth-desktop (demo)',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    redirect_uris: [...LOOPBACK_REDIRECT_URIS],
    post_logout_redirect_uris: [...LOOPBACK_REDIRECT_URIS],
    grant_types: ['authorization_code', 'refresh_token', ...(features.deviceFlow ? [DEVICE_GRANT] : [])],
    response_types: ['code'],
  };
  const clients = [
    nativeClient,
    ...(opts.extraClients ?? []).map((c) => (typeof c === 'string' ? PRESET_CLIENTS[c] : c)),
  ].map((c) =>
    // A client may not list the device grant when the feature is off (oidc-provider refuses it).
    features.deviceFlow ? c : { ...c, grant_types: (c.grant_types as string[] | undefined)?.filter((g) => g !== DEVICE_GRANT) },
  );
  const clientCredentials = clients.some((c) => (c.grant_types as string[] | undefined)?.includes('client_credentials'));

  provider = withoutRepeatedDevWarning(() => new Provider(issuer, {
    adapter: store.adapterFactory,
    clients,
    findAccount,
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    // ID tokens carry the profile/email claims the scopes asked for: an app holding only a JWT
    // access token for the API cannot call userinfo with it (OIDC Core §5.4 allows either place).
    conformIdTokenClaims: false,
    // Code flow only: implicit and hybrid are not offered (RFC 9700 §2.1.2).
    responseTypes: ['code'],
    pkce: { required: () => true },
    rotateRefreshToken: opts.rotateRefreshTokens ?? true,
    clientBasedCORS: () => false,
    ttl: {
      AccessToken: ttl.accessToken,
      IdToken: ttl.idToken,
      RefreshToken: ttl.refreshToken,
      AuthorizationCode: ttl.authorizationCode,
      DeviceCode: ttl.deviceCode,
      ClientCredentials: clientCredentialsTtl,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
    },
    features: {
      devInteractions: { enabled: true },
      deviceFlow: { enabled: features.deviceFlow },
      revocation: { enabled: features.revocation },
      introspection: { enabled: features.introspection },
      rpInitiatedLogout: { enabled: features.endSession },
      clientCredentials: { enabled: clientCredentials },
      userinfo: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string[]) =>
          oneOf ?? (opts.resourceByDefault ? resource : undefined),
        // The token request need not repeat `resource`: the granted one is used (RFC 8707 §2.2).
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
          if (indicator !== resource) throw new errors.InvalidTarget();
          return {
            scope: resourceScopes.join(' '),
            audience: resource,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    renderError: async (ctx: { type: string; body: string }, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><title>Sign-in error</title><h1>Sign-in error</h1><p id="error">${escapeHtml(out.error ?? 'error')}</p><p id="error_description">${escapeHtml(out.error_description ?? '')}</p>`;
    },
  }));

  // The run-wide leak check (T4): off unless OAUTH_DESKTOP_LEAK_DIR is set (dev-provider/leak-recorder.ts).
  const recordSecret = createSecretRecorder();
  if (recordSecret) provider.use(recordSecretsMiddleware(recordSecret));

  provider.use(async (ctx: { path: string; body: unknown }, next: () => Promise<void>) => {
    await next();
    if (ctx.path === '/.well-known/openid-configuration' && ctx.body && typeof ctx.body === 'object') {
      const body = ctx.body as Record<string, unknown>;
      if (!features.iss) delete body.authorization_response_iss_parameter_supported;
      if (!features.pkceAdvertised) delete body.code_challenge_methods_supported;
    }
  });

  // Emitted synchronously before the response is built: mutating `out` changes the redirect.
  provider.on('authorization.success', (_ctx: OidcContext, out: Record<string, unknown>) => {
    const misbehaviour = opts.misbehave?.authorizationResponseIss;
    if (!features.iss || misbehaviour === 'missing') delete out.iss;
    else if (misbehaviour === 'wrong' && 'iss' in out) out.iss = 'http://127.0.0.1:1';
  });
  provider.on('grant.revoked', (ctx: OidcContext) => {
    if (ctx.oidc?.route !== 'token') return;
    const grantType = ctx.oidc.params?.grant_type;
    if (grantType === 'refresh_token') stats.refreshTokenReuseDetected += 1;
    if (grantType === 'authorization_code') stats.authorizationCodeReuseDetected += 1;
  });
  provider.on('refresh_token.consumed', () => {
    stats.refreshTokensRotated += 1;
  });
  provider.on('grant.success', (ctx: OidcContext) => {
    const grantType = String(ctx.oidc?.params?.grant_type ?? 'unknown');
    stats.tokensIssued[grantType] = (stats.tokensIssued[grantType] ?? 0) + 1;
  });
  provider.on('grant.error', (_ctx: OidcContext, err: { error?: string }) => {
    const code = err.error ?? 'unknown';
    stats.tokenErrors[code] = (stats.tokenErrors[code] ?? 0) + 1;
  });
  provider.on('server_error', (_ctx: OidcContext, err: Error) => {
    serverErrors.push(err);
  });

  const callback = provider.callback();

  return {
    issuer,
    port: server.port,
    clientId,
    resource,
    resourceScopes,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    jwksUri: `${issuer}/jwks`,
    counts: server.counts as Record<EndpointName, number>,
    countsByPath: server.countsByPath,
    resetCounts: () => server.resetCounts(),
    stats,
    serverErrors,
    get running() {
      return server.running;
    },
    failTokenEndpoint: (fault, faultOpts) => server.fail('token', fault, faultOpts),
    failEndpoint: (endpoint, fault, faultOpts) => server.fail(endpoint, fault, faultOpts),
    resetFaults: () => server.resetFaults(),
    revokeGrant(accountIdOrGrantId) {
      const own = store.grantIdsOf(accountIdOrGrantId);
      const ids = own.length > 0 ? own : store.hasGrant(accountIdOrGrantId) ? [accountIdOrGrantId] : [];
      for (const id of ids) store.destroyGrant(id);
      return ids.length;
    },
    stop: () => server.stop(),
    restart: () => server.restart(),
    close: () => server.close(),
  };
}

let devWarningShown = false;

/**
 * oidc-provider warns that devInteractions are for development on every construction; a test run
 * builds dozens of providers, so the warning is shown once per process.
 */
function withoutRepeatedDevWarning<T>(build: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    const text = String(args[0]);
    if (text.includes('devInteractions')) {
      if (devWarningShown) return;
      devWarningShown = true;
    }
    warn(...args);
  };
  try {
    return build();
  } finally {
    console.warn = warn;
  }
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
