/**
 * The output half of the run-wide leak check (CHECKLIST T4, issue 8 §3): what the product printed,
 * logged, replied over IPC or put in an error message during a test run is appended to
 * `$OAUTH_DESKTOP_LEAK_DIR/outputs-<pid>.jsonl`, one JSON object `{ source, text }` per line, for
 * `scripts/check-leaks.mjs` to search for every secret the bench provider recorded
 * (dev-provider/leak-recorder.ts). Off (a no-op) unless that variable is set — scripts/test.sh
 * sets it for `npm test`.
 *
 * Public API:
 * - `outputCaptureEnabled(): boolean`
 * - `recordOutput(source, text)` — `source` says where the text came from, e.g.
 *   `"test/cli/cli.test.ts: CLI child stderr"`; the checker prints it when it finds a leak.
 * - `capturedIo(source)` — a CLI `io` (stdout/stderr writers) that keeps the text for the test's own
 *   assertions and records it.
 *
 * Must not import vitest: vitest.config.ts (the runner's main process) uses it too.
 *
 * @module
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Same variable as dev-provider/leak-recorder.ts. */
const LEAK_DIR_ENV = 'OAUTH_DESKTOP_LEAK_DIR';

let prepared: string | null = null;

function outputFile(): string | null {
  const dir = process.env[LEAK_DIR_ENV];
  if (!dir) return null;
  const file = join(dir, `outputs-${process.pid}.jsonl`);
  if (prepared !== file) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    prepared = file;
  }
  return file;
}

/** True when this run records outputs (`OAUTH_DESKTOP_LEAK_DIR` is set). */
export function outputCaptureEnabled(): boolean {
  return Boolean(process.env[LEAK_DIR_ENV]);
}

/** Appends one output to the capture file; a no-op when capture is off or `text` is empty. */
export function recordOutput(source: string, text: string): void {
  if (!text) return;
  const file = outputFile();
  if (!file) return;
  appendFileSync(file, `${JSON.stringify({ source, text })}\n`, { mode: 0o600 });
}

/** A CLI `io` that accumulates stdout/stderr in `out` and records both as outputs of `source`. */
export function capturedIo(source: string): {
  out: { stdout: string; stderr: string };
  io: { stdout(text: string): void; stderr(text: string): void };
} {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout(text) {
        out.stdout += text;
        recordOutput(`${source} stdout`, text);
      },
      stderr(text) {
        out.stderr += text;
        recordOutput(`${source} stderr`, text);
      },
    },
  };
}
