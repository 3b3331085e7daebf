/**
 * The glue between the pure handlers and Electron's `ipcMain` (or anything shaped like it), and the
 * session-changed push to our window. Structural types only: the shell passes the real `ipcMain`
 * and `webContents`, tests pass small recorders.
 */
import { EVENT_CHANNELS, INVOKE_CHANNELS, type InvokeChannel } from '../../preload/contract';
import type { SessionService } from '../auth/snapshot';
import type { IpcHandlers } from './handler';
import { type IpcEventLike, senderInfoFromEvent } from './sender';
import { toSessionView, type ViewContext } from './views';

/** The part of Electron's `ipcMain` we use. */
export interface IpcMainLike {
  // biome-ignore lint/suspicious/noExplicitAny: matches Electron's own signature, so `ipcMain` fits without a cast
  handle(channel: string, listener: (event: any, ...args: any[]) => unknown): void;
  removeHandler(channel: string): void;
}

/**
 * Registers every handler on `ipcMain.handle`; returns a function that removes them again.
 * @see https://www.electronjs.org/docs/latest/api/ipc-main#ipcmainhandlechannel-listener
 */
export function registerIpc(handlers: IpcHandlers, ipcMain: IpcMainLike): () => void {
  const channels = Object.values(INVOKE_CHANNELS) as InvokeChannel[];
  for (const channel of channels) {
    const handler = handlers[channel];
    ipcMain.handle(channel, (event: IpcEventLike, ...args: unknown[]) =>
      (handler as (s: ReturnType<typeof senderInfoFromEvent>, a: readonly unknown[]) => Promise<unknown>)(
        senderInfoFromEvent(event),
        args,
      ),
    );
  }
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}

/** Where session events go: our window's `webContents` (never a broadcast to every window). */
export interface EventTarget {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

/**
 * Pushes every session change to our window as `auth:session-changed`, projected to the
 * renderer's view. Returns the unsubscribe function.
 */
export function publishSessionChanges(
  session: SessionService,
  target: () => EventTarget | null,
  view: ViewContext,
): () => void {
  return session.onChange((snapshot) => {
    const t = target();
    if (t === null || t.isDestroyed()) return;
    t.send(EVENT_CHANNELS.sessionChanged, toSessionView(snapshot, view));
  });
}
