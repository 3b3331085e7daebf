import { defineConfig } from 'vitest/config';

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
    // electron-store imports `electron` at load time; inlining it lets the shell tests' fake
    // `electron` module (vi.mock, test/windows/fake-electron.ts) reach it. Nothing else changes.
    server: { deps: { inline: ['electron-store'] } },
  },
});
