/**
 * `login --device`: sign in by entering a code on another device (RFC 8628), for SSH sessions,
 * WSL and machines without a usable browser. The code and page go to stderr with a phishing
 * warning (RFC 8628 §5.4); stdout gets only who signed in. Tokens go to the same keychain entry
 * as the browser sign-in.
 */
import { assertDeviceFlowEnabled, type DeviceSignInOptions, type Sleeper, startDeviceSignIn } from '../auth/device';
import { discoverProvider } from '../auth/discovery';
import type { AppConfig } from '../auth/config';
import { TokenVault } from '../auth/vault';
import type { Clock, FetchLike, Logger, SecretStore, SettingsStore } from '../platform/ports';
import { type CliIo, describeExpiry, EXIT_OK, reportFailure } from './io';

export interface DeviceLoginDeps {
  io: CliIo;
  fetch: FetchLike;
  clock: Clock;
  logger: Logger;
  settings: SettingsStore;
  secrets: SecretStore;
  /** Ctrl-C: the composition root aborts it on SIGINT. */
  signal?: AbortSignal;
  /** Tests only. */
  sleep?: Sleeper;
  /** Tests only: called once the code is shown (a test plays the user on the other device). */
  onCode?: (code: { userCode: string; verificationUri: string; verificationUriComplete: string | null }) => void;
}

export interface DeviceLoginFlags {
  /** Tests only: poll faster than the provider's interval. */
  intervalMs?: number;
}

/**
 * Runs the device sign-in and stores the session. Exit 0 signed in; 1 denied, expired, cancelled
 * or failed; 2 when the device flow is not enabled (a configuration choice, RFC 8628 §5.4).
 *
 * @see RFC 8628 §3.3 (user interaction)
 */
export async function deviceLoginCommand(config: AppConfig, flags: DeviceLoginFlags, deps: DeviceLoginDeps): Promise<number> {
  const { io } = deps;
  try {
    assertDeviceFlowEnabled(config);
    // The CLI keeps sessions only in the keychain: check it BEFORE the user types a code for nothing.
    const vault = new TokenVault(deps.secrets, config.keychainService, config.issuer, config.clientId);
    await vault.load();
    const provider = await discoverProvider(config, deps);
    const options: DeviceSignInOptions = { signal: deps.signal };
    if (flags.intervalMs !== undefined) options.intervalMs = flags.intervalMs;
    const signIn = await startDeviceSignIn({ config, provider, clock: deps.clock, logger: deps.logger, sleep: deps.sleep }, options);
    io.stderr(
      [
        '',
        'To sign in, open this page on any device:',
        `    ${signIn.verificationUri}`,
        'and enter the code:',
        `    ${signIn.userCode}`,
        ...(signIn.verificationUriComplete ? ['', `Or open this link, which fills in the code: ${signIn.verificationUriComplete}`] : []),
        '',
        'Enter this code only if you started this sign-in yourself, just now. Never enter a code that someone',
        'sent you: whoever started the sign-in would get access to your account (RFC 8628 §5.4).',
        '',
        `The code expires at ${describeExpiry(signIn.expiresAt, deps.clock.now())}. Waiting… (Ctrl-C cancels)`,
        '',
      ].join('\n'),
    );
    deps.onCode?.({
      userCode: signIn.userCode,
      verificationUri: signIn.verificationUri,
      verificationUriComplete: signIn.verificationUriComplete,
    });
    const session = await signIn.result;
    await vault.save(session);
    const who = [session.account.name, session.account.email ? `<${session.account.email}>` : undefined].filter(Boolean).join(' ');
    io.stdout(`Signed in as ${who || session.account.sub} (${session.account.sub}) at ${config.issuer}.\n`);
    return EXIT_OK;
  } catch (error) {
    return reportFailure(io, error);
  }
}
