/**
 * What a CLI command module needs from the terminal, so commands are plain functions the
 * composition root (main/cli.ts) wires to `process` and tests drive with strings.
 */
import { AuthError } from '../auth/errors';

/** Output streams. stdout carries the result (for pipes); stderr carries prompts and messages. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Exit codes shared by every command (issue 3): 0 success, 1 failure, 2 usage error. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * Prints a failure as one line on stderr and returns its exit code: 2 for configuration mistakes
 * the user fixes on the command line (`config_invalid`, `grant_refused`), 1 for everything else.
 * Only `AuthError` messages are printed; they never contain a token or secret (CHECKLIST T4).
 */
export function reportFailure(io: CliIo, error: unknown): number {
  if (error instanceof AuthError) {
    io.stderr(`${error.message}\n`);
    return error.code === 'config_invalid' || error.code === 'grant_refused' ? EXIT_USAGE : EXIT_FAILURE;
  }
  io.stderr('Unexpected failure.\n');
  return EXIT_FAILURE;
}

/** `12:34:56 (in 9 min)`: a local time and a rough countdown. */
export function describeExpiry(expiresAt: number, now: number): string {
  const time = new Date(expiresAt).toLocaleTimeString('en-GB', { hour12: false });
  const minutes = Math.round((expiresAt - now) / 60_000);
  if (minutes <= 0) return `${time} (now)`;
  return `${time} (in ${minutes} min)`;
}
