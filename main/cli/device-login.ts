/**
 * `login --device`: sign in by entering a code on another device (RFC 8628), for SSH sessions,
 * WSL and machines without a usable browser. It runs through the same session service as `login`
 * (same keychain entry, same checks); the code and page go to stderr with a phishing warning
 * (RFC 8628 §5.4), stdout gets only who signed in.
 */
import type { AppConfig } from '../auth/config';
import { assertDeviceFlowEnabled } from '../auth/device';
import { AuthError } from '../auth/errors';
import type { PendingSignIn, SessionService } from '../auth/snapshot';
import type { Clock } from '../platform/ports';
import { type CliIo, describeExpiry, EXIT_FAILURE, EXIT_OK, reportFailure } from './io';
import { describeAccount } from './session-view';

type DeviceCode = Extract<PendingSignIn, { kind: 'device' }>;

export interface DeviceLoginDeps {
  io: CliIo;
  config: AppConfig;
  session: SessionService;
  clock: Clock;
  /** Ctrl-C: the composition root aborts it on SIGINT. */
  signal?: AbortSignal;
  /** Tests only: called once the code is shown (a test plays the user on the other device). */
  onCode?: (code: DeviceCode) => void;
}

/**
 * Runs the device sign-in and stores the session. Exit 0 signed in; 1 denied, expired, cancelled,
 * no keychain, or failed; 2 when the device flow is not enabled (a configuration choice, §5.4).
 *
 * @see RFC 8628 §3.3 (user interaction)
 */
export async function deviceLoginCommand(deps: DeviceLoginDeps): Promise<number> {
  const { io, session } = deps;
  let unsubscribe = (): void => {};
  try {
    assertDeviceFlowEnabled(deps.config);
    // The CLI keeps sessions only in the keychain: check it BEFORE the user types a code for nothing.
    const before = await session.restore();
    if (!before.storage.available) {
      io.stderr(
        `Cannot sign in from the command line: the keychain is unavailable (${before.storage.detail ?? 'unknown reason'}). ` +
          'The CLI keeps sessions only in the keychain.\n',
      );
      return EXIT_FAILURE;
    }
    let shown = false;
    unsubscribe = session.onChange((snapshot) => {
      if (shown || snapshot.signIn?.kind !== 'device') return;
      shown = true;
      io.stderr(instructions(snapshot.signIn, deps.clock.now()));
      deps.onCode?.(snapshot.signIn);
    });
    const after = await session.signInWithDevice({ signal: deps.signal });
    if (!after.account) throw new AuthError('internal', 'The sign-in ended without an account.');
    if (after.memoryOnly) {
      io.stderr(`Signed in as ${describeAccount(after.account)}, but the session could not be saved: ${after.lastError?.message ?? 'keychain error'}\n`);
      return EXIT_FAILURE;
    }
    io.stdout(`Signed in as ${describeAccount(after.account)} at ${after.issuer}.\n`);
    return EXIT_OK;
  } catch (error) {
    return reportFailure(io, error);
  } finally {
    unsubscribe();
  }
}

function instructions(code: DeviceCode, now: number): string {
  return [
    '',
    'To sign in, open this page on any device:',
    `    ${code.verificationUri}`,
    'and enter the code:',
    `    ${code.userCode}`,
    ...(code.verificationUriComplete ? ['', `Or open this link, which fills in the code: ${code.verificationUriComplete}`] : []),
    '',
    'Enter this code only if you started this sign-in yourself, just now. Never enter a code that someone',
    'sent you: whoever started the sign-in would get access to your account (RFC 8628 §5.4).',
    '',
    `The code expires at ${describeExpiry(code.expiresAt, now)}. Waiting… (Ctrl-C cancels)`,
    '',
  ].join('\n');
}
