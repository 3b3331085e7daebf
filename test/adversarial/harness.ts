/**
 * Fault injection for the adversarial suite, at the ports the product exposes — never inside it:
 * - the storage port: the REAL keytar adapter over a keytar that fails the way real machines make
 *   it fail (switchable per operation), or the real store with a call held until the test says;
 * - the fetch port: the real fetch wrapped (in each test) so chosen responses are rewritten, cut
 *   off or held;
 * - the clock port: a wall clock and a monotonic clock the test moves separately (a suspended
 *   laptop's monotonic clock stops while the wall clock runs on);
 * - what the user sees: the session read through the real IPC handler the renderer calls
 *   (`auth:get-session`), with the renderer's own headline for the error code.
 * Everything else is real (test/auth/session-harness.ts): the bench provider, the demo API,
 * chromium as the system browser, the keychain, the settings file, the lock files.
 */
import type { SessionService, SessionSnapshot } from '../../main/auth/snapshot';
import { createIpcHandlers } from '../../main/ipc/handlers';
import type { Clock, SecretStore } from '../../main/platform/ports';
import { createKeytarSecretStore } from '../../main/platform/secret-store.keytar';
import type { SessionView } from '../../preload/contract';
import { describeError } from '../../renderer/src/messages';
import { recordOutput } from '../support/output-capture';

type StoreMethod = 'get' | 'set' | 'delete';

/** The real keychain (through the real adapter) with one switch: hold a call until the test releases it. */
export interface FaultyStore extends SecretStore {
  /** The next call of `method` waits (before reaching the keychain) until `release()` is called. */
  hold(method: StoreMethod): { reached: Promise<void>; release(): void };
}

export function faultyStore(real: SecretStore = createKeytarSecretStore()): FaultyStore {
  const holds = new Map<StoreMethod, { arrive(): void; gate: Promise<void> }>();
  const around = async <T>(method: StoreMethod, op: () => Promise<T>): Promise<T> => {
    const held = holds.get(method);
    if (held) {
      holds.delete(method);
      held.arrive();
      await held.gate;
    }
    return op();
  };
  return {
    backend: real.backend,
    get: (s, a) => around('get', () => real.get(s, a)),
    set: (s, a, v) => around('set', () => real.set(s, a, v)),
    delete: (s, a) => around('delete', () => real.delete(s, a)),
    hold(method) {
      let arrive!: () => void;
      let release!: () => void;
      const reached = new Promise<void>((r) => {
        arrive = r;
      });
      const gate = new Promise<void>((r) => {
        release = r;
      });
      holds.set(method, { arrive, gate });
      return { reached, release };
    },
  };
}

/**
 * A keytar module whose every call fails the way keytar fails on a real machine, for the real
 * adapter (createKeytarSecretStore(loader)) to map: no D-Bus session (K2), a locked collection (K1).
 */
export function brokenKeytar(message: string): () => typeof import('keytar') {
  const fail = () => Promise.reject(new Error(message));
  return () =>
    ({
      getPassword: fail,
      setPassword: fail,
      deletePassword: fail,
      findCredentials: fail,
      findPassword: fail,
    }) as unknown as typeof import('keytar');
}

/**
 * The real keytar module with a switch: while `failing` names an operation, that keytar call fails
 * the way a locked or vanished Secret Service makes it fail — for the REAL adapter
 * (createKeytarSecretStore) to map, so the user sees the product's own words.
 */
export function switchableKeytar(real: typeof import('keytar')): {
  load: () => typeof import('keytar');
  failing: Set<'get' | 'set' | 'delete' | 'find'>;
  reason: string;
} {
  const control = {
    failing: new Set<'get' | 'set' | 'delete' | 'find'>(),
    reason: 'Cannot create an item in a locked collection',
    load: () => module,
  };
  const guard = <A extends unknown[], R>(op: 'get' | 'set' | 'delete' | 'find', fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => (control.failing.has(op) ? Promise.reject(new Error(control.reason)) : fn(...args));
  const module = {
    getPassword: guard('get', real.getPassword),
    setPassword: guard('set', real.setPassword),
    deletePassword: guard('delete', real.deletePassword),
    findCredentials: guard('find', real.findCredentials),
    findPassword: guard('get', real.findPassword),
  } as unknown as typeof import('keytar');
  return control;
}

/** A clock whose wall and monotonic parts move separately. */
export interface SplitClock extends Clock {
  /** Time passes (both clocks). */
  advance(ms: number): void;
  /** The wall clock alone jumps (NTP, the user, or the time a suspend took). */
  jumpWall(ms: number): void;
}

export function splitClock(wallOffsetMs = 0): SplitClock {
  let wall = wallOffsetMs;
  let mono = 0;
  return {
    now: () => Date.now() + wall,
    monotonicNow: () => performance.now() + mono,
    advance(ms) {
      wall += ms;
      mono += ms;
    },
    jumpWall(ms) {
      wall += ms;
    },
  };
}

/** What the user sees: the renderer's view through the real IPC handler, and its error headline. */
export async function userSees(
  session: SessionService,
  apiOrigins: readonly string[] = [],
): Promise<{ view: SessionView; headline: string | null; detail: string | null }> {
  const handlers = createIpcHandlers({ session, clipboard: { writeText() {} }, isTrustedSender: () => true, apiOrigins });
  const reply = await handlers['auth:get-session']({ webContentsId: 1, frameUrl: 'app://app/index.html', isMainFrame: true }, []);
  // An IPC reply: part of what the run-wide leak check scans.
  recordOutput('IPC reply on auth:get-session (test/adversarial/harness.ts)', JSON.stringify(reply));
  if (!reply.ok) throw new Error(`get-session failed: ${reply.error.code}`);
  const error = reply.value.lastError;
  const described = error ? describeError(error) : null;
  return { view: reply.value, headline: described?.title ?? null, detail: described?.detail ?? null };
}

/** A message the user can act on: says what happened, and what to do or that it retries. */
export const ACTIONABLE = /(check|sign in|unlock|install|retry|retried|try again|corrected|automatically|start)/i;

/** The snapshot fields that describe a session's tokens' fate (never the tokens themselves). */
export function sessionFacts(s: SessionSnapshot) {
  return { state: s.state, sub: s.account?.sub ?? null, code: s.lastError?.code ?? null, memoryOnly: s.memoryOnly };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
