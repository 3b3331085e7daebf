/**
 * The frame every IPC handler runs in: sender check, payload validation, errors as data.
 *
 * Order matters: an untrusted sender is refused before its payload is even parsed, so it learns
 * nothing about the schemas (CHECKLIST E10). A payload that fails its schema gets `ipc_invalid`
 * with a message naming the field; nothing a handler throws escapes as an exception.
 */
import type { z } from 'zod';
import type { InvokeChannel, InvokeContract, IpcResult } from '../../preload/contract';
import { isAuthError } from '../auth/errors';
import type { Logger } from '../platform/ports';
import { errorReply, fail, ok } from './result';
import type { SenderCheck, SenderInfo } from './sender';

/** One channel's handler, independent of Electron: `registerIpc` binds it to `ipcMain.handle`. */
export type IpcHandler<C extends InvokeChannel = InvokeChannel> = (
  sender: SenderInfo,
  args: readonly unknown[],
) => Promise<IpcResult<InvokeContract[C]['response']>>;

/** Every channel's handler. */
export type IpcHandlers = { [C in InvokeChannel]: IpcHandler<C> };

/** What {@link defineHandler} needs from its surroundings. */
export interface HandlerContext {
  isTrustedSender: SenderCheck;
  logger: Logger;
}

/**
 * Wraps `run` with the sender check, payload validation and error mapping.
 * @see https://www.electronjs.org/docs/latest/tutorial/security#17-validate-the-sender-of-all-ipc-messages
 */
export function defineHandler<C extends InvokeChannel, S extends z.ZodType>(
  channel: C,
  schema: S,
  run: (payload: z.output<S>) => Promise<InvokeContract[C]['response']> | InvokeContract[C]['response'],
  context: HandlerContext,
): IpcHandler<C> {
  return async (sender, args) => {
    try {
      if (!context.isTrustedSender(sender)) {
        context.logger.warn('ipc: message from an untrusted sender refused', {
          channel,
          webContentsId: sender.webContentsId,
          mainFrame: sender.isMainFrame,
        });
        return fail('ipc_forbidden', `${channel} is available to the app's own window only.`);
      }
      if (args.length > 1) return fail('ipc_invalid', `${channel} takes at most one argument.`);
      const parsed = schema.safeParse(args[0]);
      if (!parsed.success) return fail('ipc_invalid', describeIssues(channel, parsed.error.issues));
      return ok(await run(parsed.data));
    } catch (error) {
      if (!isAuthError(error)) {
        // A bug, not a user-facing failure: log its kind only (a foreign message may quote secrets).
        context.logger.error('ipc: handler failed unexpectedly', {
          channel,
          error: error instanceof Error ? error.name : typeof error,
        });
      }
      return errorReply(error, channel);
    }
  };
}

/** "auth:call-api: headers.authorization — …; method — …" from zod issues, without input values. */
function describeIssues(channel: string, issues: readonly z.core.$ZodIssue[]): string {
  const parts = issues.slice(0, 3).map((issue) => {
    const where = issue.path.length ? issue.path.map((p) => String(p).slice(0, 40)).join('.') : 'payload';
    return `${where} — ${issue.message}`;
  });
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  return `Invalid request to ${channel}: ${parts.join('; ')}${more}.`;
}
