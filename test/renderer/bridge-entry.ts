/**
 * The test bridge's page side (bundled by esbuild and injected with addInitScript): builds
 * `window.auth` with the REAL preload/api.ts over two Playwright bindings, the way preload/index.ts
 * builds it over ipcRenderer. `__oauthDesktopInvoke` reaches the real IPC handlers in the test
 * process; the test pushes session events through `__oauthDesktopEmit`.
 */
import { createAuthApi } from '../../preload/api';

type Listener = (payload: unknown) => void;

/** The page's global object (typed here: this file is checked without DOM types). */
const page = globalThis as unknown as {
  __oauthDesktopInvoke(channel: string, payload: unknown): Promise<unknown>;
  __oauthDesktopEmit(channel: string, payload: unknown): void;
};

const listeners = new Map<string, Set<Listener>>();

page.__oauthDesktopEmit = (channel, payload) => {
  for (const listener of [...(listeners.get(channel) ?? [])]) listener(payload);
};

const api = createAuthApi(
  (channel, payload) => page.__oauthDesktopInvoke(channel, payload),
  (channel, listener) => {
    const set = listeners.get(channel) ?? new Set<Listener>();
    listeners.set(channel, set);
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  },
);

// contextBridge exposes a read-only property: do the same.
Object.defineProperty(globalThis, 'auth', { value: api, writable: false, configurable: false, enumerable: true });
