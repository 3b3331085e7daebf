/**
 * The IPC handlers (main/ipc) over an in-memory session: sender checks (CHECKLIST E10), payload
 * validation with clear errors, errors as data (never a rejection), and projections that cannot
 * carry more than the contract allows (E12). The real core behind the same handlers is exercised
 * in e12-real-session.test.ts and test/renderer/e2e.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../main/auth/errors';
import type { SessionSnapshot } from '../../main/auth/snapshot';
import type { IpcHandlers } from '../../main/ipc/handler';
import { createIpcHandlers } from '../../main/ipc/handlers';
import { createSenderCheck, type SenderInfo } from '../../main/ipc/sender';
import type { BrowserLauncher, Logger } from '../../main/platform/ports';
import { INVOKE_CHANNELS, type InvokeChannel } from '../../preload/contract';
import { BASE_SNAPSHOT, createFakeSession, SIGNED_IN } from './fake-session';

const WINDOW_ID = 7;
const OUR_FRAME: SenderInfo = { webContentsId: WINDOW_ID, frameUrl: 'app://app/index.html', isMainFrame: true };

const DEVICE_PENDING: SessionSnapshot = {
  ...BASE_SNAPSHOT,
  state: 'signing-in',
  signIn: {
    kind: 'device',
    userCode: 'WDJB-MJHT',
    verificationUri: 'https://login.example.test/device',
    verificationUriComplete: 'https://login.example.test/device?user_code=WDJB-MJHT',
    expiresAt: Date.UTC(2030, 0, 1, 12, 10),
  },
};

function setup(initial: SessionSnapshot = BASE_SNAPSHOT, options: { deviceFlow?: boolean; devicePage?: BrowserLauncher } = {}) {
  const session = createFakeSession(initial);
  const clipboard: string[] = [];
  const opened: string[] = [];
  const devicePage: BrowserLauncher = options.devicePage ?? {
    async open(url) {
      opened.push(url);
    },
  };
  const logs: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const logger: Logger = {
    info: (message, fields) => logs.push({ level: 'info', message, fields }),
    warn: (message, fields) => logs.push({ level: 'warn', message, fields }),
    error: (message, fields) => logs.push({ level: 'error', message, fields }),
  };
  const handlers = createIpcHandlers({
    session,
    clipboard: { writeText: (text) => clipboard.push(text) },
    isTrustedSender: createSenderCheck({ appOrigin: 'app://app', windowWebContentsId: () => WINDOW_ID }),
    apiOrigins: ['https://api.example.test'],
    apiUrl: 'https://api.example.test/me',
    deviceFlow: options.deviceFlow ?? true,
    devicePage,
    logger,
  });
  const call = (channel: InvokeChannel, args: unknown[] = [], sender: SenderInfo = OUR_FRAME) =>
    (handlers[channel] as IpcHandlers[InvokeChannel])(sender, args) as Promise<
      { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } }
    >;
  return { session, clipboard, opened, logs, handlers, call };
}

const ALL_CHANNELS = Object.values(INVOKE_CHANNELS) as InvokeChannel[];
const VALID_ARGS: Record<InvokeChannel, unknown[]> = {
  'auth:get-session': [],
  'auth:sign-in': [],
  'auth:cancel-sign-in': [],
  'auth:reopen-browser': [],
  'auth:copy-sign-in-link': [],
  'auth:sign-out': [],
  'auth:call-api': [{ url: 'https://api.example.test/me' }],
  'auth:retry': [],
  'auth:sign-in-with-device': [],
  'auth:copy-device-code': [],
  'auth:open-device-page': [],
};

describe('handlers: one per contract channel', () => {
  it('exist for exactly the invoke channels of the contract', () => {
    const { handlers } = setup();
    expect(Object.keys(handlers).sort()).toEqual([...ALL_CHANNELS].sort());
  });

  it('get-session returns the projected session view', async () => {
    const { call } = setup(SIGNED_IN);
    const reply = await call('auth:get-session');
    expect(reply).toEqual({
      ok: true,
      value: {
        state: 'signed-in',
        account: { sub: 'alice', name: 'Alice Liddell', email: 'alice@example.test' },
        issuer: SIGNED_IN.issuer,
        accessTokenExpiresAt: SIGNED_IN.accessTokenExpiresAt,
        nextRefreshAt: SIGNED_IN.nextRefreshAt,
        scopes: SIGNED_IN.scopes,
        lastError: null,
        clockSkew: null,
        storage: SIGNED_IN.storage,
        memoryOnly: false,
        signIn: null,
        deviceFlowEnabled: true,
        apiOrigins: ['https://api.example.test'],
        apiUrl: 'https://api.example.test/me',
      },
    });
  });

  it('sign-in, cancel, reopen, retry and sign-out drive the session', async () => {
    const { call, session } = setup();
    session.pendingUrl = 'https://login.example.test/authorize?state=s3cr3t-state';
    expect((await call('auth:sign-in')).ok).toBe(true);
    expect((await call('auth:cancel-sign-in'))).toEqual({ ok: true, value: null });
    expect((await call('auth:reopen-browser'))).toEqual({ ok: true, value: null });
    expect((await call('auth:retry')).ok).toBe(true);
    expect(await call('auth:sign-out')).toEqual({
      ok: true,
      value: { revocation: 'revoked', revocationError: null, localTokensDeleted: true, browserLogout: 'not-configured' },
    });
    expect(session.calls.filter((c) => c !== 'snapshot')).toEqual(['signIn', 'cancelSignIn', 'reopenBrowser', 'retryNow', 'signOut']);
  });

  it('copy-sign-in-link puts the URL on the clipboard and never in the reply', async () => {
    const { call, session, clipboard } = setup();
    session.pendingUrl = 'https://login.example.test/authorize?client_id=app&state=s3cr3t-state&code_challenge=abc';
    const reply = await call('auth:copy-sign-in-link');
    expect(reply).toEqual({ ok: true, value: { copied: true } });
    expect(clipboard).toEqual([session.pendingUrl]);
    expect(JSON.stringify(reply)).not.toContain('s3cr3t-state');
  });

  it('copy-sign-in-link with no pending sign-in copies nothing', async () => {
    const { call, clipboard } = setup();
    expect(await call('auth:copy-sign-in-link')).toEqual({ ok: true, value: { copied: false } });
    expect(clipboard).toEqual([]);
  });

  it('call-api passes a clean request and filters response headers', async () => {
    const { call, session } = setup(SIGNED_IN);
    session.apiResponse = {
      status: 200,
      headers: { 'content-type': 'application/json', 'set-cookie': 'sid=abc', 'x-internal': 'y', date: 'Mon' },
      body: '{"sub":"alice"}',
    };
    const reply = await call('auth:call-api', [
      { url: 'https://api.example.test/items?x=1', method: 'POST', headers: { Accept: 'application/json' }, body: '{}' },
    ]);
    expect(reply).toEqual({
      ok: true,
      value: { status: 200, headers: { 'content-type': 'application/json', date: 'Mon' }, body: '{"sub":"alice"}' },
    });
    expect(session.apiRequests).toEqual([
      { url: 'https://api.example.test/items?x=1', method: 'POST', headers: { Accept: 'application/json' }, body: '{}' },
    ]);
  });

  it('call-api defaults the method to GET', async () => {
    const { call, session } = setup(SIGNED_IN);
    await call('auth:call-api', [{ url: 'https://api.example.test/me' }]);
    expect(session.apiRequests[0]).toEqual({ url: 'https://api.example.test/me', method: 'GET' });
  });
});

describe('E10: every handler checks the sender', () => {
  const strangers: Array<[string, SenderInfo]> = [
    ['another web contents', { ...OUR_FRAME, webContentsId: WINDOW_ID + 1 }],
    ['a subframe of our window', { ...OUR_FRAME, isMainFrame: false }],
    ['our window after navigating to another origin', { ...OUR_FRAME, frameUrl: 'https://evil.example/' }],
    ['a look-alike custom origin', { ...OUR_FRAME, frameUrl: 'app://app.evil/index.html' }],
    ['a file:// page', { ...OUR_FRAME, frameUrl: 'file:///home/user/index.html' }],
    ['a frame that is gone', { ...OUR_FRAME, frameUrl: null, isMainFrame: false }],
  ];

  for (const channel of ALL_CHANNELS) {
    it(`${channel} refuses untrusted senders with ipc_forbidden and does not touch the session`, async () => {
      const { call, session, clipboard, opened } = setup(DEVICE_PENDING);
      session.pendingUrl = 'https://login.example.test/authorize?state=x';
      for (const [, sender] of strangers) {
        const reply = await call(channel, VALID_ARGS[channel], sender);
        expect(reply.ok).toBe(false);
        if (!reply.ok) expect(reply.error.code).toBe('ipc_forbidden');
      }
      expect(session.calls).toEqual([]);
      expect(clipboard).toEqual([]);
      expect(opened).toEqual([]);
    });
  }

  it('accepts our main frame on any app:// path', async () => {
    const { call } = setup();
    expect((await call('auth:get-session', [], { ...OUR_FRAME, frameUrl: 'app://app/' })).ok).toBe(true);
  });

  it('refuses everything while there is no window', async () => {
    const session = createFakeSession();
    const handlers = createIpcHandlers({
      session,
      clipboard: { writeText: () => {} },
      isTrustedSender: createSenderCheck({ appOrigin: 'app://app', windowWebContentsId: () => null }),
      apiOrigins: [],
    });
    const reply = await handlers['auth:get-session'](OUR_FRAME, []);
    expect(reply).toMatchObject({ ok: false, error: { code: 'ipc_forbidden' } });
  });

  it('logs the refusal without the payload', async () => {
    const { call, logs } = setup();
    await call('auth:call-api', [{ url: 'https://api.example.test/?secret=payload' }], { ...OUR_FRAME, isMainFrame: false });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ level: 'warn', fields: { channel: 'auth:call-api', webContentsId: WINDOW_ID, mainFrame: false } });
    expect(JSON.stringify(logs)).not.toContain('secret=payload');
  });
});

describe('E10: payloads are validated, bad input gets ipc_invalid with a clear message', () => {
  const expectInvalid = async (
    reply: Promise<{ ok: true; value: unknown } | { ok: false; error: { code: string; message: string } }>,
    mentions: RegExp,
  ) => {
    const r = await reply;
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('ipc_invalid');
      expect(r.error.message).toMatch(mentions);
    }
  };

  for (const channel of ALL_CHANNELS.filter((c) => c !== 'auth:call-api')) {
    it(`${channel} refuses a payload it does not take`, async () => {
      const { call, session } = setup();
      await expectInvalid(call(channel, [{ anything: true }]), /takes no argument/);
      await expectInvalid(call(channel, ['x', 'y']), /at most one argument/);
      expect(session.calls).toEqual([]);
    });
  }

  const badRequests: Array<[string, unknown, RegExp]> = [
    ['no payload', undefined, /payload/],
    ['a string instead of an object', 'https://api.example.test/', /payload/],
    ['a non-string url', { url: 42 }, /url/],
    ['a relative url', { url: '/me' }, /url — must be an absolute http\(s\) URL/],
    ['a file: url', { url: 'file:///etc/passwd' }, /url/],
    ['a javascript: url', { url: 'javascript:alert(1)' }, /url/],
    ['credentials in the url', { url: 'https://user:pw@api.example.test/' }, /without user name or password/],
    ['an overlong url', { url: `https://api.example.test/${'a'.repeat(3000)}` }, /url — must be at most 2048/],
    ['a method outside the allow-list', { url: 'https://api.example.test/', method: 'TRACE' }, /method — must be one of GET/],
    ['a lower-case method', { url: 'https://api.example.test/', method: 'get' }, /method/],
    ['an Authorization header', { url: 'https://api.example.test/', headers: { Authorization: 'Bearer x' } }, /authorization — credentials are attached by the app itself/],
    ['an authorization header in odd case', { url: 'https://api.example.test/', headers: { aUtHoRiZaTiOn: 'Bearer x' } }, /authorization/],
    ['a Cookie header', { url: 'https://api.example.test/', headers: { Cookie: 'sid=1' } }, /cookie/],
    ['a DPoP header', { url: 'https://api.example.test/', headers: { DPoP: 'x' } }, /dpop/],
    ['a Host header', { url: 'https://api.example.test/', headers: { Host: 'evil' } }, /host — this header is set by the app itself/],
    ['a header value with CRLF', { url: 'https://api.example.test/', headers: { 'X-A': 'a\r\nAuthorization: x' } }, /line breaks/],
    ['a header name that is not a token', { url: 'https://api.example.test/', headers: { 'X A': 'b' } }, /header names/],
    ['too many headers', { url: 'https://api.example.test/', headers: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`x-${i}`, 'v'])) }, /at most 32 headers/],
    ['a body over 64 KiB', { url: 'https://api.example.test/', method: 'POST', body: 'é'.repeat(33_000) }, /body — must be at most 64 KiB/],
    ['a body with GET', { url: 'https://api.example.test/', body: 'x' }, /GET and HEAD requests cannot have a body/],
    ['a non-string body', { url: 'https://api.example.test/', method: 'POST', body: { a: 1 } }, /body/],
    ['an unknown field', { url: 'https://api.example.test/', accessToken: 'x' }, /Unrecognized key/],
  ];
  for (const [what, payload, mentions] of badRequests) {
    it(`call-api refuses ${what}`, async () => {
      const { call, session } = setup(SIGNED_IN);
      await expectInvalid(call('auth:call-api', payload === undefined ? [] : [payload]), mentions);
      expect(session.apiRequests).toEqual([]);
    });
  }

  it('names the channel and never echoes a header value', async () => {
    const { call } = setup(SIGNED_IN);
    const reply = await call('auth:call-api', [{ url: 'https://api.example.test/', headers: { Authorization: 'Bearer very-secret-value' } }]);
    expect(reply.ok).toBe(false);
    if (!reply.ok) {
      expect(reply.error.message).toContain('auth:call-api');
      expect(reply.error.message).not.toContain('very-secret-value');
    }
  });
});

describe('errors cross IPC as data, never as exceptions', () => {
  it('an AuthError keeps its code and message', async () => {
    const { call, session } = setup();
    session.failNext('signIn', new AuthError('browser_unavailable', 'No browser could be opened.'));
    expect(await call('auth:sign-in')).toEqual({
      ok: false,
      error: { code: 'browser_unavailable', message: 'No browser could be opened.' },
    });
  });

  it('reopen-browser without a pending sign-in is an error value', async () => {
    const { call } = setup();
    expect(await call('auth:reopen-browser')).toMatchObject({ ok: false, error: { code: 'not_signed_in' } });
  });

  it('any other failure becomes "internal" with a fixed message: a foreign message never reaches the page', async () => {
    const { call, session, logs } = setup(SIGNED_IN);
    session.failNext('callApi', new TypeError('fetch failed for https://api/?access_token=leaked-token'));
    const reply = await call('auth:call-api', [{ url: 'https://api.example.test/me' }]);
    expect(reply).toEqual({
      ok: false,
      error: { code: 'internal', message: 'Something went wrong in the app (auth:call-api). Try again; if it keeps happening, restart the app.' },
    });
    expect(JSON.stringify(logs)).not.toContain('leaked-token');
    expect(logs.at(-1)).toMatchObject({ level: 'error', fields: { channel: 'auth:call-api', error: 'TypeError' } });
  });

  it('a thrown non-Error (a string) is handled too', async () => {
    const { call, session } = setup();
    session.failNext('retryNow', 'boom');
    expect(await call('auth:retry')).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('a throwing sender check is still an error value', async () => {
    const session = createFakeSession();
    const handlers = createIpcHandlers({
      session,
      clipboard: { writeText: () => {} },
      isTrustedSender: () => {
        throw new Error('inspector bug');
      },
      apiOrigins: [],
    });
    await expect(handlers['auth:get-session'](OUR_FRAME, [])).resolves.toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});

describe('E12: replies are projections, not pass-through', () => {
  it('fields the core might add later do not reach the renderer', async () => {
    const leaky = { ...SIGNED_IN, accessToken: 'at-should-not-cross', account: { ...SIGNED_IN.account!, refreshToken: 'rt-x' } };
    const { call } = setup(leaky as unknown as SessionSnapshot);
    const text = JSON.stringify(await call('auth:get-session'));
    expect(text).not.toContain('at-should-not-cross');
    expect(text).not.toContain('rt-x');
  });

  it('a pending device sign-in shows the user code, and a browser sign-in shows no URL', async () => {
    const { call, session } = setup();
    session.set({ state: 'signing-in', signIn: { kind: 'browser', browserOpened: true, startedAt: 1, expiresAt: 2 } });
    expect(((await call('auth:get-session')) as { value: { signIn: unknown } }).value.signIn).toEqual({
      kind: 'browser',
      browserOpened: true,
      startedAt: 1,
      expiresAt: 2,
    });
    // A device_code (the grant's bearer secret) the core might carry along does not cross.
    session.set({ signIn: { ...DEVICE_PENDING.signIn!, deviceCode: 'GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS' } as never });
    const reply = await call('auth:get-session');
    expect((reply as { value: { signIn: unknown } }).value.signIn).toEqual(DEVICE_PENDING.signIn);
    expect(JSON.stringify(reply)).not.toContain('GmRhmhcxhwAzkoEqiMEg');
  });

  it('the device channels reply with display data only', async () => {
    const { call } = setup(DEVICE_PENDING);
    expect(await call('auth:copy-device-code')).toEqual({ ok: true, value: { copied: true } });
    expect(await call('auth:open-device-page')).toEqual({ ok: true, value: null });
    const view = (await call('auth:get-session')) as { value: { signIn: object } };
    expect(Object.keys(view.value.signIn).sort()).toEqual(['expiresAt', 'kind', 'userCode', 'verificationUri', 'verificationUriComplete']);
  });
});

describe('device sign-in (RFC 8628) channels', () => {
  it('the session view says whether the device flow is switched on (config.deviceFlow)', async () => {
    for (const deviceFlow of [true, false]) {
      const { call } = setup(BASE_SNAPSHOT, { deviceFlow });
      expect(await call('auth:get-session')).toMatchObject({ ok: true, value: { deviceFlowEnabled: deviceFlow } });
    }
  });

  it('the view of a pending device sign-in carries the user code and where to enter it, field by field', async () => {
    const { call } = setup(DEVICE_PENDING);
    expect(await call('auth:get-session')).toMatchObject({
      ok: true,
      value: {
        state: 'signing-in',
        signIn: {
          kind: 'device',
          userCode: 'WDJB-MJHT',
          verificationUri: 'https://login.example.test/device',
          verificationUriComplete: 'https://login.example.test/device?user_code=WDJB-MJHT',
          expiresAt: Date.UTC(2030, 0, 1, 12, 10),
        },
      },
    });
  });

  it('sign-in-with-device drives session.signInWithDevice and replies with the session view', async () => {
    const { call, session } = setup();
    const reply = await call('auth:sign-in-with-device');
    expect(reply).toMatchObject({ ok: true, value: { state: 'signed-in', account: { sub: 'alice' }, deviceFlowEnabled: true } });
    expect(session.calls.filter((c) => c !== 'snapshot')).toEqual(['signInWithDevice']);
  });

  it('sign-in-with-device is refused with config_invalid while the device flow is off, before the session is touched (RFC 8628 §5.4)', async () => {
    const { call, session } = setup(BASE_SNAPSHOT, { deviceFlow: false });
    const reply = await call('auth:sign-in-with-device');
    expect(reply).toMatchObject({ ok: false, error: { code: 'config_invalid' } });
    if (!reply.ok) expect(reply.error.message).toContain('RFC 8628');
    expect(session.calls).toEqual([]);
  });

  it('sign-in-with-device: the session’s failure crosses as data (device_expired)', async () => {
    const { call, session } = setup();
    session.failNext('signInWithDevice', new AuthError('device_expired', 'The code expired before it was entered. Start again.'));
    expect(await call('auth:sign-in-with-device')).toEqual({
      ok: false,
      error: { code: 'device_expired', message: 'The code expired before it was entered. Start again.' },
    });
  });

  it('copy-device-code copies the user code and nothing else', async () => {
    const { call, clipboard } = setup(DEVICE_PENDING);
    expect(await call('auth:copy-device-code')).toEqual({ ok: true, value: { copied: true } });
    expect(clipboard).toEqual(['WDJB-MJHT']);
  });

  it('copy-device-code copies nothing without a pending device sign-in — not the browser flow’s URL either', async () => {
    const { call, session, clipboard } = setup();
    expect(await call('auth:copy-device-code')).toEqual({ ok: true, value: { copied: false } });
    session.pendingUrl = 'https://login.example.test/authorize?state=s3cr3t-state';
    session.set({ state: 'signing-in', signIn: { kind: 'browser', browserOpened: true, startedAt: 1, expiresAt: 2 } });
    expect(await call('auth:copy-device-code')).toEqual({ ok: true, value: { copied: false } });
    expect(clipboard).toEqual([]);
  });

  it('open-device-page opens the pending verification URI held by main (the page names no URL)', async () => {
    const { call, opened } = setup(DEVICE_PENDING);
    expect(await call('auth:open-device-page')).toEqual({ ok: true, value: null });
    expect(opened).toEqual(['https://login.example.test/device']);
  });

  it('open-device-page without a pending device sign-in is not_signed_in, and opens nothing', async () => {
    const { call, session, opened } = setup();
    expect(await call('auth:open-device-page')).toMatchObject({ ok: false, error: { code: 'not_signed_in' } });
    session.pendingUrl = 'https://login.example.test/authorize?state=x';
    session.set({ state: 'signing-in', signIn: { kind: 'browser', browserOpened: true, startedAt: 1, expiresAt: 2 } });
    expect(await call('auth:open-device-page')).toMatchObject({ ok: false, error: { code: 'not_signed_in' } });
    expect(opened).toEqual([]);
  });

  it('open-device-page: a refused URL keeps the vetting’s code; a browser that cannot start gets advice for this screen', async () => {
    const refusing = setup(DEVICE_PENDING, {
      devicePage: {
        async open() {
          throw new AuthError('origin_not_allowed', "The app refused to open https://evil.example: it is not the provider's own site.");
        },
      },
    });
    expect(await refusing.call('auth:open-device-page')).toMatchObject({ ok: false, error: { code: 'origin_not_allowed' } });

    const noBrowser = setup(DEVICE_PENDING, {
      devicePage: {
        async open() {
          throw new AuthError('browser_unavailable', 'No browser could be opened. Use "Copy link" and paste it into your browser.');
        },
      },
    });
    const reply = await noBrowser.call('auth:open-device-page');
    expect(reply).toMatchObject({ ok: false, error: { code: 'browser_unavailable' } });
    if (!reply.ok) {
      expect(reply.error.message).toContain('Type the address shown');
      expect(reply.error.message).not.toContain('Copy link');
    }
  });

  it('open-device-page with no launcher wired refuses instead of opening anything', async () => {
    const handlers = createIpcHandlers({
      session: createFakeSession(DEVICE_PENDING),
      clipboard: { writeText: () => {} },
      isTrustedSender: createSenderCheck({ appOrigin: 'app://app', windowWebContentsId: () => WINDOW_ID }),
      apiOrigins: [],
    });
    expect(await handlers['auth:open-device-page'](OUR_FRAME, [])).toMatchObject({ ok: false, error: { code: 'browser_unavailable' } });
    // And without deviceFlow the device sign-in is off by default.
    expect(await handlers['auth:sign-in-with-device'](OUR_FRAME, [])).toMatchObject({ ok: false, error: { code: 'config_invalid' } });
  });
});
