/**
 * One running app per user (CHECKLIST E16, K12): a second launch hands over to the first, which
 * comes to the front, and exits. Two instances would each run a refresh timer over the same
 * keychain entry and race to redeem the same refresh token.
 *
 * @see https://www.electronjs.org/docs/latest/api/app#apprequestsingleinstancelockadditionaldata
 */
import type { App } from 'electron';

/**
 * Takes the single-instance lock. Returns false — after asking the app to quit — when another
 * instance holds it; the caller must then do nothing else. Otherwise `onSecondInstance` runs each
 * time another launch is attempted.
 */
export function claimSingleInstance(
  app: Pick<App, 'requestSingleInstanceLock' | 'quit' | 'on'>,
  onSecondInstance: () => void,
): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => onSecondInstance());
  return true;
}
