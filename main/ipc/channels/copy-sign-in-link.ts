/**
 * `auth:copy-sign-in-link`: the main process copies the pending authorization URL to the clipboard
 * itself, for a user whose browser did not open (CHECKLIST L21). The URL never crosses IPC: it
 * carries `state`, and a page that could read it could race the real browser to the callback.
 */
import { INVOKE_CHANNELS } from '../../../preload/contract';
import type { SessionService } from '../../auth/snapshot';
import { defineHandler, type HandlerContext } from '../handler';
import { noPayload } from './no-payload';

/** The clipboard, as Electron's `clipboard.writeText`. */
export interface ClipboardWriter {
  writeText(text: string): void;
}

/** @see INVOKE_CHANNELS.copySignInLink */
export function copySignInLinkHandler(session: SessionService, clipboard: ClipboardWriter, context: HandlerContext) {
  return defineHandler(
    INVOKE_CHANNELS.copySignInLink,
    noPayload,
    () => {
      const url = session.pendingAuthorizationUrl();
      if (url === null) return { copied: false };
      clipboard.writeText(url);
      return { copied: true };
    },
    context,
  );
}
