/**
 * BrowserLauncher in the app: `shell.openExternal`, for vetted URLs only (CHECKLIST E9, N1).
 *
 * Every URL passes {@link vetExternalUrl} first — https (http only for a loopback demo/test
 * issuer), the provider's discovered authorization or end-session endpoint — because
 * openExternal hands the URL to whatever the OS registered for its scheme.
 */
import { shell } from 'electron';
import { AuthError } from '../auth/errors';
import { type ExternalUrlPolicy, vetExternalUrl } from '../auth/external-url';
import type { BrowserLauncher } from './ports';

export interface ElectronBrowserLauncherOptions {
  /** Read at each `open`, so endpoints discovered after launch are allowed. */
  policy: () => ExternalUrlPolicy;
  /** Defaults to Electron's `shell.openExternal`. */
  openExternal?: (url: string) => Promise<void>;
  /**
   * The vetting applied before opening. Default {@link vetExternalUrl} (the sign-in and logout
   * endpoints); the device flow's verification page uses `vetVerificationUri`.
   */
  vet?: (url: string, policy: ExternalUrlPolicy) => URL;
}

/**
 * Creates the Electron {@link BrowserLauncher}.
 * @see https://www.electronjs.org/docs/latest/api/shell#shellopenexternalurl-options
 */
export function createElectronBrowserLauncher(options: ElectronBrowserLauncherOptions): BrowserLauncher {
  const openExternal = options.openExternal ?? ((url: string) => shell.openExternal(url, { activate: true }));
  const vet = options.vet ?? vetExternalUrl;
  return {
    async open(url) {
      const vetted = vet(url, options.policy());
      try {
        await openExternal(vetted.href);
      } catch (cause) {
        throw new AuthError(
          'browser_unavailable',
          'No browser could be opened. Use "Copy link" and paste it into your browser.',
          { cause },
        );
      }
    },
  };
}
