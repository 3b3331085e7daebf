/**
 * `auth:sign-in`: starts a browser sign-in (RFC 8252) and resolves when it ends. Progress reaches
 * the page as `auth:session-changed` events; a second call cancels the first (CHECKLIST L22).
 */
import { INVOKE_CHANNELS } from '../../../preload/contract';
import type { SessionService } from '../../auth/snapshot';
import { defineHandler, type HandlerContext } from '../handler';
import { toSessionView, type ViewContext } from '../views';
import { noPayload } from './no-payload';

/** @see INVOKE_CHANNELS.signIn */
export function signInHandler(session: SessionService, view: ViewContext, context: HandlerContext) {
  return defineHandler(INVOKE_CHANNELS.signIn, noPayload, async () => toSessionView(await session.signIn(), view), context);
}
