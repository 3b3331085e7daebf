/**
 * The client credentials grant (RFC 6749 §4.4), for confidential clients only: server-to-server
 * scripts and CI jobs that reuse this tool's CLI (`token --client-credentials`,
 * `call --client-credentials`). There is no user; the client acts on its own behalf.
 *
 * The desktop app never constructs this module: an app installed on users' machines cannot keep a
 * secret (RFC 8252 §8.5, CHECKLIST N10), so only the CLI composition root imports it (a test
 * checks that). The secret comes from `OAUTH_CLIENT_SECRET` or the OS keychain (service
 * `config.keychainService`, account `client-secret <issuer> <client_id>`), never from a
 * command-line argument: argv lands in shell history and is readable by other users of the machine
 * (`ps`, `/proc/PID/cmdline`). The config file refuses a `clientSecret` key for the same reason.
 *
 * Access tokens are cached until shortly before expiry, in memory and in one keychain entry
 * (`client-credentials-token <issuer> <client_id>`), so a script that runs every minute does not
 * ask the provider every minute.
 */
import { inspect } from 'node:util';
import * as oauth from 'oauth4webapi';
import { type Clock, type FetchLike, type Logger, type SecretStore, type SettingsStore, silentLogger, systemClock } from '../platform/ports';
import { assertAllowedApiUrl, DEFAULT_API_MAX_RESPONSE_BYTES, DEFAULT_API_TIMEOUT_MS, isInvalidTokenChallenge, sendApiRequest } from './api-call';
import type { AppConfig } from './config';
import { type DiscoveredProvider, discoverProvider } from './discovery';
import { AuthError, isAuthError, toAuthError } from './errors';
import type { ApiRequest, ApiResponse } from './snapshot';

/** Environment variable holding the client secret. */
export const CLIENT_SECRET_ENV = 'OAUTH_CLIENT_SECRET';

/** A cached token is not used in its last minute: it could expire on the way to the API. */
export const EXPIRY_MARGIN_MS = 60_000;

/** Scopes about the signed-in *user* (OIDC Core §5.4, §11): meaningless without a user. */
const USER_SCOPES = new Set(['openid', 'profile', 'email', 'address', 'phone', 'offline_access']);

/** Command-line flags that would carry a secret; refused by {@link refuseSecretArguments}. */
const SECRET_FLAGS = /^--?(client[-_]?secret|secret|client[-_]?password)(=|$)/i;

/** Keychain account of the client secret: `client-secret <issuer> <client_id>`. */
export function clientSecretAccount(config: Pick<AppConfig, 'issuer' | 'clientId'>): string {
  return `client-secret ${config.issuer} ${config.clientId}`;
}

/** Keychain account of the cached access token. */
export function cachedTokenAccount(config: Pick<AppConfig, 'issuer' | 'clientId'>): string {
  return `client-credentials-token ${config.issuer} ${config.clientId}`;
}

/**
 * Throws `config_invalid` when the command line carries a secret (`--client-secret x`,
 * `--client-secret=x`, …). Call it before parsing anything else, for every command.
 *
 * @see RFC 6819 §5.3.3 ("keep secrets out of logs and process arguments" in spirit), RFC 8252 §8.5
 */
export function refuseSecretArguments(argv: readonly string[]): void {
  const offending = argv.find((arg) => SECRET_FLAGS.test(arg));
  if (!offending) return;
  const flag = offending.split('=')[0];
  throw new AuthError(
    'config_invalid',
    `${flag} is not accepted: a secret on the command line is saved in your shell history and can be read by other ` +
      'users of this computer in the process list (ps, /proc/<pid>/cmdline). Put it in the OAUTH_CLIENT_SECRET ' +
      'environment variable, or store it in the keychain once with `npm run cli -- client-secret set` (reads it from stdin).',
  );
}

/**
 * The scopes a client-credentials request asks for: an explicit list, else the configured scopes
 * without the user-identity ones (openid, profile, email, offline_access…). Empty = the provider's
 * default for the client (no `scope` parameter, RFC 6749 §4.4.2).
 */
