/**
 * `auth:sign-in-with-device`: starts a device sign-in (RFC 8628) and resolves when it ends. The
 * user code and where to enter it reach the page in `SessionView.signIn` through session-changed
 * events; the `device_code` stays in the core. A second sign-in of either kind cancels the first
 * (CHECKLIST L22).
 */
import { INVOKE_CHANNELS } from '../../../preload/contract';
import { assertDeviceFlowEnabled } from '../../auth/device';
import type { SessionService } from '../../auth/snapshot';
import { defineHandler, type HandlerContext } from '../handler';
import { toSessionView, type ViewContext } from '../views';
import { noPayload } from './no-payload';

/** @see INVOKE_CHANNELS.signInWithDevice */
export function signInWithDeviceHandler(session: SessionService, view: ViewContext, context: HandlerContext) {
  return defineHandler(
    INVOKE_CHANNELS.signInWithDevice,
    noPayload,
    async () => {
      // Opt-in (RFC 8628 §5.4). Refused before the session is touched: starting would cancel a
      // pending browser sign-in only to fail. The session refuses too; this is the same config.
      assertDeviceFlowEnabled({ deviceFlow: view.deviceFlow === true });
      return toSessionView(await session.signInWithDevice(), view);
    },
    context,
  );
}
