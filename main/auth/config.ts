/**
 * Configuration: which provider, which client, which scopes, where the redirect lands.
 *
 * Read from, in order of precedence: command-line flags, environment variables, a JSON config file
 * ({@link defaultConfigFile}: the app's user-data folder, shared by the app and the CLI). Validated
 * once, here, with messages that say exactly what to change. Everything downstream receives an
 * {@link AppConfig} and never re-reads the environment.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AuthError } from './errors';

export type RedirectHost = '127.0.0.1' | '::1' | 'localhost';

/** The validated configuration. */
export interface AppConfig {
  /** Issuer identifier, exactly as the provider's metadata names it (no trailing-slash games). */
  issuer: string;
  clientId: string;
  scopes: string[];
  /** RFC 8707 resource indicators sent with the authorization and token requests. */
  resources: string[];
  /** Origins `callApi` may attach the access token to; anything else is refused (issue 4). */
  apiOrigins: string[];
  redirectHost: RedirectHost;
  redirectPath: string;
  /** 0 = OS-chosen (RFC 8252 §7.3); a fixed port only for providers that match registered URIs exactly. */
  redirectPort: number;
  keychainService: string;
  /** RFC 8628 device grant, opt-in because of device-code phishing (RFC 8628 §5.4). */
  deviceFlow: boolean;
  /** Open the provider's end_session_endpoint in the browser on sign-out (OIDC RP-Initiated Logout). */
  logoutInBrowser: boolean;
  /**
   * True only when the issuer is an http:// loopback URL (the demo and test providers). The single
   * switch that lets oauth4webapi talk plain http, and only to such an issuer (CHECKLIST S7).
   */
  insecureLoopbackIssuer: boolean;
}

/** Where each setting came from, for `doctor` and error messages. */
export interface ConfigSources {
  /** Parsed command-line flags (camelCase keys, see {@link CONFIG_KEYS}). */
  flags?: Partial<Record<ConfigKey, string | string[] | boolean>>;
  env?: Record<string, string | undefined>;
  /** Path of the JSON config file; missing file is fine, unreadable/invalid JSON is an error. */
  file?: string | null;
}

/** Setting name → environment variable. The JSON file and flags use the camelCase names. */
export const CONFIG_KEYS = {
  issuer: 'OAUTH_ISSUER',
  clientId: 'OAUTH_CLIENT_ID',
  scope: 'OAUTH_SCOPE',
  resource: 'OAUTH_RESOURCE',
  apiOrigins: 'OAUTH_API_ORIGINS',
  redirectHost: 'OAUTH_REDIRECT_HOST',
  redirectPath: 'OAUTH_REDIRECT_PATH',
  redirectPort: 'OAUTH_REDIRECT_PORT',
  keychainService: 'OAUTH_KEYCHAIN_SERVICE',
  deviceFlow: 'OAUTH_DEVICE_FLOW',
  logoutInBrowser: 'OAUTH_LOGOUT_IN_BROWSER',
  grant: 'OAUTH_GRANT',
} as const;
export type ConfigKey = keyof typeof CONFIG_KEYS;

export const DEFAULT_SCOPE = 'openid profile email offline_access';

/**
 * The per-user config folder, the same one Electron uses as `app.getPath('userData')` for an app
 * named `oauth-desktop`, so the app and the CLI read one file.
 */
export function defaultUserDataDir(env: Record<string, string | undefined> = process.env): string {
  if (process.platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'oauth-desktop');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'oauth-desktop');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'oauth-desktop');
}

/** `<user data>/config.json`. */
export function defaultConfigFile(env: Record<string, string | undefined> = process.env): string {
  return join(defaultUserDataDir(env), 'config.json');
}