export function clientCredentialsScopes(config: Pick<AppConfig, 'scopes'>, explicit?: readonly string[]): string[] {
  if (explicit) return [...new Set(explicit)];
  return config.scopes.filter((s) => !USER_SCOPES.has(s));
}

/** An access token from the client credentials grant. The token itself is hidden from logs and JSON. */
export class ClientCredentialsToken {
  readonly #accessToken: string;

  constructor(
    accessToken: string,
    /** Epoch ms, or null when the provider did not say (such a token is never cached). */
    readonly expiresAt: number | null,
    /** Granted scopes (the requested ones when the response omits `scope`). */
    readonly scopes: readonly string[],
    /** Where it came from this time: a new token request, or one of the caches. */
    readonly source: 'provider' | 'memory' | 'keychain',
  ) {
    this.#accessToken = accessToken;
  }

  /** The bearer token. Secret: never log or print it (only `token --raw` writes it, on request). */
  get accessToken(): string {
    return this.#accessToken;
  }
  toJSON(): Record<string, unknown> {
    return { expiresAt: this.expiresAt, scopes: this.scopes, source: this.source, accessToken: '[redacted]' };
  }
  [inspect.custom](): string {
    return `ClientCredentialsToken ${JSON.stringify(this.toJSON())}`;
  }
  toString(): string {
    return 'ClientCredentialsToken [redacted]';
  }
}

export interface ClientCredentialsDeps {
  fetch: FetchLike;
  secrets: SecretStore;
  /** Discovery cache (non-secret settings), as for the browser flow. */
  settings: SettingsStore;
  /** Where `OAUTH_CLIENT_SECRET` is read from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  clock?: Clock;
  logger?: Logger;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  /** A provider discovered already (tests, or a caller that has one). */
  provider?: DiscoveredProvider;
}

export interface ClientCredentialsOptions {
  /** Scopes to ask for (default {@link clientCredentialsScopes}). */
  scopes?: readonly string[];
}

/** A token source for one confidential client. Create one per process; it caches. */
export interface ClientCredentialsClient {
  /** A valid token: from memory, the keychain, or a new request. `forceNew` skips both caches. */
  getToken(options?: { forceNew?: boolean; signal?: AbortSignal }): Promise<ClientCredentialsToken>;
  /** Removes the cached token (memory and keychain). Resolves true when a keychain entry was removed. */
  clearCache(): Promise<boolean>;
}

interface CacheRecord {
  v: 1;
  at: string;
  exp: number;
  /** Requested scopes and resources: a cached token is reused only for the same request. */
  req: string;
  scp: string;
}

/**
 * Creates the client-credentials token source for a config (a confidential client's client_id).
 *
 * @see RFC 6749 §4.4, §2.3.1 (client_secret_basic), RFC 8707 (resource)
 */
