import { appendFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * The run-wide leak check (issue 8 §3, CHECKLIST T4): with OAUTH_DESKTOP_LEAK_DIR set (npm test
 * sets it), every console line of every test is recorded for scripts/check-leaks.mjs, in the
 * format of test/support/output-capture.ts (not imported: the config loader wants no extension-less
 * imports). Without the variable this does nothing.
 */
function recordConsole(source: string, text: string): void {
  const dir = process.env.OAUTH_DESKTOP_LEAK_DIR;
  if (!dir || !text) return;
  appendFileSync(join(dir, `outputs-${process.pid}.jsonl`), `${JSON.stringify({ source, text })}\n`, { mode: 0o600 });
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // keytar is a native addon and the bench servers bind sockets: separate processes are the
    // honest isolation (worker threads share one libsecret connection).
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Nothing secret may be printed; a test that needs output captures it itself.
    silent: false,
    // Leak check: worker stdout/stderr and AuthError messages (setup file), console lines (below).
    setupFiles: ['test/support/output-capture.setup.ts'],
    onConsoleLog(log, type, entity) {
      const file = entity && 'module' in entity ? entity.module.moduleId : entity && 'moduleId' in entity ? entity.moduleId : undefined;
      recordConsole(`${file ? relative(process.cwd(), file) : 'vitest'}: console ${type}`, log);
    },
    // electron-store imports `electron` at load time; inlining it lets the shell tests' fake
    // `electron` module (vi.mock, test/windows/fake-electron.ts) reach it. Nothing else changes.
    server: { deps: { inline: ['electron-store'] } },
  },
});
