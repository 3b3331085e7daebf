/**
 * Pass-through timers at the two ports where the product meets the outside world: fetch (provider
 * and API) and the keychain store. They add one `performance.now()` pair per call (well under a
 * microsecond) and let the report split a product figure into "waiting on the provider / keychain"
 * and "our own work". Wrapping a port is how the product is observed; no product code changes.
 */
import type { FetchLike, SecretStore } from '../main/platform/ports';
import { now } from './sampler';

/** One observed port call. */
export interface PortCall {
  /** `keychain.get`, `keychain.set`, … or `fetch <path>`. */
  what: string;
  startedAt: number;
  ms: number;
}

/** Records every call in `calls` (clear it between samples). */
export interface PortLog {
  calls: PortCall[];
  /** Sum of `ms` over the calls whose `what` starts with `prefix`. */
  total(prefix: string): number;
  /** Number of calls whose `what` starts with `prefix`. */
  count(prefix: string): number;
  clear(): void;
}

/** An empty {@link PortLog}. */
export function createPortLog(): PortLog {
  const calls: PortCall[] = [];
  const matching = (prefix: string) => calls.filter((c) => c.what.startsWith(prefix));
  return {
    calls,
    total: (prefix) => matching(prefix).reduce((sum, c) => sum + c.ms, 0),
    count: (prefix) => matching(prefix).length,
    clear: () => {
      calls.length = 0;
    },
  };
}

async function timed<T>(log: PortLog, what: string, run: () => Promise<T>): Promise<T> {
  const startedAt = now();
  try {
    return await run();
  } finally {
    log.calls.push({ what, startedAt, ms: now() - startedAt });
  }
}

/** The keychain store, timed per operation. */
export function timedSecretStore(inner: SecretStore, log: PortLog): SecretStore {
  return {
    backend: inner.backend,
    get: (service, account) => timed(log, 'keychain.get', () => inner.get(service, account)),
    set: (service, account, secret) => timed(log, 'keychain.set', () => inner.set(service, account, secret)),
    delete: (service, account) => timed(log, 'keychain.delete', () => inner.delete(service, account)),
  };
}

/**
 * fetch, timed until the response headers arrive (the body is read by the caller), labelled
 * `fetch <path>`, e.g. `fetch /token`, `fetch /.well-known/openid-configuration`.
 */
export function timedFetch(log: PortLog, inner: FetchLike = globalThis.fetch): FetchLike {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    return timed(log, `fetch ${url.pathname}`, () => inner(input, init));
  };
}