export function createClientCredentialsClient(
  config: AppConfig,
  deps: ClientCredentialsDeps,
  options: ClientCredentialsOptions = {},
): ClientCredentialsClient {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger;
  const scopes = clientCredentialsScopes(config, options.scopes);
  const requestKey = JSON.stringify([scopes, config.resources]);
  const account = cachedTokenAccount(config);
  let memory: ClientCredentialsToken | null = null;
  let inflight: Promise<ClientCredentialsToken> | null = null;

  const fresh = (expiresAt: number | null): expiresAt is number => expiresAt !== null && expiresAt - EXPIRY_MARGIN_MS > clock.now();

  async function fromKeychain(): Promise<ClientCredentialsToken | null> {
    let raw: string | null;
    try {
      raw = await deps.secrets.get(config.keychainService, account);
    } catch (error) {
      logger.warn('client credentials: token cache unreadable', { code: isAuthError(error) ? error.code : 'internal' });
      return null;
    }
    if (raw === null) return null;
    const record = parseCache(raw);
    if (!record || record.req !== requestKey || !fresh(record.exp)) return null;
    return new ClientCredentialsToken(record.at, record.exp, record.scp.split(' ').filter(Boolean), 'keychain');
  }

  async function request(signal?: AbortSignal): Promise<ClientCredentialsToken> {
    const secret = await resolveClientSecret(config, deps);
    const provider = deps.provider ?? (await discoverProvider(config, { ...deps, clock, logger }));
    const client: oauth.Client = { client_id: config.clientId };
    const clientAuth = chooseClientAuth(provider.as, secret);
    const parameters = new URLSearchParams();
    if (scopes.length > 0) parameters.set('scope', scopes.join(' '));
    for (const resource of config.resources) parameters.append('resource', resource);
    let tokens: oauth.TokenEndpointResponse;
    let receivedAt: number;
    try {
      const response = await oauth.clientCredentialsGrantRequest(provider.as, client, clientAuth, parameters, {
        ...provider.http.tokenEndpointOptions,
        signal,
      });
      receivedAt = clock.now();
      tokens = await oauth.processClientCredentialsResponse(provider.as, client, response);
    } catch (error) {
      const mapped = toAuthError(error, 'client credentials');
      // RFC 6749 §5.2: failed client authentication is a 401 whose WWW-Authenticate names the
      // scheme the client used (Basic) — oauth4webapi reports it as a challenge, not a body error.
      const basicChallenge =
        error instanceof oauth.WWWAuthenticateChallengeError && error.response.status === 401 && error.cause.some((c) => c.scheme === 'basic');
      if (mapped.code === 'invalid_client' || basicChallenge) {
        throw new AuthError(
          'invalid_client',
          'The provider refused the client credentials (invalid_client). Check OAUTH_CLIENT_ID and the client secret, ' +
            'and that the client is registered as confidential with the client_credentials grant.',
          { cause: error },
        );
      }
      throw mapped;
    }
    const expiresAt = typeof tokens.expires_in === 'number' ? receivedAt + tokens.expires_in * 1000 : null;
    const granted = tokens.scope ? tokens.scope.split(' ').filter(Boolean) : scopes;
    const token = new ClientCredentialsToken(tokens.access_token, expiresAt, granted, 'provider');
    if (fresh(expiresAt)) {
      const record: CacheRecord = { v: 1, at: tokens.access_token, exp: expiresAt, req: requestKey, scp: granted.join(' ') };
      try {
        await deps.secrets.set(config.keychainService, account, JSON.stringify(record));
      } catch (error) {
        // The cache is an optimisation: a script with OAUTH_CLIENT_SECRET still works without it.
        logger.warn('client credentials: token not cached in the keychain', { code: isAuthError(error) ? error.code : 'internal' });
      }
    }
    return token;
  }

  return {
    async getToken(opts = {}) {
      if (!opts.forceNew) {
        if (memory && fresh(memory.expiresAt)) return new ClientCredentialsToken(memory.accessToken, memory.expiresAt, memory.scopes, 'memory');
        if (inflight) return inflight;
      }
      // Single flight: concurrent callers in one process share one token request.
      const run = (async () => {
        const cached = opts.forceNew ? null : await fromKeychain();
        const token = cached ?? (await request(opts.signal));
        memory = fresh(token.expiresAt) ? token : null;
        return token;
      })();
      inflight = run;
      try {
        return await run;
      } finally {
        if (inflight === run) inflight = null;
      }
    },
    async clearCache() {
      memory = null;
      return deps.secrets.delete(config.keychainService, account);
    },
  };
}

/**
 * The access token for `call` and other callers that just need the bearer value.
 *
 * @see RFC 6750 §2.1
 */
export async function clientCredentialsBearer(config: AppConfig, deps: ClientCredentialsDeps, options?: ClientCredentialsOptions): Promise<string> {
  return (await createClientCredentialsClient(config, deps, options).getToken()).accessToken;
}

/**
 * `call --client-credentials`: the same origin allow-list, timeout and size cap as the session's
 * `callApi`, with the client's token. One retry with a new token when the API answers
 * `invalid_token` (the cached token was revoked early).
 *
 * @see RFC 6750 §3.1
 */