/** Merges flags > env > file and validates. Throws `AuthError('config_invalid' | 'grant_refused')`. */
export function loadConfig(sources: ConfigSources): AppConfig {
  const file = sources.file ? readConfigFile(sources.file) : {};
  const env = sources.env ?? {};
  const pick = (key: ConfigKey): unknown => {
    const flag = sources.flags?.[key];
    if (flag !== undefined) return flag;
    const fromEnv = env[CONFIG_KEYS[key]];
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
    return file[key];
  };
  return validateConfig({
    issuer: pick('issuer'),
    clientId: pick('clientId'),
    scope: pick('scope'),
    resource: pick('resource'),
    apiOrigins: pick('apiOrigins'),
    redirectHost: pick('redirectHost'),
    redirectPath: pick('redirectPath'),
    redirectPort: pick('redirectPort'),
    keychainService: pick('keychainService'),
    deviceFlow: pick('deviceFlow'),
    logoutInBrowser: pick('logoutInBrowser'),
    grant: pick('grant'),
  });
}

/** Validates raw values (strings from env/flags, or JSON values from the file). */
export function validateConfig(raw: Partial<Record<ConfigKey, unknown>>): AppConfig {
  refuseLegacyGrant(raw.grant);

  const issuerText = requiredString(raw.issuer, 'issuer');
  const issuer = parseUrl(issuerText, 'issuer');
  const insecureLoopbackIssuer = issuer.protocol === 'http:' && isLoopbackHostname(issuer.hostname);
  if (issuer.protocol !== 'https:' && !insecureLoopbackIssuer) {
    throw invalid('OAUTH_ISSUER must be an https URL; http is allowed only for loopback issuers (127.0.0.1, [::1], localhost).');
  }
  if (issuer.search || issuer.hash) throw invalid('OAUTH_ISSUER must not contain a query or fragment (RFC 8414 §2).');

  const clientId = requiredString(raw.clientId, 'clientId');
  const scopes = list(raw.scope ?? DEFAULT_SCOPE, ' ');
  if (!scopes.includes('openid')) {
    throw invalid('OAUTH_SCOPE must include "openid": the app identifies the user from the ID token (OpenID Connect Core §3.1.2.1).');
  }
  const resources = list(raw.resource, ' ').map((r) => {
    const u = parseUrl(r, 'resource');
    if (u.hash) throw invalid('OAUTH_RESOURCE values must be absolute URIs without a fragment (RFC 8707 §2).');
    return r;
  });
  const apiOrigins = list(raw.apiOrigins, ',').map((o) => {
    const u = parseUrl(o, 'apiOrigins');
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopbackHostname(u.hostname))) {
      throw invalid(`OAUTH_API_ORIGINS entry "${u.origin}" must be https (http only for loopback).`);
    }
    return u.origin;
  });

  const redirectHost = (optionalString(raw.redirectHost, 'redirectHost') ?? '127.0.0.1').replace(/^\[(.*)\]$/, '$1');
  if (redirectHost !== '127.0.0.1' && redirectHost !== '::1' && redirectHost !== 'localhost') {
    throw invalid('OAUTH_REDIRECT_HOST must be 127.0.0.1 (default), [::1], or localhost (only for providers that demand it; RFC 8252 §8.3).');
  }
  const redirectPath = optionalString(raw.redirectPath, 'redirectPath') ?? '/callback';
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(redirectPath) || redirectPath.includes('//') || /(^|\/)\.\.?(\/|$)/.test(redirectPath)) {
    throw invalid('OAUTH_REDIRECT_PATH must be a plain absolute path such as /callback.');
  }
  const redirectPort = port(raw.redirectPort);
  const keychainService = optionalString(raw.keychainService, 'keychainService') ?? 'oauth-desktop';

  return {
    issuer: issuerText,
    clientId,
    scopes,
    resources,
    apiOrigins,
    redirectHost,
    redirectPath,
    redirectPort,
    keychainService,
    deviceFlow: bool(raw.deviceFlow, 'deviceFlow'),
    logoutInBrowser: bool(raw.logoutInBrowser, 'logoutInBrowser'),
    insecureLoopbackIssuer,
  };
}

