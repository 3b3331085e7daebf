/**
 * `auth:copy-device-code`: the main process copies the pending device sign-in's user code to the
 * clipboard. The code is display data (RFC 8628 §3.3) and the page shows it; copying happens here
 * because the page's own clipboard access is a permission, and the shell denies every permission
 * request (CHECKLIST E6). Only the user code is ever copied: never a URL, never a token.
 */
import { INVOKE_CHANNELS } from '../../../preload/contract';
import type { SessionService } from '../../auth/snapshot';
import { defineHandler, type HandlerContext } from '../handler';
import type { ClipboardWriter } from './copy-sign-in-link';
import { noPayload } from './no-payload';

/** @see INVOKE_CHANNELS.copyDeviceCode */
export function copyDeviceCodeHandler(session: SessionService, clipboard: ClipboardWriter, context: HandlerContext) {
  return defineHandler(
    INVOKE_CHANNELS.copyDeviceCode,
    noPayload,
    () => {
      const pending = session.snapshot().signIn;
      if (pending?.kind !== 'device') return { copied: false };
      clipboard.writeText(pending.userCode);
      return { copied: true };
    },
    context,
  );
}
