/**
 * A per-provider, unbounded in-memory adapter for oidc-provider.
 *
 * Why not oidc-provider's own memory adapter: it is an LRU capped at 1,000 entries, so a benchmark
 * doing thousands of refreshes silently evicts live grants, and it cannot list the grants of an
 * account (needed by `revokeGrant('alice')`). Expired entries are swept on write.
 *
 * Public API: `createMemoryStore(): MemoryStore` with `adapterFactory`, `grantIdsOf(accountId)`,
 * `hasGrant(grantId)`, `destroyGrant(grantId)`.
 *
 * @module
 */

/** What oidc-provider stores: an opaque JSON payload with a few well-known fields. */
type Payload = Record<string, unknown> & {
  grantId?: string;
  userCode?: string;
  uid?: string;
  accountId?: string;
  consumed?: number;
};

interface Entry {
  payload: Payload;
  expiresAt: number;
}

/** The adapter interface oidc-provider calls (one instance per model name). */
export interface OidcAdapter {
  upsert(id: string, payload: Payload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<Payload | undefined>;
  findByUserCode(userCode: string): Promise<Payload | undefined>;
  findByUid(uid: string): Promise<Payload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

/** Storage shared by the adapters of one provider instance. */
export interface MemoryStore {
  /** Pass as oidc-provider's `adapter` configuration. */
  adapterFactory: (model: string) => OidcAdapter;
  /** Ids of the grants (stored `Grant` model) that belong to an account. */
  grantIdsOf(accountId: string): string[];
  /** Whether a live grant with that id exists. */
  hasGrant(grantId: string): boolean;
  /** Deletes a grant and every token, code and device code issued under it. */
  destroyGrant(grantId: string): void;
}

/** Creates an empty {@link MemoryStore}. */
export function createMemoryStore(): MemoryStore {
  const entries = new Map<string, Entry>();
  let writes = 0;

  const key = (model: string, id: string) => `${model}:${id}`;
  const live = (k: string): Payload | undefined => {
    const entry = entries.get(k);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      entries.delete(k);
      return undefined;
    }
    return entry.payload;
  };
  const sweep = () => {
    const now = Date.now();
    for (const [k, entry] of entries) if (entry.expiresAt <= now) entries.delete(k);
  };
  const findBy = (model: string, field: 'userCode' | 'uid', value: string) => {
    for (const [k, entry] of entries) {
      if (k.startsWith(`${model}:`) && entry.payload[field] === value) return live(k);
    }
    return undefined;
  };
  const destroyGrant = (grantId: string) => {
    for (const [k, entry] of entries) {
      if (entry.payload.grantId === grantId || k === key('Grant', grantId)) entries.delete(k);
    }
  };

  const adapterFactory = (model: string): OidcAdapter => ({
    async upsert(id, payload, expiresIn) {
      writes += 1;
      if (writes % 500 === 0) sweep();
      const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY;
      entries.set(key(model, id), { payload, expiresAt });
    },
    async find(id) {
      return live(key(model, id));
    },
    async findByUserCode(userCode) {
      return findBy(model, 'userCode', userCode);
    },
    async findByUid(uid) {
      return findBy(model, 'uid', uid);
    },
    async consume(id) {
      const payload = live(key(model, id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    },
    async destroy(id) {
      entries.delete(key(model, id));
    },
    async revokeByGrantId(grantId) {
      for (const [k, entry] of entries) {
        if (k.startsWith(`${model}:`) && entry.payload.grantId === grantId) entries.delete(k);
      }
    },
  });

  return {
    adapterFactory,
    grantIdsOf(accountId) {
      const ids: string[] = [];
      for (const [k, entry] of entries) {
        if (k.startsWith('Grant:') && entry.payload.accountId === accountId && live(k)) ids.push(k.slice(6));
      }
      return ids;
    },
    hasGrant: (grantId) => live(key('Grant', grantId)) !== undefined,
    destroyGrant,
  };
}
