/**
 * The bench browser against the bench provider: the user's choices (deny, cancel, abandon), the
 * device flow, hostile navigation, provider shapes a client must cope with (no iss, wrong iss,
 * a web client), and the BrowserLauncher adapter product code will use.
 */
import * as oauth from 'oauth4webapi';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { asBrowserLauncher, type SignInResult, startSystemBrowser, type SystemBrowser } from '../support/browser';
import { type DevProvider, startTestProvider, WEB_CLIENT } from '../support/provider';
import {
  buildAuthorizationRequest,
  type CallbackListener,
  discover,
  exchangeCode,
  INSECURE_LOOPBACK,
  signInWithReferenceClient,
  startCallbackListener,
} from '../support/reference-client';

let browser: SystemBrowser;
let provider: DevProvider;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  browser = await startSystemBrowser();
  provider = await startTestProvider({ extraClients: ['web'] });
});
afterAll(async () => {
  await provider?.close();
  await browser?.close();
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function listener(host?: '127.0.0.1' | '::1'): Promise<CallbackListener> {
  const l = await startCallbackListener({ host });
  cleanups.push(() => l.close());
  return l;
}

async function request(p: DevProvider, l: CallbackListener, clientId = p.clientId) {
  const as = await discover(p.issuer);
  return { as, req: await buildAuthorizationRequest(as, { clientId, redirectUri: l.redirectUri, resource: p.resource }) };
}

describe('bench browser: the user', () => {
  it('signs in as the named account', async () => {
    const { tokens } = await signInWithReferenceClient(provider, browser, { account: 'carol' });
    expect(oauth.getValidatedIdTokenClaims(tokens)).toMatchObject({ sub: 'carol', name: 'Carol Danvers' });
  });

  it('denies consent: the app receives error=access_denied with iss', async () => {
    const l = await listener();
    const { req } = await request(provider, l);
    const result = await browser.signIn(req.url.href, { consent: 'deny' });
    expect(result.redirected).toBe(true);
    const callback = await l.nextCallback();
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe(req.state);
    expect(callback.searchParams.get('iss')).toBe(provider.issuer);
  });

  it('cancels at the login page: access_denied too', async () => {
    const l = await listener();
    const { req } = await request(provider, l);
    await browser.signIn(req.url.href, { cancelAtLogin: true });
    expect((await l.nextCallback()).searchParams.get('error')).toBe('access_denied');
  });

  it('keeps the provider session when asked (single sign-on skips the login page)', async () => {
    await signInWithReferenceClient(provider, browser, { account: 'bob' });
    const { tokens } = await signInWithReferenceClient(provider, browser, { account: 'alice', keepSession: true });
    expect(oauth.getValidatedIdTokenClaims(tokens)?.sub).toBe('bob');
  });

  it('abandons the tab: the app never hears back', async () => {
    const l = await listener();
    const { req } = await request(provider, l);
    await browser.abandon(req.url.href);
    expect(l.hits).toHaveLength(0);
    expect(browser.opened).toContain(req.url.href);
  });

  it('opens a URL raw: one navigation, status and text, nothing clicked', async () => {
    const l = await listener();
    const hostile = new URL(l.redirectUri);
    hostile.pathname = '/%2e%2e/etc/passwd';
    const raw = await browser.openRaw(hostile.href);
    expect(raw.status).toBe(404);
    const hit = await browser.openRaw(`${l.redirectUri}?code=forged&state=wrong`);
    expect(hit.status).toBe(200);
    expect(l.hits).toHaveLength(1);
  });

  it('reports a redirect to a port where nothing listens as status 0', async () => {
    const l = await listener();
    const { req } = await request(provider, l);
    await l.close();
    const result = await browser.signIn(req.url.href);
    expect(result.redirected).toBe(true);
    expect(result.status).toBe(0);
  });

  it('signs in over [::1] when the app listens there', async () => {
    const l = await listener('::1');
    const { as, req } = await request(provider, l);
    const result = await browser.signIn(req.url.href);
    expect(result.redirected).toBe(true);
    const tokens = await exchangeCode(as, req, await l.nextCallback());
    expect(tokens.access_token).toBeTypeOf('string');
  });

  it('signs out at the end-session endpoint and comes back to the app', async () => {
    const { as, tokens } = await signInWithReferenceClient(provider, browser);
    const l = await listener();
    const url = new URL(as.end_session_endpoint!);
    url.searchParams.set('id_token_hint', tokens.id_token!);
    url.searchParams.set('post_logout_redirect_uri', l.redirectUri);
    url.searchParams.set('client_id', provider.clientId);
    // The provider session cookie from that sign-in is still in the browser: this ends it.
    const result = await browser.signOut(url.href);
    expect(result.redirected).toBe(true);
    expect(l.hits).toHaveLength(1);
  });
});

describe('bench browser: device flow (RFC 8628)', () => {
  it('enters the user code and the device gets tokens', async () => {
    const as = await discover(provider.issuer);
    const client = { client_id: provider.clientId };
    const deviceResponse = await oauth.processDeviceAuthorizationResponse(
      as,
      client,
      await oauth.deviceAuthorizationRequest(
        as,
        client,
        oauth.None(),
        { scope: 'openid offline_access api:read', resource: provider.resource },
        INSECURE_LOOPBACK,
      ),
    );
    const pending = await oauth
      .processDeviceCodeResponse(
        as,
        client,
        await oauth.deviceCodeGrantRequest(as, client, oauth.None(), deviceResponse.device_code, INSECURE_LOOPBACK),
      )
      .catch((e: unknown) => e);
    expect((pending as oauth.ResponseBodyError).error).toBe('authorization_pending');

    const seen = await browser.enterDeviceCode(deviceResponse.verification_uri, deviceResponse.user_code, {
      account: 'bob',
    });
    expect(seen.success).toBe(true);

    const tokens = await oauth.processDeviceCodeResponse(
      as,
      client,
      await oauth.deviceCodeGrantRequest(as, client, oauth.None(), deviceResponse.device_code, INSECURE_LOOPBACK),
    );
    expect(oauth.getValidatedIdTokenClaims(tokens)?.sub).toBe('bob');
    expect(tokens.refresh_token).toBeTypeOf('string');
  });
});

describe('bench provider shapes a client must handle', () => {
  it('a web client gets no redirect to an arbitrary loopback port', async () => {
    const l = await listener();
    const { req } = await request(provider, l, WEB_CLIENT.client_id);
    const result = await browser.signIn(req.url.href);
    expect(result.redirected).toBe(false);
    expect(result.text).toContain('invalid_redirect_uri');
    expect(l.hits).toHaveLength(0);
  });

  it('iss off: neither advertised nor sent', async () => {
    const plain = await startTestProvider({ features: { iss: false } });
    cleanups.push(() => plain.close());
    const l = await listener();
    const { as, req } = await request(plain, l);
    expect(as.authorization_response_iss_parameter_supported).toBeUndefined();
    await browser.signIn(req.url.href);
    const callback = await l.nextCallback();
    expect(callback.searchParams.has('iss')).toBe(false);
    expect((await exchangeCode(as, req, callback)).access_token).toBeTypeOf('string');
  });

  it('misbehaving iss: a wrong issuer is sent, and oauth4webapi rejects it', async () => {
    const liar = await startTestProvider({ misbehave: { authorizationResponseIss: 'wrong' } });
    cleanups.push(() => liar.close());
    const l = await listener();
    const { as, req } = await request(liar, l);
    await browser.signIn(req.url.href);
    const callback = await l.nextCallback();
    expect(callback.searchParams.get('iss')).not.toBe(liar.issuer);
    expect(() => oauth.validateAuthResponse(as, { client_id: liar.clientId }, callback, req.state)).toThrow();
  });

  it('misbehaving iss: missing although advertised', async () => {
    const liar = await startTestProvider({ misbehave: { authorizationResponseIss: 'missing' } });
    cleanups.push(() => liar.close());
    const l = await listener();
    const { as, req } = await request(liar, l);
    expect(as.authorization_response_iss_parameter_supported).toBe(true);
    await browser.signIn(req.url.href);
    expect((await l.nextCallback()).searchParams.has('iss')).toBe(false);
  });
});

describe('asBrowserLauncher: the BrowserLauncher port played by the bench browser', () => {
  it('resolves open() at once and signs in in the background', async () => {
    const l = await listener();
    const { as, req } = await request(provider, l);
    const launcher = asBrowserLauncher(browser, { action: 'sign-in', account: 'alice' });
    await launcher.open(req.url.href);
    expect(launcher.opened).toEqual([req.url.href]);
    const tokens = await exchangeCode(as, req, await l.nextCallback());
    expect(tokens.access_token).toBeTypeOf('string');
    const [result] = await launcher.settled();
    expect((result as SignInResult).redirected).toBe(true);
  });

  it('can fail to open, like a machine without a browser', async () => {
    const launcher = asBrowserLauncher(browser, { action: 'fail', error: new TypeError('no browser') });
    await expect(launcher.open('http://127.0.0.1:1/')).rejects.toThrow('no browser');
  });

  it('can abandon', async () => {
    const l = await listener();
    const { req } = await request(provider, l);
    const launcher = asBrowserLauncher(browser, { action: 'abandon' });
    await launcher.open(req.url.href);
    await launcher.settled();
    expect(l.hits).toHaveLength(0);
  });
});

describe('a missing browser is a failure, not a skip', () => {
  it('says what to install', async () => {
    await expect(startSystemBrowser({ executablePath: '/nonexistent/chromium' })).rejects.toThrow(
      /needs chromium.*install-system-deps/,
    );
  });
});
