/**
 * The real OS keychain for tests (Linux: gnome-keyring's Secret Service over a private D-Bus
 * session started by scripts/with-keyring.sh). Each test gets its own service name and removes
 * everything under it afterwards.
 *
 * Public API:
 * - `assertKeyringAvailable(): Promise<void>` — a write/read/delete probe; throws an Error that says
 *   how to run the tests when no Secret Service is reachable (never a skip).
 * - `uniqueKeychainService(label?): string` — `oauth-desktop-test-<label>-<random>`.
 * - `openTestKeychain(label?): Promise<TestKeychain>` — probe + unique service + helpers:
 *   `service`, `get(account)`, `set(account, secret)`, `delete(account)`, `accounts()`, `cleanup()`.
 * - `clearKeychainService(service): Promise<number>` — deletes every entry under a service.
 * - `loadKeytar(): typeof import('keytar')` — the native module, with a clear error if it is broken.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

type Keytar = typeof import('keytar');

/** Prefix of every service name tests create, so leftovers are recognisable. */
export const TEST_SERVICE_PREFIX = 'oauth-desktop-test-';

const HOW_TO_RUN =
  'Tests that touch the keychain need a Secret Service: run them with `npm test`, or wrap the command: ' +
  '`bash scripts/with-keyring.sh npx vitest run <file>` (needs gnome-keyring and dbus: ' +
  'sudo bash scripts/install-system-deps.sh).';

let keytar: Keytar | undefined;

/** Loads keytar (a native addon); a build or load failure becomes a message that says what to do. */
export function loadKeytar(): Keytar {
  if (keytar) return keytar;
  try {
    keytar = createRequire(import.meta.url)('keytar') as Keytar;
    return keytar;
  } catch (err) {
    throw new Error(
      `keytar (the OS keychain module) could not be loaded: ${(err as Error).message}. ` +
        'Reinstall with the libsecret headers present: sudo bash scripts/install-system-deps.sh && npm ci.',
      { cause: err },
    );
  }
}

/** A fresh service name for one test. */
export function uniqueKeychainService(label = 'run'): string {
  const safe = label.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40);
  return `${TEST_SERVICE_PREFIX}${safe}-${randomBytes(6).toString('hex')}`;
}

/**
 * Proves a keychain is reachable by writing, reading and deleting a probe entry.
 * Throws with {@link HOW_TO_RUN} in the message when it is not.
 */
export async function assertKeyringAvailable(): Promise<void> {
  const k = loadKeytar();
  const service = uniqueKeychainService('probe');
  const probe = randomBytes(8).toString('hex');
  try {
    await k.setPassword(service, 'probe', probe);
    const back = await k.getPassword(service, 'probe');
    if (back !== probe) throw new Error('the keychain returned a different value than was stored');
  } catch (err) {
    throw new Error(`No usable OS keychain (${(err as Error).message}). ${HOW_TO_RUN}`, { cause: err });
  } finally {
    await k.deletePassword(service, 'probe').catch(() => false);
  }
}

/** Deletes every entry under `service`; returns how many were deleted. */
export async function clearKeychainService(service: string): Promise<number> {
  const k = loadKeytar();
  const entries = await k.findCredentials(service);
  let deleted = 0;
  for (const { account } of entries) {
    if (await k.deletePassword(service, account)) deleted += 1;
  }
  return deleted;
}

/** A private corner of the real keychain for one test. */
export interface TestKeychain {
  /** The service name to pass to the code under test. */
  readonly service: string;
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
  /** Account names stored under the service. */
  accounts(): Promise<string[]>;
  /** Removes everything under the service and checks nothing is left; returns how many were removed. */
  cleanup(): Promise<number>;
}

/**
 * Probes the keychain and hands out a unique service; call `cleanup()` in `afterEach`.
 * @see CHECKLIST K1–K3
 */
export async function openTestKeychain(label?: string): Promise<TestKeychain> {
  await assertKeyringAvailable();
  const k = loadKeytar();
  const service = uniqueKeychainService(label);
  return {
    service,
    get: (account) => k.getPassword(service, account),
    set: (account, secret) => k.setPassword(service, account, secret),
    delete: (account) => k.deletePassword(service, account),
    accounts: async () => (await k.findCredentials(service)).map((c) => c.account),
    async cleanup() {
      const removed = await clearKeychainService(service);
      const left = await k.findCredentials(service);
      if (left.length > 0) throw new Error(`keychain cleanup left ${left.length} entries under ${service}`);
      return removed;
    },
  };
}
