/** `auth:retry`: the UI's Retry — refresh now instead of waiting for the backoff (CHECKLIST K9). */
import { INVOKE_CHANNELS } from '../../../preload/contract';
import type { SessionService } from '../../auth/snapshot';
import { defineHandler, type HandlerContext } from '../handler';
import { toSessionView, type ViewContext } from '../views';
import { noPayload } from './no-payload';

/** @see INVOKE_CHANNELS.retry */
export function retryHandler(session: SessionService, view: ViewContext, context: HandlerContext) {
  return defineHandler(INVOKE_CHANNELS.retry, noPayload, async () => toSessionView(await session.retryNow(), view), context);
}
