/**
 * All IPC handlers, built over one {@link SessionService}: one handler per contract channel
 * (STYLE rule 6). Pure: no Electron import, so tests run them in Node against the real core.
 */
import type { SessionService } from '../auth/snapshot';
import { type BrowserLauncher, silentLogger, type Logger } from '../platform/ports';
import { callApiHandler } from './channels/call-api';
import { cancelSignInHandler } from './channels/cancel-sign-in';
import { copyDeviceCodeHandler } from './channels/copy-device-code';
import { type ClipboardWriter, copySignInLinkHandler } from './channels/copy-sign-in-link';
import { getSessionHandler } from './channels/get-session';
import { noDevicePageLauncher, openDevicePageHandler } from './channels/open-device-page';
import { reopenBrowserHandler } from './channels/reopen-browser';
import { retryHandler } from './channels/retry';
import { signInHandler } from './channels/sign-in';
import { signInWithDeviceHandler } from './channels/sign-in-with-device';
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
  /** config.deviceFlow: sign-in with a code (RFC 8628) is offered and accepted only when true. Default off. */
  deviceFlow?: boolean;
  /**
   * Opens a device sign-in's verification page, after vetting it to the provider's origin
   * (`createElectronBrowserLauncher({ vet: vetVerificationUri })`). Default: refuses (browser_unavailable).
   */
  devicePage?: BrowserLauncher;
  logger?: Logger;
}

/**
 * One handler per invoke channel of the contract.
 * @see ../../preload/contract.ts
 */
export function createIpcHandlers(deps: IpcHandlerDeps): IpcHandlers {
  const context = { isTrustedSender: deps.isTrustedSender, logger: deps.logger ?? silentLogger };
  const { session } = deps;
  const view = { apiOrigins: deps.apiOrigins, apiUrl: deps.apiUrl ?? null, deviceFlow: deps.deviceFlow ?? false };
  return {
    'auth:get-session': getSessionHandler(session, view, context),
    'auth:sign-in': signInHandler(session, view, context),
    'auth:cancel-sign-in': cancelSignInHandler(session, context),
    'auth:reopen-browser': reopenBrowserHandler(session, context),
    'auth:copy-sign-in-link': copySignInLinkHandler(session, deps.clipboard, context),
    'auth:sign-out': signOutHandler(session, context),
    'auth:call-api': callApiHandler(session, context),
    'auth:retry': retryHandler(session, view, context),
    'auth:sign-in-with-device': signInWithDeviceHandler(session, view, context),
    'auth:copy-device-code': copyDeviceCodeHandler(session, deps.clipboard, context),
    'auth:open-device-page': openDevicePageHandler(session, deps.devicePage ?? noDevicePageLauncher, context),
  };
}
