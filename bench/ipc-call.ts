/**
 * The IPC handler path of a protected API call, as the renderer reaches it: the real `auth:call-api`
 * handler (sender check, payload schema, `session.callApi`, reply mapping) built by
 * createIpcHandlers, invoked with the sender our own window's main frame would be. Only
 * `ipcMain.handle` itself (Electron, not runnable here) is missing.
 */
import type { CallApiResponse, IpcResult } from '../preload/contract';
import type { SessionService } from '../main/auth/snapshot';
import { createIpcHandlers } from '../main/ipc/handlers';
import { createSenderCheck, type SenderInfo } from '../main/ipc/sender';
import type { BenchEnv } from './env';

const APP_ORIGIN = 'app://app';
const WINDOW_ID = 1;

/** The sender of a message from our window's main frame. */
export const OUR_WINDOW: SenderInfo = { webContentsId: WINDOW_ID, frameUrl: `${APP_ORIGIN}/index.html`, isMainFrame: true };

/** Calls `auth:call-api` with a GET of `url`. */
export type IpcApiCall = () => Promise<IpcResult<CallApiResponse>>;

/** Builds the handler over `session` and returns a caller for `url`. */
export function ipcApiCall(env: BenchEnv, session: SessionService, url: string): IpcApiCall {
  const handlers = createIpcHandlers({
    session,
    clipboard: { writeText() {} },
    isTrustedSender: createSenderCheck({ appOrigin: APP_ORIGIN, windowWebContentsId: () => WINDOW_ID }),
    apiOrigins: env.config.apiOrigins,
  });
  const handler = handlers['auth:call-api'];
  return () => handler(OUR_WINDOW, [{ url, method: 'GET' }]);
}

/** True for a reply that carries a 200 from the API. */
export function succeeded(result: IpcResult<CallApiResponse>): boolean {
  return result.ok && result.value.status === 200;
}

/** Runs `total` calls with at most `concurrency` in flight; resolves with how many failed. */
export async function runConcurrently(
  total: number,
  concurrency: number,
  call: () => Promise<boolean>,
): Promise<{ failed: number; elapsedMs: number }> {
  let next = 0;
  let failed = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      next += 1;
      const ok = await call().catch(() => false);
      if (!ok) failed += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return { failed, elapsedMs: performance.now() - started };
}
