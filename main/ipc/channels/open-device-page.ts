/**
 * `auth:open-device-page`: opens the pending device sign-in's verification page in the system
 * browser (RFC 8628 §3.3). The page names no URL: the main process opens the one the core holds,
 * through a launcher that vets it to the provider's own origin (CHECKLIST E9,
 * main/auth/external-url.ts `vetVerificationUri`). The plain `verification_uri` is opened, not the
 * `_complete` one: the person types the code they read in the app, which is the check §5.4 asks
 * them to make.
 */
import { INVOKE_CHANNELS } from '../../../preload/contract';
import { AuthError, isAuthError } from '../../auth/errors';
import type { SessionService } from '../../auth/snapshot';
import type { BrowserLauncher } from '../../platform/ports';
import { defineHandler, type HandlerContext } from '../handler';
import { noPayload } from './no-payload';

/** @see INVOKE_CHANNELS.openDevicePage */
export function openDevicePageHandler(session: SessionService, launcher: BrowserLauncher, context: HandlerContext) {
  return defineHandler(
    INVOKE_CHANNELS.openDevicePage,
    noPayload,
    async () => {
      const pending = session.snapshot().signIn;
      if (pending?.kind !== 'device') throw new AuthError('not_signed_in', 'No sign-in with a code is in progress.');
      try {
        await launcher.open(pending.verificationUri);
      } catch (error) {
        if (isAuthError(error, 'browser_unavailable')) {
          // The launcher's own advice ("Copy link") is for the browser flow; here the address is on screen.
          throw new AuthError('browser_unavailable', 'No browser could be opened. Type the address shown into a browser on any device.', {
            cause: error,
          });
        }
        throw error;
      }
      return null;
    },
    context,
  );
}

/** The launcher used when none is wired: says so instead of opening anything. */
export const noDevicePageLauncher: BrowserLauncher = {
  async open() {
    throw new AuthError('browser_unavailable', 'No browser could be opened. Type the address shown into a browser on any device.');
  },
};
