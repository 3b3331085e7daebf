/**
 * The session's state as a pure function of a few facts, so the states cannot contradict each
 * other (a "signed-in" session without tokens, "offline" without a session) and every transition
 * is one fact changing. The precedence, first match wins:
 *
 * | facts                                   | state                 | what the user sees                              |
 * |-----------------------------------------|-----------------------|-------------------------------------------------|
 * | a sign-in is pending                    | `signing-in`          | "Finish signing in in your browser" + Cancel    |
 * | the keychain cannot be used             | `storage-unavailable` | why; a session, if any, lasts until quit (K1–K3)|
 * | no session                              | `signed-out`          | Sign in                                         |
 * | the provider was unreachable at renewal | `offline`             | signed in, offline, retrying (K9)               |
 * | a renewal is in flight                  | `refreshing`          | signed in, renewing                             |
 * | otherwise                               | `signed-in`           | signed in                                       |
 */
import type { SessionState } from './snapshot';

/** The facts the state is derived from. */
export interface SessionFacts {
  signInPending: boolean;
  storageAvailable: boolean;
  hasSession: boolean;
  refreshing: boolean;
  offline: boolean;
}

/**
 * Derives the {@link SessionState} from the facts (table above).
 * @see CHECKLIST K1–K3, K9
 */
export function deriveSessionState(facts: SessionFacts): SessionState {
  if (facts.signInPending) return 'signing-in';
  if (!facts.storageAvailable) return 'storage-unavailable';
  if (!facts.hasSession) return 'signed-out';
  // A retry while offline stays "offline" until it succeeds: the user sees one steady banner,
  // not offline → renewing → offline flicker on every backoff attempt.
  if (facts.offline) return 'offline';
  if (facts.refreshing) return 'refreshing';
  return 'signed-in';
}
