/**
 * The demo API: a small protected resource server on 127.0.0.1 that accepts only JWT access
 * tokens issued by the bench provider for its audience (RFC 9068 profile, checked with jose).
 *
 * Public API:
 * - `startResourceServer(opts): Promise<ResourceServer>`
 * - `ResourceServer`: `origin`, `port`, `audience`, `counts`, `countsByPath`, `resetCounts()`,
 *   `fail(endpoint, fault, opts?)`, `resetFaults()`, `stop()`, `restart()`, `close()`
 * - Routes: `GET /me` (any valid token) → `{ sub, scopes, clientId, message }`;
 *   `GET /items` (needs `api:read`) → `{ items: [...] }`; anything else → 404.
 *   A missing/invalid/expired token → 401 `WWW-Authenticate: Bearer error="invalid_token"`
 *   (no header error when no token was sent, RFC 6750 §3.1); a valid token without the needed
 *   scope → 403 `error="insufficient_scope"`.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import { type ControlledServer, type Fault, type FaultOptions, startControlledServer } from './controlled-server';

export type { Fault, FaultOptions } from './controlled-server';

/** Options of {@link startResourceServer}. */
export interface ResourceServerOptions {
  /** Takes issuer, JWKS URI and audience from a bench provider (explicit fields win). */
  provider?: { issuer: string; jwksUri: string; resource: string };
  /** Expected `iss` of access tokens. Required without `provider`. */
  issuer?: string;
  /** Where to fetch signing keys. Default `provider.jwksUri`, else `${issuer}/jwks`. */
  jwksUri?: string;
  /** Expected `aud`: the resource indicator the tokens were issued for. Required without `provider`. */
  audience?: string;
  /** Scope `/items` needs. Default `api:read`. */
  requiredScope?: string;
  /** Port on 127.0.0.1; 0 (default) lets the OS choose. */
  port?: number;
  /** Allowed clock skew in seconds for exp/nbf. Default 0: an expired token is refused at once. */
  clockToleranceSec?: number;
}

/** Endpoint names of `counts`. */
export type ResourceEndpointName = 'me' | 'items' | 'other';

/** A running demo API. */
export interface ResourceServer {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  readonly port: number;
  readonly audience: string;
  /** Requests per endpoint (live). */
  readonly counts: Readonly<Record<ResourceEndpointName, number>>;
  readonly countsByPath: Readonly<Record<string, number>>;
  /** Outcomes: accepted tokens and each kind of refusal (live). */
  readonly outcomes: { ok: number; noToken: number; invalidToken: number; insufficientScope: number };
  readonly running: boolean;
  resetCounts(): void;
  fail(endpoint: ResourceEndpointName, fault: Fault, opts?: FaultOptions): void;
  resetFaults(): void;
  stop(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

const ITEMS = [
  { id: 1, title: 'Read RFC 8252' },
  { id: 2, title: 'Use PKCE (RFC 7636)' },
  { id: 3, title: 'Keep refresh tokens in the OS keychain' },
];

/**
 * Starts the demo API.
 * @see RFC 6750 §3 (WWW-Authenticate), RFC 9068 (JWT access tokens), RFC 8707 (audience)
 */
export async function startResourceServer(opts: ResourceServerOptions): Promise<ResourceServer> {
  const issuer = opts.issuer ?? opts.provider?.issuer;
  const audience = opts.audience ?? opts.provider?.resource;
  if (!issuer || !audience) throw new TypeError('startResourceServer needs `provider`, or `issuer` and `audience`');
  const jwks = createRemoteJWKSet(new URL(opts.jwksUri ?? opts.provider?.jwksUri ?? `${issuer}/jwks`));
  const requiredScope = opts.requiredScope ?? 'api:read';
  const outcomes = { ok: 0, noToken: 0, invalidToken: 0, insufficientScope: 0 };

  const refuse = (res: ServerResponse, status: 401 | 403, error?: string, description?: string) => {
    const params = ['realm="demo-api"'];
    if (error) params.push(`error="${error}"`);
    if (description) params.push(`error_description="${description}"`);
    if (error === 'insufficient_scope') params.push(`scope="${requiredScope}"`);
    sendJson(res, status, { error: error ?? 'unauthorized' }, { 'www-authenticate': `Bearer ${params.join(', ')}` });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/me' && path !== '/items') {
      sendJson(res, 404, { error: 'not_found' });
      return;
    }
    if (req.method !== 'GET') {
      sendJson(res, 405, { error: 'method_not_allowed' }, { allow: 'GET' });
      return;
    }
    const auth = req.headers.authorization;
    if (!auth) {
      outcomes.noToken += 1;
      refuse(res, 401);
      return;
    }
    const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(auth);
    if (!match?.[1]) {
      outcomes.invalidToken += 1;
      refuse(res, 401, 'invalid_request', 'malformed Authorization header');
      return;
    }
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(match[1], jwks, {
        issuer,
        audience,
        // RFC 9068 §2.1: access tokens are typed, so an ID token cannot pass for one.
        typ: 'at+jwt',
        algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
        clockTolerance: opts.clockToleranceSec ?? 0,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      outcomes.invalidToken += 1;
      const reason = err instanceof joseErrors.JWTExpired ? 'token expired' : 'token rejected';
      refuse(res, 401, 'invalid_token', reason);
      return;
    }
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    if (path === '/items' && !scopes.includes(requiredScope)) {
      outcomes.insufficientScope += 1;
      refuse(res, 403, 'insufficient_scope');
      return;
    }
    outcomes.ok += 1;
    if (path === '/me') {
      sendJson(res, 200, {
        sub: payload.sub,
        scopes,
        clientId: payload.client_id,
        message: `Hello ${String(payload.sub)}, the demo API accepted your access token.`,
      });
    } else {
      sendJson(res, 200, { items: ITEMS });
    }
  };

  const server: ControlledServer = await startControlledServer({
    port: opts.port,
    classify: (pathname) => (pathname === '/me' ? 'me' : pathname === '/items' ? 'items' : 'other'),
    endpoints: ['me', 'items', 'other'],
    handler: (req, res) => {
      req.resume();
      handle(req, res).catch(() => {
        if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
        else res.destroy();
      });
    },
  });

  return {
    origin: server.origin,
    port: server.port,
    audience,
    counts: server.counts as Record<ResourceEndpointName, number>,
    countsByPath: server.countsByPath,
    outcomes,
    get running() {
      return server.running;
    },
    resetCounts: () => {
      server.resetCounts();
      for (const key of Object.keys(outcomes) as Array<keyof typeof outcomes>) outcomes[key] = 0;
    },
    fail: (endpoint, fault, faultOpts) => server.fail(endpoint, fault, faultOpts),
    resetFaults: () => server.resetFaults(),
    stop: () => server.stop(),
    restart: () => server.restart(),
    close: () => server.close(),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}
