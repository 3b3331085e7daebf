/**
 * SecretStore backed by the OS keychain through keytar: macOS Keychain, Windows Credential Manager,
 * Linux Secret Service (gnome-keyring, KWallet) over D-Bus.
 *
 * keytar is loaded lazily: a missing or broken native module (CHECKLIST K3), no D-Bus session or no
 * Secret Service (K2), or a locked keychain (K1) all become one typed
 * `AuthError('storage_unavailable')` carrying the OS's reason. There is deliberately no plaintext
 * fallback: a token file in the home folder is exactly what the keychain exists to prevent.
 */
import { createRequire } from 'node:module';
import { AuthError } from '../auth/errors';
import type { SecretStore } from './ports';

type Keytar = typeof import('keytar');

/** The keytar functions we use; injectable so tests can load a module that fails to load. */
export type KeytarLoader = () => Keytar;

const defaultLoader: KeytarLoader = () => createRequire(import.meta.url)('keytar') as Keytar;

/** Creates the keychain-backed {@link SecretStore}. Nothing is loaded until first use. */
export function createKeytarSecretStore(load: KeytarLoader = defaultLoader): SecretStore {
  let keytar: Keytar | null = null;
  const backend = backendName();

  function module(): Keytar {
    if (keytar) return keytar;
    try {
      keytar = load();
      return keytar;
    } catch (cause) {
      throw new AuthError(
        'storage_unavailable',
        `The keychain module could not be loaded (${reasonOf(cause)}). Your session will last until the app closes.`,
        { cause },
      );
    }
  }

  async function call<T>(what: string, fn: (k: Keytar) => Promise<T>): Promise<T> {
    const k = module();
    try {
      return await fn(k);
    } catch (cause) {
      throw new AuthError('storage_unavailable', `${backend} is not available (${what}: ${reasonOf(cause)}). ${hint()}`, {
        cause,
      });
    }
  }

  return {
    backend,
    get: (service, account) => call('read', (k) => k.getPassword(service, account)),
    set: (service, account, secret) => call('write', (k) => k.setPassword(service, account, secret)),
    delete: (service, account) => call('delete', (k) => k.deletePassword(service, account)),
  };
}

function backendName(): string {
  switch (process.platform) {
    case 'darwin':
      return 'macOS Keychain';
    case 'win32':
      return 'Windows Credential Manager';
    default:
      return 'Secret Service keyring';
  }
}

function hint(): string {
  if (process.platform === 'linux') {
    return 'Install and unlock a keyring (gnome-keyring or KWallet) in your desktop session. Your session will last until the app closes.';
  }
  return 'Unlock your keychain and try again. Your session will last until the app closes.';
}

/** The OS's words, first line only; keytar's messages never contain the secret itself. */
function reasonOf(cause: unknown): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  return message.split('\n')[0]!.slice(0, 200);
}
