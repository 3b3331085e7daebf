/**
 * `window.auth` as built by preload/api.ts (CHECKLIST E11): exactly the contract's functions, each
 * bound to its one channel; no generic invoke, no ipcRenderer; listeners receive the payload only.
 * And preload/index.ts exposes that object — and nothing else — through contextBridge.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createAuthApi } from '../../preload/api';
import { AUTH_API_CHANNELS, EVENT_CHANNELS, INVOKE_CHANNELS } from '../../preload/contract';

function recorder() {
  const invoked: Array<{ channel: string; args: unknown[] }> = [];
  const listeners = new Map<string, (payload: unknown) => void>();
  const invoke = vi.fn(async (channel: string, ...args: unknown[]) => {
    invoked.push({ channel, args });
    return { ok: true, value: channel };
  });
  const subscribe = vi.fn((channel: string, listener: (payload: unknown) => void) => {
    listeners.set(channel, listener);
    return () => listeners.delete(channel);
  });
  return { invoked, listeners, invoke, subscribe };
}

describe('createAuthApi (E11)', () => {
  it('has exactly the contract functions and nothing else', () => {
    const { invoke, subscribe } = recorder();
    const api = createAuthApi(invoke, subscribe);
    expect(Object.keys(api).sort()).toEqual(Object.keys(AUTH_API_CHANNELS).sort());
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
    expect(api).not.toHaveProperty('invoke');
    expect(api).not.toHaveProperty('ipcRenderer');
    expect(api).not.toHaveProperty('send');
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('maps each function to its one channel, with no payload for argument-less calls', async () => {
    const { invoke, subscribe, invoked } = recorder();
    const api = createAuthApi(invoke, subscribe);
    await api.getSession();
    await api.signIn();
    await api.cancelSignIn();
    await api.reopenBrowser();
    await api.copySignInLink();
    await api.signOut();
    await api.callApi({ url: 'https://api.test/me' });
    await api.retry();
    await api.signInWithDevice();
    await api.copyDeviceCode();
    await api.openDevicePage();
    expect(invoked).toEqual([
      { channel: INVOKE_CHANNELS.getSession, args: [] },
      { channel: INVOKE_CHANNELS.signIn, args: [] },
      { channel: INVOKE_CHANNELS.cancelSignIn, args: [] },
      { channel: INVOKE_CHANNELS.reopenBrowser, args: [] },
      { channel: INVOKE_CHANNELS.copySignInLink, args: [] },
      { channel: INVOKE_CHANNELS.signOut, args: [] },
      { channel: INVOKE_CHANNELS.callApi, args: [{ url: 'https://api.test/me' }] },
      { channel: INVOKE_CHANNELS.retry, args: [] },
      { channel: 'auth:sign-in-with-device', args: [] },
      { channel: 'auth:copy-device-code', args: [] },
      { channel: 'auth:open-device-page', args: [] },
    ]);
  });

  it('every invoke channel of the contract has its function (none left without one)', () => {
    const mapped = new Set<string>(Object.values(AUTH_API_CHANNELS));
    for (const channel of Object.values(INVOKE_CHANNELS)) expect(mapped.has(channel), channel).toBe(true);
    for (const channel of Object.values(EVENT_CHANNELS)) expect(mapped.has(channel), channel).toBe(true);
  });

  it('the device functions send no payload, whatever the page passes (it cannot choose the URL to open or the text to copy)', async () => {
    const { invoke, subscribe, invoked } = recorder();
    const api = createAuthApi(invoke, subscribe);
    const loose = api as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    await loose.openDevicePage!('https://evil.example/');
    await loose.copyDeviceCode!('attacker text');
    await loose.signInWithDevice!({ deviceCode: 'x' });
    expect(invoked).toEqual([
      { channel: 'auth:open-device-page', args: [] },
      { channel: 'auth:copy-device-code', args: [] },
      { channel: 'auth:sign-in-with-device', args: [] },
    ]);
  });

  it('ignores whatever a page passes to argument-less functions (it cannot pick a channel or payload)', async () => {
    const { invoke, subscribe, invoked } = recorder();
    const api = createAuthApi(invoke, subscribe);
    await (api.signIn as unknown as (...a: unknown[]) => Promise<unknown>)('auth:call-api', { url: 'x' });
    expect(invoked).toEqual([{ channel: INVOKE_CHANNELS.signIn, args: [] }]);
  });

  it('passes the reply through unchanged (errors are data)', async () => {
    const reply = { ok: false, error: { code: 'ipc_forbidden', message: 'no' } };
    const api = createAuthApi(async () => reply, () => () => {});
    expect(await api.getSession()).toBe(reply);
  });

  it('listeners get the payload only, never an event object, and can unsubscribe', () => {
    const { invoke, subscribe, listeners } = recorder();
    const api = createAuthApi(invoke, subscribe);
    const received: unknown[][] = [];
    const off = api.onSessionChanged((...args: unknown[]) => received.push(args));
    expect(subscribe).toHaveBeenCalledWith(EVENT_CHANNELS.sessionChanged, expect.any(Function));
    listeners.get(EVENT_CHANNELS.sessionChanged)!({ state: 'signed-in' });
    expect(received).toEqual([[{ state: 'signed-in' }]]);
    off();
    expect(listeners.has(EVENT_CHANNELS.sessionChanged)).toBe(false);
  });

  it('refuses a listener that is not a function', () => {
    const { invoke, subscribe } = recorder();
    const api = createAuthApi(invoke, subscribe);
    expect(() => api.onSessionChanged('alert(1)' as unknown as () => void)).toThrow(TypeError);
    expect(subscribe).not.toHaveBeenCalled();
  });
});

describe('preload/index.ts (E11)', () => {
  it('exposes only `auth`, built by createAuthApi over ipcRenderer.invoke/on, without the event object', async () => {
    const exposed = new Map<string, unknown>();
    const ipcListeners = new Map<string, (event: unknown, payload: unknown) => void>();
    const invoke = vi.fn(async (..._args: unknown[]) => ({ ok: true, value: null }));
    vi.doMock('electron', () => ({
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
      ipcRenderer: {
        invoke,
        on: (channel: string, l: (event: unknown, payload: unknown) => void) => ipcListeners.set(channel, l),
        removeListener: (channel: string) => ipcListeners.delete(channel),
      },
    }));
    await import('../../preload/index');
    expect([...exposed.keys()]).toEqual(['auth']);
    const api = exposed.get('auth') as ReturnType<typeof createAuthApi>;
    expect(Object.keys(api).sort()).toEqual(Object.keys(AUTH_API_CHANNELS).sort());

    await api.retry();
    expect(invoke).toHaveBeenLastCalledWith('auth:retry');
    await api.callApi({ url: 'https://api.test/' });
    expect(invoke).toHaveBeenLastCalledWith('auth:call-api', { url: 'https://api.test/' });

    const got: unknown[][] = [];
    const off = api.onSessionChanged((...args: unknown[]) => got.push(args));
    const fakeEvent = { sender: { send() {} }, senderId: 0 };
    ipcListeners.get('auth:session-changed')!(fakeEvent, { state: 'offline' });
    expect(got).toEqual([[{ state: 'offline' }]]);
    off();
    expect(ipcListeners.size).toBe(0);
    vi.doUnmock('electron');
  });

  it('imports nothing but electron and ./api (the bundle a sandboxed preload can load)', () => {
    const source = readFileSync(join(import.meta.dirname, '../../preload/index.ts'), 'utf8');
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports).toEqual(['electron', './api']);
    expect(source).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
  });
});
