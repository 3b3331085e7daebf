/** `auth:get-session`: the current session, as the renderer may see it. */
import { INVOKE_CHANNELS } from '../../../preload/contract';
import type { SessionService } from '../../auth/snapshot';
import { defineHandler, type HandlerContext } from '../handler';
import { toSessionView, type ViewContext } from '../views';
import { noPayload } from './no-payload';

/** @see INVOKE_CHANNELS.getSession */
export function getSessionHandler(session: SessionService, view: ViewContext, context: HandlerContext) {
  return defineHandler(INVOKE_CHANNELS.getSession, noPayload, () => toSessionView(session.snapshot(), view), context);
}
