/**
 * vitest setup file (vitest.config.ts `setupFiles`): in every test file, while the run-wide leak
 * check is on (`OAUTH_DESKTOP_LEAK_DIR` set, see test/support/output-capture.ts), records
 *
 * - everything written straight to this worker's `process.stdout` / `process.stderr` (console
 *   output goes through vitest's own console and is recorded by `onConsoleLog` in
 *   vitest.config.ts instead);
 * - the message of every `AuthError` constructed — what the UI, the CLI and IPC replies show.
 *
 * How the AuthError hook works, and why it changes nothing: `super(message, options)` in a derived
 * class calls whatever the class's [[Prototype]] is at that moment. Putting a subclass of `Error`
 * that records the message between `AuthError` and `Error` leaves the instance exactly as before
 * (same prototype, name, code, message, cause; still `instanceof Error`), and it only exists in
 * this test run's module graph.
 *
 * Off, and does nothing at all, when the variable is unset.
 */
import { relative } from 'node:path';
import { expect } from 'vitest';
import { AuthError } from '../../main/auth/errors';
import { outputCaptureEnabled, recordOutput } from './output-capture';

function testFile(): string {
  try {
    const path = expect.getState().testPath;
    return path ? relative(process.cwd(), path) : 'setup';
  } catch {
    return 'setup';
  }
}

if (outputCaptureEnabled()) {
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string' || chunk instanceof Uint8Array) {
        recordOutput(`${testFile()}: worker ${name}`, typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      }
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }

  const seen = new Set<string>();
  const Base = Object.getPrototypeOf(AuthError) as ErrorConstructor;
  class RecordingError extends Base {
    constructor(message?: string, options?: ErrorOptions) {
      super(message, options);
      // Messages are built from fixed strings (errors.ts): record each distinct one once.
      if (typeof message === 'string' && !seen.has(message)) {
        seen.add(message);
        recordOutput(`${testFile()}: AuthError message`, message);
      }
    }
  }
  Object.setPrototypeOf(AuthError, RecordingError);
}
