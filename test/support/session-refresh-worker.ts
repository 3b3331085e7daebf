/**
 * A second (third, …) process using the same session: the real core on the real adapters — the
 * same keychain service, the same user-data folder (settings + refresh lock files) — as the app and
 * the CLI would. Used by test/auth/session-concurrency.test.ts to prove that processes sharing a
 * keychain entry redeem a refresh token once (CHECKLIST K12).
 *
 * Protocol: configuration in the env var SESSION_WORKER (JSON: issuer, clientId, resource,
 * apiOrigin, keychainService, userData, scope). Prints `ready` once built, waits for a line on
 * stdin (the start barrier), restores the session, waits for any renewal to settle, calls
 * `apiOrigin/me`, and prints one JSON line `{ state, lastError, status }`. Never prints a token.
 *
 * Run: `tsx test/support/session-refresh-worker.ts`.
 *
 * @module
 */
import { join } from 'node:path';
import { validateConfig } from '../../main/auth/config';
import { createSession } from '../../main/auth/session';
import type { SessionSnapshot } from '../../main/auth/snapshot';
import { silentLogger, systemClock } from '../../main/platform/ports';
import { createFsRefreshLock } from '../../main/platform/refresh-lock.fs';
import { createKeytarSecretStore } from '../../main/platform/secret-store.keytar';
import { createConfSettingsStore } from '../../main/platform/settings.conf';

interface WorkerConfig {
  issuer: string;
  clientId: string;
  resource: string;
  apiOrigin: string;
  keychainService: string;
  userData: string;
  scope: string;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.env.SESSION_WORKER ?? '{}') as WorkerConfig;
  const config = validateConfig({
    issuer: input.issuer,
    clientId: input.clientId,
    scope: input.scope,
    resource: input.resource,
    apiOrigins: input.apiOrigin,
    keychainService: input.keychainService,
  });
  const session = createSession({
    config,
    fetch: globalThis.fetch,
    secretStore: createKeytarSecretStore(),
    settings: createConfSettingsStore({ dir: input.userData }),
    browser: { open: async () => undefined },
    clock: systemClock,
    wakeSignals: { onWake: () => () => undefined },
    refreshLock: createFsRefreshLock({ dir: join(input.userData, 'locks') }),
    logger: silentLogger,
  });
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));

  const restored = await session.restore();
  const settled =
    restored.state === 'refreshing'
      ? await new Promise<SessionSnapshot>((resolve) => {
          const off = session.onChange((s) => {
            if (s.state === 'refreshing') return;
            off();
            resolve(s);
          });
        })
      : restored;
  let status = 0;
  try {
    status = (await session.callApi({ url: `${input.apiOrigin}/me` })).status;
  } catch {
    status = -1;
  }
  process.stdout.write(`${JSON.stringify({ state: settled.state, lastError: settled.lastError, status })}\n`);
  session.dispose();
  process.exit(0);
}

void main();
