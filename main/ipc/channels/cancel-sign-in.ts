/** `auth:cancel-sign-in`: abandons the pending sign-in; its listener closes (CHECKLIST L20, N6). */
import { INVOKE_CHANNELS } from '../../../preload/contract';
import type { SessionService } from '../../auth/snapshot';
import { defineHandler, type HandlerContext } from '../handler';
import { noPayload } from './no-payload';

/** @see INVOKE_CHANNELS.cancelSignIn */
export function cancelSignInHandler(session: SessionService, context: HandlerContext) {
  return defineHandler(
    INVOKE_CHANNELS.cancelSignIn,
    noPayload,
    () => {
      session.cancelSignIn();
      return null;
    },
    context,
  );
}
