/**
 * shell.openExternal only for the vetted authorization URL (CHECKLIST E9, N1): https — http only
 * for a loopback demo/test issuer — and exactly the provider's discovered authorization (or
 * end-session) endpoint; anything else never reaches the OS.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('./fake-electron')).electronModule);

import { isAuthError } from '../../main/auth/errors';
import { type ExternalUrlPolicy, externalUrlPolicy, vetExternalUrl, vetVerificationUri } from '../../main/auth/external-url';
import { createElectronBrowserLauncher } from '../../main/platform/browser-launcher.electron';
import type { Settings } from '../../main/platform/ports';
import { fake, resetFakeElectron } from './fake-electron';

const HTTPS_POLICY: ExternalUrlPolicy = {
  endpoints: ['https://login.example.com/oauth2/authorize', 'https://login.example.com/logout'],
  insecureLoopbackIssuer: false,
};
const DEMO_POLICY: ExternalUrlPolicy = { endpoints: ['http://127.0.0.1:4400/auth'], insecureLoopbackIssuer: true };
const AUTH_URL = 'https://login.example.com/oauth2/authorize?client_id=app&state=s3cr3t&code_challenge=x&code_challenge_method=S256';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return isAuthError(error) ? error.code : 'not-an-AuthError';
  }
}

beforeEach(() => resetFakeElectron());

describe('vetExternalUrl', () => {
  it('allows the discovered authorization endpoint with its query, and the end-session endpoint', () => {
    expect(vetExternalUrl(AUTH_URL, HTTPS_POLICY).href).toBe(AUTH_URL);
    expect(codeOf(() => vetExternalUrl('https://login.example.com/logout?id_token_hint=x', HTTPS_POLICY))).toBeUndefined();
  });

  it('allows http only for a loopback issuer by explicit configuration', () => {
    expect(codeOf(() => vetExternalUrl('http://127.0.0.1:4400/auth?state=x', DEMO_POLICY))).toBeUndefined();
    expect(codeOf(() => vetExternalUrl('http://login.example.com/oauth2/authorize', HTTPS_POLICY))).toBe('insecure_endpoint');
    expect(
      codeOf(() => vetExternalUrl('http://evil.example/auth', { endpoints: ['http://evil.example/auth'], insecureLoopbackIssuer: true })),
    ).toBe('insecure_endpoint');
  });

  const refused: Array<[string, string, string]> = [
    ['file:', 'file:///etc/passwd', 'insecure_endpoint'],
    ['a custom scheme', 'ms-settings:privacy', 'insecure_endpoint'],
    ['smb:', 'smb://attacker/share', 'insecure_endpoint'],
    ['javascript:', 'javascript:alert(1)', 'insecure_endpoint'],
    ['another https origin', 'https://evil.example/oauth2/authorize', 'origin_not_allowed'],
    ['a look-alike host', 'https://login.example.com.evil.example/oauth2/authorize', 'origin_not_allowed'],
    ['another port', 'https://login.example.com:8443/oauth2/authorize', 'origin_not_allowed'],
    ['another path on the right origin', 'https://login.example.com/admin', 'origin_not_allowed'],
    ['credentials in the URL', 'https://user:pw@login.example.com/oauth2/authorize', 'origin_not_allowed'],
    ['not a URL', 'login.example.com/oauth2/authorize', 'origin_not_allowed'],
  ];
  for (const [what, url, code] of refused) {
    it(`refuses ${what}`, () => {
      expect(codeOf(() => vetExternalUrl(url, HTTPS_POLICY))).toBe(code);
    });
  }

  it('refuses everything before discovery ran (no endpoints known)', () => {
    expect(codeOf(() => vetExternalUrl(AUTH_URL, { endpoints: [], insecureLoopbackIssuer: false }))).toBe('origin_not_allowed');
  });

  it('never puts the URL (it carries state) in the message', () => {
    try {
      vetExternalUrl('https://evil.example/auth?state=s3cr3t', HTTPS_POLICY);
    } catch (error) {
      expect((error as Error).message).not.toContain('s3cr3t');
      expect((error as Error).message).toContain('https://evil.example');
    }
  });
});

describe('vetVerificationUri: the device flow’s verification page (RFC 8628 §3.3, §5.4)', () => {
  const POLICY: ExternalUrlPolicy = {
    ...HTTPS_POLICY,
    verificationOrigins: ['https://login.example.com', 'https://auth.example.com'],
  };

  it('allows any page on the issuer’s or the authorization endpoint’s origin (its path is not in the metadata)', () => {
    expect(vetVerificationUri('https://login.example.com/device', POLICY).href).toBe('https://login.example.com/device');
    expect(vetVerificationUri('https://auth.example.com/activate?x=1', POLICY).href).toBe('https://auth.example.com/activate?x=1');
    expect(
      codeOf(() => vetVerificationUri('http://127.0.0.1:4400/device', { ...DEMO_POLICY, verificationOrigins: ['http://127.0.0.1:4400'] })),
    ).toBeUndefined();
  });

  const refused: Array<[string, string, string]> = [
    ['another origin', 'https://evil.example/device', 'origin_not_allowed'],
    ['a look-alike host', 'https://login.example.com.evil.example/device', 'origin_not_allowed'],
    ['another port', 'https://login.example.com:8443/device', 'origin_not_allowed'],
    ['a subdomain', 'https://device.login.example.com/', 'origin_not_allowed'],
    ['http on the right host', 'http://login.example.com/device', 'insecure_endpoint'],
    ['credentials in the URL', 'https://user:pw@login.example.com/device', 'origin_not_allowed'],
    ['a custom scheme', 'ms-settings:privacy', 'insecure_endpoint'],
    ['not a URL', 'login.example.com/device', 'origin_not_allowed'],
  ];
  for (const [what, url, code] of refused) {
    it(`refuses ${what}`, () => {
      expect(codeOf(() => vetVerificationUri(url, POLICY))).toBe(code);
    });
  }

  it('allows nothing when no origins are known, and vetExternalUrl does not widen: a verification page is not an endpoint', () => {
    expect(codeOf(() => vetVerificationUri('https://login.example.com/device', HTTPS_POLICY))).toBe('origin_not_allowed');
    expect(codeOf(() => vetExternalUrl('https://login.example.com/device', POLICY))).toBe('origin_not_allowed');
  });

  it('opens through the Electron launcher with `vet: vetVerificationUri`, and refuses another site there', async () => {
    const launcher = createElectronBrowserLauncher({ policy: () => POLICY, vet: vetVerificationUri });
    await launcher.open('https://login.example.com/device');
    await expect(launcher.open('https://evil.example/device')).rejects.toSatisfy((e: unknown) => isAuthError(e, 'origin_not_allowed'));
    expect(fake.openedExternally).toEqual(['https://login.example.com/device']);
  });
});

describe('externalUrlPolicy reads the issuer-checked discovery cache', () => {
  const settingsWith = (cache: Settings['discoveryCache']) => ({ get: (<K extends keyof Settings>(key: K) => ({ discoveryCache: cache })[key as 'discoveryCache']) as never });

  it('takes authorization_endpoint and end_session_endpoint of the configured issuer', () => {
    const policy = externalUrlPolicy(
      { issuer: 'https://login.example.com', insecureLoopbackIssuer: false },
      settingsWith({
        'https://login.example.com': {
          fetchedAt: 1,
          metadata: {
            issuer: 'https://login.example.com',
            authorization_endpoint: 'https://login.example.com/oauth2/authorize',
            end_session_endpoint: 'https://login.example.com/logout',
            token_endpoint: 'https://login.example.com/token',
          },
        },
      }),
    );
    expect(policy.endpoints).toEqual(['https://login.example.com/oauth2/authorize', 'https://login.example.com/logout']);
    expect(policy.verificationOrigins).toEqual(['https://login.example.com']);
  });

  it('verification origins: the configured issuer’s, plus the checked authorization endpoint’s when it differs', () => {
    const policy = externalUrlPolicy(
      { issuer: 'https://login.example.com/tenant/v2', insecureLoopbackIssuer: false },
      settingsWith({
        'https://login.example.com/tenant/v2': {
          fetchedAt: 1,
          metadata: { issuer: 'https://login.example.com/tenant/v2', authorization_endpoint: 'https://auth.example.com/authorize' },
        },
      }),
    );
    expect(policy.verificationOrigins).toEqual(['https://login.example.com', 'https://auth.example.com']);
    // Before discovery (or with a cache entry naming another issuer) only the configured issuer's origin.
    const before = externalUrlPolicy({ issuer: 'https://login.example.com', insecureLoopbackIssuer: false }, settingsWith({}));
    expect(before.verificationOrigins).toEqual(['https://login.example.com']);
  });

  it('ignores a cache entry that names another issuer, and other issuers’ entries', () => {
    const policy = externalUrlPolicy(
      { issuer: 'https://login.example.com', insecureLoopbackIssuer: false },
      settingsWith({
        'https://login.example.com': { fetchedAt: 1, metadata: { issuer: 'https://evil.example', authorization_endpoint: 'https://evil.example/a' } },
        'https://evil.example': { fetchedAt: 1, metadata: { issuer: 'https://evil.example', authorization_endpoint: 'https://evil.example/a' } },
      }),
    );
    expect(policy.endpoints).toEqual([]);
    expect(policy.verificationOrigins).toEqual(['https://login.example.com']);
  });
});

describe('E9: the Electron BrowserLauncher', () => {
  it('opens a vetted authorization URL with shell.openExternal', async () => {
    const launcher = createElectronBrowserLauncher({ policy: () => HTTPS_POLICY });
    await launcher.open(AUTH_URL);
    expect(fake.openedExternally).toEqual([AUTH_URL]);
  });

  it('never calls shell.openExternal for a refused URL', async () => {
    const launcher = createElectronBrowserLauncher({ policy: () => HTTPS_POLICY });
    for (const url of ['file:///etc/passwd', 'https://evil.example/', 'http://login.example.com/oauth2/authorize']) {
      await expect(launcher.open(url)).rejects.toSatisfy((e: unknown) => isAuthError(e));
    }
    expect(fake.openedExternally).toEqual([]);
  });

  it('reads the policy at each call (endpoints discovered after launch)', async () => {
    let policy: ExternalUrlPolicy = { endpoints: [], insecureLoopbackIssuer: false };
    const launcher = createElectronBrowserLauncher({ policy: () => policy });
    await expect(launcher.open(AUTH_URL)).rejects.toThrow();
    policy = HTTPS_POLICY;
    await launcher.open(AUTH_URL);
    expect(fake.openedExternally).toEqual([AUTH_URL]);
  });

  it('a browser that cannot be started becomes browser_unavailable', async () => {
    fake.openExternalFails = true;
    const launcher = createElectronBrowserLauncher({ policy: () => HTTPS_POLICY });
    await expect(launcher.open(AUTH_URL)).rejects.toSatisfy((e: unknown) => isAuthError(e, 'browser_unavailable'));
  });
});
