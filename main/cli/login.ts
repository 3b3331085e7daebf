/**
 * `login [--no-browser]`: browser sign-in (RFC 8252) from a terminal. The system browser opens
 * (honouring $BROWSER); with `--no-browser`, or when no browser can be started, the link is printed
 * on its own line on stderr for the user to open (see {@link cliBrowserLauncher}). stdout gets only
 * who signed in. Ctrl-C (the composition root aborts `signal`) cancels: the loopback listener
 * closes and nothing is stored.
 */
import { AuthError } from '../auth/errors';
import type { SessionService } from '../auth/snapshot';
import type { BrowserLauncher } from '../platform/ports';
import { type CliIo, EXIT_FAILURE, EXIT_OK, reportFailure } from './io';
import { describeAccount } from './session-view';

export interface LoginDeps {
  io: CliIo;
  session: SessionService;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}

/**
 * Exit 0 signed in and saved; 1 when the keychain cannot keep the session (checked BEFORE the
 * browser opens, so nobody signs in for nothing), on cancel, or on any sign-in failure.
 *
 * @see RFC 8252 §4.1, §7.3
 */
export async function loginCommand(deps: LoginDeps): Promise<number> {
  const { io, session } = deps;
  try {
    const before = await session.restore();
    if (!before.storage.available) {
      io.stderr(
        `Cannot sign in from the command line: the keychain is unavailable (${before.storage.detail ?? 'unknown reason'}). ` +
          'The CLI keeps sessions only in the keychain.\n',
      );
      return EXIT_FAILURE;
    }
    io.stderr(`Signing in at ${before.issuer} … (Ctrl-C cancels)\n`);
    const after = await session.signIn({ signal: deps.signal });
    if (!after.account) throw new AuthError('internal', 'The sign-in ended without an account.');
    if (after.memoryOnly) {
      io.stderr(
        `Signed in as ${describeAccount(after.account)}, but the session could not be saved: ${after.lastError?.message ?? 'keychain error'}\n`,
      );
      return EXIT_FAILURE;
    }
    io.stdout(`Signed in as ${describeAccount(after.account)} at ${after.issuer}.\n`);
    return EXIT_OK;
  } catch (error) {
    return reportFailure(io, error);
  }
}

/**
 * The browser port for `login`: the system browser, falling back to printing the link when it
 * cannot be started (L21); with `noBrowser`, only the link. The link goes to stderr on a line of
 * its own so a script or a person can pick it up; it is the one place the authorization URL (which
 * carries `state`) is shown, because the user must open it.
 */
export function cliBrowserLauncher(system: BrowserLauncher, io: CliIo, noBrowser: boolean): BrowserLauncher {
  return {
    async open(url) {
      if (noBrowser) {
        io.stderr(`Open this link in a browser to sign in:\n${url}\n`);
        return;
      }
      try {
        await system.open(url);
        io.stderr('Your browser is open: finish signing in there.\n');
      } catch (error) {
        const reason = error instanceof AuthError ? error.message : 'no browser could be started';
        io.stderr(`${reason}\nOpen this link in a browser to sign in:\n${url}\n`);
        throw error;
      }
    },
  };
}
