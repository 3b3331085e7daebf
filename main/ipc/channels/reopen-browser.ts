/** `auth:reopen-browser`: opens the pending authorization URL in the system browser again. */
import { INVOKE_CHANNELS } from '../../../preload/contract';
import type { SessionService } from '../../auth/snapshot';
import { defineHandler, type HandlerContext } from '../handler';
import { noPayload } from './no-payload';

/** @see INVOKE_CHANNELS.reopenBrowser */
export function reopenBrowserHandler(session: SessionService, context: HandlerContext) {
  return defineHandler(
    INVOKE_CHANNELS.reopenBrowser,
    noPayload,
    async () => {
      await session.reopenBrowser();
      return null;
    },
    context,
  );
}
