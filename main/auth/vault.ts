/**
 * The token vault: sessions in the OS keychain, one entry per (issuer, client, account).
 *
 * The keychain *account* name is `issuer client_id sub` (spaces cannot occur in a URL or a client_id
 * and are rare in `sub`; the three are URI-encoded anyway) so one keychain service can hold sessions
 * for several providers, and a launch finds the entry for the configured provider without network.
 */
import type { SecretStore } from '../platform/ports';
import { AuthError } from './errors';
import { decodeStoredSession, encodeStoredSession, type StoredSession } from './tokens';

/** What `load` found: a session, nothing, or a damaged entry that was removed (reported once). */
export type VaultLoadResult =
  | { kind: 'found'; session: StoredSession }
  | { kind: 'empty' }
  | { kind: 'discarded'; error: AuthError };

/** Reads and writes sessions for one provider registration (issuer + client_id). */
export class TokenVault {
  constructor(
    private readonly store: SecretStore,
    /** Keychain service name (OAUTH_KEYCHAIN_SERVICE, default `oauth-desktop`). */
    readonly service: string,
    readonly issuer: string,
    readonly clientId: string,
  ) {}

  get backend(): string {
    return this.store.backend;
  }

  /** The keychain account name for a subject. */
  accountKey(sub: string): string {
    return [this.issuer, this.clientId, sub].map(encodeURIComponent).join(' ');
  }

  /**
   * Loads the session for this provider, if any. A corrupt or unknown-version entry is deleted and
   * reported as `discarded` (CHECKLIST K5): keeping it would fail every launch the same way.
   * Keychain failures reject with `storage_unavailable`.
   */
  async load(): Promise<VaultLoadResult> {
    const prefix = `${this.accountKey('')}`;
    const accounts = (await this.store.findAccounts(this.service)).filter((a) => a.startsWith(prefix)).sort();
    if (accounts.length === 0) return { kind: 'empty' };
    // One signed-in account per provider registration: if several exist (an older version, a
    // crash between write and delete), the most recently received one wins and the rest are removed.
    let best: StoredSession | null = null;
    let firstError: AuthError | null = null;
    for (const account of accounts) {
      const raw = await this.store.get(this.service, account);
      if (raw === null) continue;
      try {
        const session = decodeStoredSession(raw);
        if (session.issuer !== this.issuer || session.clientId !== this.clientId || this.accountKey(session.account.sub) !== account) {
          throw new AuthError('storage_corrupt', 'The saved session belongs to another provider registration and was discarded. Sign in again.');
        }
        if (best === null || session.receivedAt > best.receivedAt) {
          if (best) await this.store.delete(this.service, this.accountKey(best.account.sub));
          best = session;
        } else {
          await this.store.delete(this.service, account);
        }
      } catch (error) {
        if (!(error instanceof AuthError) || error.code !== 'storage_corrupt') throw error;
        await this.store.delete(this.service, account);
        firstError ??= error;
      }
    }
    if (best) return { kind: 'found', session: best };
    return firstError ? { kind: 'discarded', error: firstError } : { kind: 'empty' };
  }

  /** Writes the session (replacing the entry for its subject). Throws `storage_too_large` / `storage_unavailable`. */
  async save(session: StoredSession): Promise<void> {
    const encoded = encodeStoredSession(session);
    await this.store.set(this.service, this.accountKey(session.account.sub), encoded);
  }

  /**
   * Deletes the entry for `sub` and then reads it back, so sign-out can report that the tokens are
   * really gone (CHECKLIST R3). Resolves true when the entry is verifiably absent.
   */
  async remove(sub: string): Promise<boolean> {
    const account = this.accountKey(sub);
    await this.store.delete(this.service, account);
    return (await this.store.get(this.service, account)) === null;
  }
}