/** True for 127.0.0.0/8, ::1 and localhost (RFC 8252 §8.3, RFC 6761 §6.3). */
export function isLoopbackHostname(hostname: string): boolean {
  const h = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Implicit and password grants are never offered (RFC 9700 §2.1.2, §2.4). Configuring one is an
 * error that says why and what to use instead — not a silent fallback.
 */
function refuseLegacyGrant(grant: unknown): void {
  if (grant === undefined || grant === null || grant === '') return;
  const g = String(grant).trim().toLowerCase();
  if (g === 'authorization_code' || g === 'code') return;
  if (g === 'device_code' || g === 'urn:ietf:params:oauth:grant-type:device_code' || g === 'device') return;
  if (g === 'implicit' || g === 'token' || g === 'id_token token') {
    throw new AuthError(
      'grant_refused',
      'The implicit grant is not supported: it returns tokens in the browser URL where other software can read them, ' +
        'and cannot be protected against replay (RFC 9700 §2.1.2). Use the authorization code grant with PKCE (the default).',
    );
  }
  if (g === 'password' || g === 'ropc' || g === 'resource_owner_password') {
    throw new AuthError(
      'grant_refused',
      'The password grant is not supported: it hands the user\'s password to the app and rules out MFA and single sign-on ' +
        '(RFC 9700 §2.4). Use the authorization code grant with PKCE (the default), or the device grant for devices without a browser.',
    );
  }
  if (g === 'client_credentials') {
    throw invalid('The client credentials grant is for server-to-server scripts: use `npm run cli -- token --client-credentials`, not the app.');
  }
  throw invalid(`OAUTH_GRANT "${g.slice(0, 40)}" is not a grant this app knows. Use authorization_code (default) or device_code.`);
}

function readConfigFile(path: string): Partial<Record<ConfigKey, unknown>> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw invalid(`The config file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw invalid(`The config file ${path} is not valid JSON.`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw invalid(`The config file ${path} must hold a JSON object.`);
  const known = new Set<string>(Object.keys(CONFIG_KEYS));
  const unknown = Object.keys(data).filter((k) => !known.has(k));
  if (unknown.length) {
    throw invalid(`The config file ${path} has unknown keys: ${unknown.slice(0, 5).join(', ')}. Known keys: ${[...known].join(', ')}.`);
  }
  if ('clientSecret' in data) throw invalid('A client secret never belongs in the config file.');
  return data as Partial<Record<ConfigKey, unknown>>;
}

function invalid(message: string): AuthError {
  return new AuthError('config_invalid', message);
}

function envName(key: ConfigKey): string {
  return CONFIG_KEYS[key];
}

function requiredString(value: unknown, key: ConfigKey): string {
  const s = optionalString(value, key);
  if (s === undefined) throw invalid(`${envName(key)} is required (flag --${kebab(key)}, environment variable, or "${key}" in the config file).`);
  return s;
}

function optionalString(value: unknown, key: ConfigKey): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${envName(key)} must be a string.`);
  const s = value.trim();
  return s === '' ? undefined : s;
}

function list(value: unknown, separator: string): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value.map(String) : String(value).split(separator === ' ' ? /\s+/ : /[\s,]+/);
  return [...new Set(items.map((s) => s.trim()).filter(Boolean))];
}

function parseUrl(text: string, key: ConfigKey): URL {
  try {
    return new URL(text);
  } catch {
    throw invalid(`${envName(key)} must be an absolute URL (got something that is not a URL).`);
  }
}

function port(value: unknown): number {
  if (value === undefined || value === null || value === '') return 0;
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw invalid('OAUTH_REDIRECT_PORT must be 0 (any free port, the default) or a port number 1–65535.');
  return n;
}

function bool(value: unknown, key: ConfigKey): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (typeof value === 'boolean') return value;
  const s = String(value).trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off'].includes(s)) return false;
  throw invalid(`${envName(key)} must be 1/true or 0/false.`);
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
