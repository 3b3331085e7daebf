/**
 * The preload script: binds {@link createAuthApi} to Electron's IPC and exposes it as `window.auth`.
 * Nothing else is exposed: no `ipcRenderer`, no generic `invoke`/`send` (CHECKLIST E11).
 *
 * Bundled to CommonJS (dist/preload/index.cjs) because a sandboxed preload cannot be an ES module
 * and can `require` only `electron` and a few builtins; esbuild inlines `./api` and `./contract`.
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/sandbox#preload-scripts
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createAuthApi } from './api';

contextBridge.exposeInMainWorld(
  'auth',
  createAuthApi(
    (channel, payload) => (payload === undefined ? ipcRenderer.invoke(channel) : ipcRenderer.invoke(channel, payload)),
    (channel, listener) => {
      // The event object stays here: its `sender` is the ipcRenderer itself.
      const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
      ipcRenderer.on(channel, forward);
      return () => {
        ipcRenderer.removeListener(channel, forward);
      };
    },
  ),
);