export async function callApiWithClientCredentials(
  config: AppConfig,
  deps: ClientCredentialsDeps & { apiTimeoutMs?: number; maxResponseBytes?: number },
  request: ApiRequest,
  client: ClientCredentialsClient = createClientCredentialsClient(config, deps),
): Promise<ApiResponse> {
  // Checked before any token is touched: the token never goes to an origin not configured.
  const url = assertAllowedApiUrl(config, request);
  const transport = {
    fetch: deps.fetch,
    timeoutMs: deps.apiTimeoutMs ?? DEFAULT_API_TIMEOUT_MS,
    maxResponseBytes: deps.maxResponseBytes ?? DEFAULT_API_MAX_RESPONSE_BYTES,
  };
  const first = await client.getToken();
  const response = await sendApiRequest(transport, url, request, first.accessToken);
  if (!isInvalidTokenChallenge(response) || first.source === 'provider') return response;
  const renewed = await client.getToken({ forceNew: true });
  return sendApiRequest(transport, url, request, renewed.accessToken);
}

/**
 * The client secret: `OAUTH_CLIENT_SECRET` first, then the keychain. Throws `config_invalid` when
 * there is none, `storage_unavailable` when only the keychain could have it and cannot be read.
 */
export async function resolveClientSecret(
  config: Pick<AppConfig, 'issuer' | 'clientId' | 'keychainService'>,
  deps: Pick<ClientCredentialsDeps, 'secrets' | 'env'>,
): Promise<string> {
  const fromEnv = (deps.env ?? process.env)[CLIENT_SECRET_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  let stored: string | null;
  try {
    stored = await deps.secrets.get(config.keychainService, clientSecretAccount(config));
  } catch (error) {
    if (isAuthError(error, 'storage_unavailable')) {
      throw new AuthError('storage_unavailable', `${error.message} Or set ${CLIENT_SECRET_ENV} for this run.`, { cause: error });
    }
    throw error;
  }
  if (stored) return stored;
  throw new AuthError(
    'config_invalid',
    `No client secret for ${config.clientId}: set ${CLIENT_SECRET_ENV}, or store it in the keychain once with ` +
      '`npm run cli -- client-secret set` (reads it from stdin). It is never accepted as a command-line argument.',
  );
}

/** Stores the client secret in the keychain (`client-secret set`). */
export async function storeClientSecret(config: Pick<AppConfig, 'issuer' | 'clientId' | 'keychainService'>, secrets: SecretStore, secret: string): Promise<void> {
  if (secret === '' || /[\r\n\0]/.test(secret)) {
    throw new AuthError('config_invalid', 'The client secret is empty or contains line breaks.');
  }
  await secrets.set(config.keychainService, clientSecretAccount(config), secret);
}

/** Removes the stored secret and the cached token (`client-secret delete`). Resolves true if a secret was removed. */
export async function deleteClientSecret(config: Pick<AppConfig, 'issuer' | 'clientId' | 'keychainService'>, secrets: SecretStore): Promise<boolean> {
  await secrets.delete(config.keychainService, cachedTokenAccount(config));
  return secrets.delete(config.keychainService, clientSecretAccount(config));
}

/**
 * client_secret_basic unless the provider advertises only client_secret_post (RFC 6749 §2.3.1:
 * servers MUST support basic). Other methods (private_key_jwt, mTLS) are not offered here.
 */
function chooseClientAuth(as: oauth.AuthorizationServer, secret: string): oauth.ClientAuth {
  const methods = as.token_endpoint_auth_methods_supported;
  if (!Array.isArray(methods) || methods.includes('client_secret_basic')) return oauth.ClientSecretBasic(secret);
  if (methods.includes('client_secret_post')) return oauth.ClientSecretPost(secret);
  throw new AuthError(
    'provider_unsupported',
    'The provider accepts neither client_secret_basic nor client_secret_post at its token endpoint; this tool supports only those for client credentials.',
  );
}

function parseCache(raw: string): CacheRecord | null {
  try {
    const r = JSON.parse(raw) as Partial<CacheRecord>;
    if (r.v !== 1 || typeof r.at !== 'string' || typeof r.exp !== 'number' || typeof r.req !== 'string' || typeof r.scp !== 'string') return null;
    return r as CacheRecord;
  } catch {
    return null;
  }
}
