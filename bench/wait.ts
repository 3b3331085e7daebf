/**
 * Waiting on the session service's announcements, the way the UI learns the state: the first
 * snapshot (from now on) in the wanted state resolves with the monotonic time it was announced.
 */
import type { SessionService, SessionState } from '../main/auth/snapshot';
import { now } from './sampler';

/** States after which a launch cannot reach "signed-in" by itself. */
const DEAD_ENDS: ReadonlySet<SessionState> = new Set(['signed-out', 'offline', 'storage-unavailable']);

/** A pending wait; `cancel()` stops listening (the promise then never settles). */
export type Announcement = Promise<number> & { cancel(): void };

/**
 * Resolves with `now()` at the first announced snapshot in `state`; rejects on a dead end or after
 * `timeoutMs`. Subscribe BEFORE the action that causes the change.
 */
export function announced(session: SessionService, state: SessionState, timeoutMs = 20_000): Announcement {
  let cancel = () => {};
  const promise = new Promise<number>((resolve, reject) => {
    cancel = () => {
      clearTimeout(timer);
      off();
    };
    const timer = setTimeout(() => {
      off();
      reject(new Error(`bench: no "${state}" announced within ${timeoutMs} ms (last: ${session.snapshot().state})`));
    }, timeoutMs);
    const off = session.onChange((snapshot) => {
      if (snapshot.state === state) {
        const at = now();
        clearTimeout(timer);
        off();
        resolve(at);
      } else if (DEAD_ENDS.has(snapshot.state)) {
        clearTimeout(timer);
        off();
        reject(new Error(`bench: the session went "${snapshot.state}" (${snapshot.lastError?.code ?? 'no error'})`));
      }
    });
  });
  return Object.assign(promise, { cancel });
}
