/** `auth:sign-out`: revoke, delete local tokens, report each step (CHECKLIST R1–R4). */
import { INVOKE_CHANNELS } from '../../../preload/contract';
import type { SessionService } from '../../auth/snapshot';
import { defineHandler, type HandlerContext } from '../handler';
import { toSignOutView } from '../views';
import { noPayload } from './no-payload';

/** @see INVOKE_CHANNELS.signOut */
export function signOutHandler(session: SessionService, context: HandlerContext) {
  return defineHandler(INVOKE_CHANNELS.signOut, noPayload, async () => toSignOutView(await session.signOut()), context);
}
