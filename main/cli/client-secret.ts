/**
 * `client-secret set | delete`: keeps a confidential client's secret in the OS keychain (account
 * `client-secret <issuer> <client_id>`), so scripts need neither OAUTH_CLIENT_SECRET in their
 * environment nor — never — the secret on the command line. `set` reads the secret from stdin
 * (piped, or typed without echo).
 */
import { deleteClientSecret, storeClientSecret } from '../auth/client-credentials';
import type { AppConfig } from '../auth/config';
import { AuthError } from '../auth/errors';
import type { SecretStore } from '../platform/ports';
import { type CliIo, EXIT_OK, reportFailure } from './io';

export interface ClientSecretDeps {
  io: CliIo;
  secrets: SecretStore;
  /** Reads the secret (the composition root passes {@link readSecretFromStdin}). */
  readSecret: () => Promise<string>;
}

/**
 * Exit 0 when stored/deleted (delete of nothing is still 0, with a note), 1 on keychain failure,
 * 2 for an empty secret.
 */
export async function clientSecretCommand(config: AppConfig, action: 'set' | 'delete', deps: ClientSecretDeps): Promise<number> {
  const { io } = deps;
  try {
    if (action === 'set') {
      const secret = await deps.readSecret();
      await storeClientSecret(config, deps.secrets, secret);
      io.stdout(`Client secret for ${config.clientId} stored in the keychain (service ${config.keychainService}).\n`);
    } else {
      const removed = await deleteClientSecret(config, deps.secrets);
      io.stdout(removed ? `Client secret for ${config.clientId} removed from the keychain.\n` : `No stored client secret for ${config.clientId}.\n`);
    }
    return EXIT_OK;
  } catch (error) {
    return reportFailure(io, error);
  }
}

/**
 * Reads a secret from stdin: the whole input when piped (`printf %s "$SECRET" | … client-secret set`),
 * or one line typed with echo off on a terminal. Trailing line breaks are dropped.
 */
export function readSecretFromStdin(stdin: NodeJS.ReadStream, prompt: (text: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const terminal = stdin.isTTY === true;
    if (terminal) {
      prompt('Client secret (input hidden): ');
      stdin.setRawMode(true);
    }
    stdin.setEncoding('utf8');
    const finish = () => {
      cleanup();
      resolve(data.replace(/[\r\n]+$/, ''));
    };
    const onData = (chunk: string) => {
      if (!terminal) {
        data += chunk;
        return;
      }
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          prompt('\n');
          finish();
          return;
        }
        if (ch === '\u0003') {
          cleanup();
          reject(new AuthError('cancelled', 'Cancelled: no secret was stored.'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') data = data.slice(0, -1);
        else data += ch;
      }
    };
    const cleanup = () => {
      stdin.off('data', onData);
      stdin.off('end', finish);
      if (terminal) stdin.setRawMode(false);
      stdin.pause();
    };
    stdin.on('data', onData);
    stdin.on('end', finish);
    stdin.resume();
  });
}
