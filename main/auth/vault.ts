/**
 * The token vault: the signed-in session of each provider registration in the OS keychain.
 *
 * One entry per (issuer, client): the keychain *account* name is `issuer client_id` (URI-encoded;
 * a space cannot occur in either), so one keychain service can hold sessions for several providers
 * and a launch reads its session with ONE keychain lookup, without listing the service (listing
 * costs two to four lookups on the Secret Service: the launch-restore benchmark, issue 7). The
 * account (`sub`) is inside the record; a sign-in as someone else replaces the entry.
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

  /** The keychain account name of this registration's session. */
  get entryKey(): string {
    return [this.issuer, this.clientId].map(encodeURIComponent).join(' ');
  }

  /** Per-subject name: the key of the cross-process refresh lock for this account's session. */
  accountKey(sub: string): string {
    return [this.issuer, this.clientId, sub].map(encodeURIComponent).join(' ');
  }

  /**
   * Loads the session for this provider, if any. A corrupt or unknown-version entry is deleted and
   * reported as `discarded` (CHECKLIST K5): keeping it would fail every launch the same way.
   * Keychain failures reject with `storage_unavailable`.
   */
  async load(): Promise<VaultLoadResult> {
    const raw = await this.store.get(this.service, this.entryKey);
    if (raw === null) return { kind: 'empty' };
    try {
      return { kind: 'found', session: this.decode(raw) };
    } catch (error) {
      if (!(error instanceof AuthError) || error.code !== 'storage_corrupt') throw error;
      await this.store.delete(this.service, this.entryKey);
      return { kind: 'discarded', error };
    }
  }

  /** Writes the session (replacing this registration's entry). Throws `storage_too_large` / `storage_unavailable`. */
  async save(session: StoredSession): Promise<void> {
    const encoded = encodeStoredSession(session);
    await this.store.set(this.service, this.entryKey, encoded);
  }

  /**
   * Deletes what is stored for `sub` and reads it back, so sign-out can report that the tokens are
   * really gone (CHECKLIST R3). The entry is left alone when it holds another account's session
   * (a newer sign-in replaced ours). Resolves true when nothing of `sub` is left.
   */
  async remove(sub: string): Promise<boolean> {
    const raw = await this.store.get(this.service, this.entryKey);
    if (raw === null || !this.holds(raw, sub)) return true;
    await this.store.delete(this.service, this.entryKey);
    return (await this.store.get(this.service, this.entryKey)) === null;
  }

  /** Decodes an entry of this registration; `storage_corrupt` when it is damaged or someone else's. */
  private decode(raw: string): StoredSession {
    const session = decodeStoredSession(raw);
    if (session.issuer !== this.issuer || session.clientId !== this.clientId) {
      throw new AuthError('storage_corrupt', 'The saved session belongs to another provider registration and was discarded. Sign in again.');
    }
    return session;
  }

  /** Whether an entry holds `sub`'s session (a damaged entry counts as anyone's: it goes too). */
  private holds(raw: string, sub: string): boolean {
    try {
      return decodeStoredSession(raw).account.sub === sub;
    } catch {
      return true;
    }
  }
}
