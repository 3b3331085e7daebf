/**
 * All IPC handlers, built over one {@link SessionService}: one handler per contract channel
 * (STYLE rule 6). Pure: no Electron import, so tests run them in Node against the real core.
 */
import type { SessionService } from '../auth/snapshot';
import { silentLogger, type Logger } from '../platform/ports';
import { callApiHandler } from './channels/call-api';
import { cancelSignInHandler } from './channels/cancel-sign-in';
import { type ClipboardWriter, copySignInLinkHandler } from './channels/copy-sign-in-link';
import { getSessionHandler } from './channels/get-session';
import { reopenBrowserHandler } from './channels/reopen-browser';
import { retryHandler } from './channels/retry';
import { signInHandler } from './channels/sign-in';
import { signOutHandler } from './channels/sign-out';
import type { IpcHandlers } from './handler';
import type { SenderCheck } from './sender';

/** What the handlers are built from. */
export interface IpcHandlerDeps {
  session: SessionService;
  clipboard: ClipboardWriter;
  /** Decides whether a message's sender is our window's main frame (CHECKLIST E10). */
  isTrustedSender: SenderCheck;
  /** The configured API origins (config.apiOrigins), shown to the renderer. */
  apiOrigins: readonly string[];
  /** Default address of the UI's "Call API" (OAUTH_API_URL), or null. */
  apiUrl?: string | null;
  logger?: Logger;
}

/**
 * One handler per invoke channel of the contract.
 * @see ../../preload/contract.ts
 */
export function createIpcHandlers(deps: IpcHandlerDeps): IpcHandlers {
  const context = { isTrustedSender: deps.isTrustedSender, logger: deps.logger ?? silentLogger };
  const { session } = deps;
  const view = { apiOrigins: deps.apiOrigins, apiUrl: deps.apiUrl ?? null };
  return {
    'auth:get-session': getSessionHandler(session, view, context),
    'auth:sign-in': signInHandler(session, view, context),
    'auth:cancel-sign-in': cancelSignInHandler(session, context),
    'auth:reopen-browser': reopenBrowserHandler(session, context),
    'auth:copy-sign-in-link': copySignInLinkHandler(session, deps.clipboard, context),
    'auth:sign-out': signOutHandler(session, context),
    'auth:call-api': callApiHandler(session, context),
    'auth:retry': retryHandler(session, view, context),
  };
}
