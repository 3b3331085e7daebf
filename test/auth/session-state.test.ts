/**
 * The state is a pure function of facts with a fixed precedence (main/auth/session-state.ts). These
 * pin the orderings users can see: a pending sign-in and a broken keychain outrank everything, and
 * an automatic retry while offline stays "offline" (K9) instead of flickering through "refreshing".
 */
import { describe, expect, it } from 'vitest';
import { deriveSessionState, type SessionFacts } from '../../main/auth/session-state';

const facts = (over: Partial<SessionFacts>): SessionFacts => ({
  signInPending: false,
  storageAvailable: true,
  hasSession: true,
  refreshing: false,
  offline: false,
  ...over,
});

describe('deriveSessionState', () => {
  it('K9 a retry while offline stays offline; a renewal of a working session is "refreshing"', () => {
    expect(deriveSessionState(facts({ offline: true, refreshing: true }))).toBe('offline');
    expect(deriveSessionState(facts({ refreshing: true }))).toBe('refreshing');
    expect(deriveSessionState(facts({}))).toBe('signed-in');
  });

  it('a pending sign-in outranks everything; a broken keychain outranks the session states (K1–K3)', () => {
    expect(deriveSessionState(facts({ signInPending: true, storageAvailable: false, offline: true }))).toBe('signing-in');
    expect(deriveSessionState(facts({ storageAvailable: false, offline: true }))).toBe('storage-unavailable');
    expect(deriveSessionState(facts({ hasSession: false, offline: true, refreshing: true }))).toBe('signed-out');
  });
});
