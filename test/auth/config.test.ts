/**
 * main/auth/config.ts: precedence (flags > env > file), defaults, and the validation messages that
 * say exactly what to change. Real files in a temp dir; no mocks.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SCOPE, defaultConfigFile, isLoopbackHostname, loadConfig, validateConfig } from '../../main/auth/config';
import { AuthError } from '../../main/auth/errors';

const ISSUER = 'https://id.example.com';

function configError(fn: () => unknown): AuthError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    return error as AuthError;
  }
  throw new Error('expected an AuthError');
}

describe('config: defaults and precedence', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'oauth-desktop-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('fills the documented defaults (N3 127.0.0.1, N5 port 0, /callback, default scope, keychain service)', () => {
    const config = loadConfig({ env: { OAUTH_ISSUER: ISSUER, OAUTH_CLIENT_ID: 'app' } });
    expect(config).toEqual({
      issuer: ISSUER,
      clientId: 'app',
      scopes: DEFAULT_SCOPE.split(' '),
      resources: [],
      apiOrigins: [],
      redirectHost: '127.0.0.1',
      redirectPath: '/callback',
      redirectPort: 0,
      keychainService: 'oauth-desktop',
      deviceFlow: false,
      logoutInBrowser: false,
      insecureLoopbackIssuer: false,
    });
  });

  it('flags override environment, environment overrides the file', () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ issuer: 'https://file.example', clientId: 'file-client', scope: 'openid file', redirectPort: 4000 }));
    const config = loadConfig({
      file,
      env: { OAUTH_CLIENT_ID: 'env-client', OAUTH_SCOPE: 'openid env', OAUTH_ISSUER: '' },
      flags: { scope: 'openid flag' },
    });
    expect(config.issuer).toBe('https://file.example'); // empty env var does not mask the file
    expect(config.clientId).toBe('env-client');
    expect(config.scopes).toEqual(['openid', 'flag']);
    expect(config.redirectPort).toBe(4000);
  });

  it('a missing config file is fine; invalid JSON, a non-object and unknown keys are precise errors', () => {
    expect(loadConfig({ file: join(dir, 'absent.json'), env: { OAUTH_ISSUER: ISSUER, OAUTH_CLIENT_ID: 'a' } }).clientId).toBe('a');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    expect(configError(() => loadConfig({ file: bad })).message).toMatch(/is not valid JSON/);
    writeFileSync(bad, '[1,2]');
    expect(configError(() => loadConfig({ file: bad })).message).toMatch(/must hold a JSON object/);
    writeFileSync(bad, JSON.stringify({ issuer: ISSUER, clientId: 'a', redirectPot: 1 }));
    const unknown = configError(() => loadConfig({ file: bad }));
    expect(unknown.code).toBe('config_invalid');
    expect(unknown.message).toMatch(/unknown keys: redirectPot/);
  });

  it('N10 a client secret in the config file is refused', () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ issuer: ISSUER, clientId: 'a', clientSecret: 'shh' }));
    const error = configError(() => loadConfig({ file }));
    expect(error.code).toBe('config_invalid');
    expect(error.message).not.toContain('shh');
  });

  it('defaultConfigFile lives in the per-user config folder', () => {
    if (process.platform === 'linux') {
      expect(defaultConfigFile({ XDG_CONFIG_HOME: '/x/cfg' })).toBe('/x/cfg/oauth-desktop/config.json');
    }
    expect(defaultConfigFile()).toMatch(/oauth-desktop[\\/]config\.json$/);
  });
});

describe('config: validation', () => {
  const base = { issuer: ISSUER, clientId: 'app' };

  it('requires issuer and client id, naming the variable and the flag', () => {
    expect(configError(() => validateConfig({ clientId: 'a' })).message).toMatch(/OAUTH_ISSUER is required.*--issuer/);
    expect(configError(() => validateConfig({ issuer: ISSUER })).message).toMatch(/OAUTH_CLIENT_ID is required.*--client-id/);
  });

  it('S7 an http issuer is refused unless it is loopback; only then is insecureLoopbackIssuer set', () => {
    const error = configError(() => validateConfig({ ...base, issuer: 'http://id.example.com' }));
    expect(error.code).toBe('config_invalid');
    expect(error.message).toBe(
      'OAUTH_ISSUER must be an https URL; http is allowed only for loopback issuers (127.0.0.1, [::1], localhost).',
    );
    expect(validateConfig(base).insecureLoopbackIssuer).toBe(false);
    expect(validateConfig({ ...base, issuer: 'http://127.0.0.1:3000' }).insecureLoopbackIssuer).toBe(true);
    expect(validateConfig({ ...base, issuer: 'http://[::1]:3000/oidc' }).insecureLoopbackIssuer).toBe(true);
    expect(configError(() => validateConfig({ ...base, issuer: 'ftp://127.0.0.1' })).code).toBe('config_invalid');
    expect(configError(() => validateConfig({ ...base, issuer: `${ISSUER}?tenant=1` })).message).toMatch(/query or fragment/);
    expect(configError(() => validateConfig({ ...base, issuer: 'not a url' })).message).toMatch(/absolute URL/);
  });

  it('isLoopbackHostname accepts 127/8, ::1 and localhost only', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '[::1]', '::1', 'localhost', 'LOCALHOST']) expect(isLoopbackHostname(h)).toBe(true);
    for (const h of ['0.0.0.0', '128.0.0.1', 'localhost.example.com', '::', '10.0.0.1']) expect(isLoopbackHostname(h)).toBe(false);
  });

  it('scope must include openid; scopes and resources are de-duplicated lists', () => {
    expect(configError(() => validateConfig({ ...base, scope: 'profile email' })).message).toMatch(/must include "openid"/);
    const config = validateConfig({ ...base, scope: 'openid  openid profile', resource: 'https://api.example https://api.example' });
    expect(config.scopes).toEqual(['openid', 'profile']);
    expect(config.resources).toEqual(['https://api.example']);
    expect(configError(() => validateConfig({ ...base, resource: 'https://api.example#x' })).message).toMatch(/RFC 8707/);
  });

  it('API origins must be https (http only for loopback) and are normalised to origins', () => {
    expect(validateConfig({ ...base, apiOrigins: 'https://api.example/v1, http://127.0.0.1:9' }).apiOrigins).toEqual([
      'https://api.example',
      'http://127.0.0.1:9',
    ]);
    expect(configError(() => validateConfig({ ...base, apiOrigins: 'http://api.example' })).message).toMatch(/must be https/);
  });

  it('N3 redirect host: 127.0.0.1 default, [::1] accepted, localhost only when configured, nothing else', () => {
    expect(validateConfig({ ...base, redirectHost: '[::1]' }).redirectHost).toBe('::1');
    expect(validateConfig({ ...base, redirectHost: 'localhost' }).redirectHost).toBe('localhost');
    for (const host of ['0.0.0.0', 'example.com', '::']) {
      expect(configError(() => validateConfig({ ...base, redirectHost: host })).message).toMatch(/OAUTH_REDIRECT_HOST must be/);
    }
  });

  it('N9 redirect path must be a plain absolute path', () => {
    expect(validateConfig({ ...base, redirectPath: '/oauth/cb' }).redirectPath).toBe('/oauth/cb');
    for (const path of ['callback', '/a/../b', '//x', '/a?b', '/%2e%2e', '/./x']) {
      expect(configError(() => validateConfig({ ...base, redirectPath: path })).message).toMatch(/OAUTH_REDIRECT_PATH/);
    }
  });

  it('N5 redirect port: 0 by default, a fixed port when configured, nonsense refused', () => {
    expect(validateConfig({ ...base, redirectPort: '8765' }).redirectPort).toBe(8765);
    for (const port of ['-1', '65536', '1.5', 'abc']) {
      expect(configError(() => validateConfig({ ...base, redirectPort: port })).message).toMatch(/OAUTH_REDIRECT_PORT/);
    }
  });

  it('booleans accept 1/true/yes/on and 0/false/no/off only', () => {
    expect(validateConfig({ ...base, deviceFlow: 'yes', logoutInBrowser: '0' })).toMatchObject({ deviceFlow: true, logoutInBrowser: false });
    expect(configError(() => validateConfig({ ...base, deviceFlow: 'maybe' })).message).toMatch(/OAUTH_DEVICE_FLOW/);
  });

  it('N11 implicit and password grants are refused with the reason; code and device grants are accepted', () => {
    const implicit = configError(() => validateConfig({ ...base, grant: 'implicit' }));
    expect(implicit.code).toBe('grant_refused');
    expect(implicit.message).toMatch(/RFC 9700 §2\.1\.2/);
    const password = configError(() => validateConfig({ ...base, grant: 'password' }));
    expect(password.code).toBe('grant_refused');
    expect(password.message).toMatch(/RFC 9700 §2\.4/);
    expect(validateConfig({ ...base, grant: 'authorization_code' }).clientId).toBe('app');
    expect(validateConfig({ ...base, grant: 'device_code' }).clientId).toBe('app');
    expect(configError(() => validateConfig({ ...base, grant: 'client_credentials' })).code).toBe('config_invalid');
  });
});
