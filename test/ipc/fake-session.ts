/**
 * A small in-memory SessionService for tests of the IPC layer and the renderer (the real core is
 * tested in test/auth and end to end in test/renderer/e2e.test.ts). It records calls, lets a test
 * set the snapshot and emit changes, and fails on demand.
 */
import { AuthError } from '../../main/auth/errors';
import type {
  ApiRequest,
  ApiResponse,
  SessionService,
  SessionSnapshot,
  SignOutReport,
} from '../../main/auth/snapshot';

export const BASE_SNAPSHOT: SessionSnapshot = {
  state: 'signed-out',
  account: null,
  issuer: 'https://login.example.test',
  accessTokenExpiresAt: null,
  nextRefreshAt: null,
  scopes: [],
  lastError: null,
  clockSkew: null,
  storage: { backend: 'Secret Service keyring', available: true, detail: null },
  memoryOnly: false,
  signIn: null,
};

export const SIGNED_IN: SessionSnapshot = {
  ...BASE_SNAPSHOT,
  state: 'signed-in',
  account: { sub: 'alice', name: 'Alice Liddell', email: 'alice@example.test' },
  accessTokenExpiresAt: Date.UTC(2030, 0, 1, 12, 30),
  nextRefreshAt: Date.UTC(2030, 0, 1, 12, 29),
  scopes: ['openid', 'profile', 'email', 'offline_access', 'api:read'],
};

export interface FakeSession extends SessionService {
  calls: string[];
  apiRequests: ApiRequest[];
  set(snapshot: Partial<SessionSnapshot>): void;
  /** Makes the next call of `method` throw `error`. */
  failNext(method: keyof SessionService, error: unknown): void;
  pendingUrl: string | null;
  apiResponse: ApiResponse;
  signOutReport: SignOutReport;
}

export function createFakeSession(initial: SessionSnapshot = BASE_SNAPSHOT): FakeSession {
  let snapshot = structuredClone(initial);
  const listeners = new Set<(s: SessionSnapshot) => void>();
  const failures = new Map<string, unknown>();
  const calls: string[] = [];
  const emit = () => {
    for (const l of [...listeners]) l(structuredClone(snapshot));
  };
  const enter = (method: string) => {
    calls.push(method);
    if (failures.has(method)) {
      const error = failures.get(method);
      failures.delete(method);
      throw error;
    }
  };
  const fake: FakeSession = {
    calls,
    apiRequests: [],
    pendingUrl: null,
    apiResponse: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' },
    signOutReport: { revocation: 'revoked', revocationError: null, localTokensDeleted: true, browserLogout: 'not-configured' },
    set(patch) {
      snapshot = { ...snapshot, ...structuredClone(patch) };
      emit();
    },
    failNext(method, error) {
      failures.set(method, error);
    },
    snapshot() {
      enter('snapshot');
      return structuredClone(snapshot);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async restore() {
      enter('restore');
      return structuredClone(snapshot);
    },
    async signIn() {
      enter('signIn');
      fake.set({ state: 'signed-in', account: SIGNED_IN.account, scopes: SIGNED_IN.scopes });
      return structuredClone(snapshot);
    },
    async signInWithDevice() {
      enter('signInWithDevice');
      fake.set({ state: 'signed-in', account: SIGNED_IN.account, scopes: SIGNED_IN.scopes });
      return structuredClone(snapshot);
    },
    cancelSignIn() {
      enter('cancelSignIn');
    },
    async reopenBrowser() {
      enter('reopenBrowser');
      if (fake.pendingUrl === null) throw new AuthError('not_signed_in', 'No sign-in is waiting for the browser.');
    },
    pendingAuthorizationUrl() {
      enter('pendingAuthorizationUrl');
      return fake.pendingUrl;
    },
    async signOut() {
      enter('signOut');
      fake.set({ state: 'signed-out', account: null, scopes: [] });
      return structuredClone(fake.signOutReport);
    },
    async callApi(request) {
      enter('callApi');
      fake.apiRequests.push(structuredClone(request));
      return structuredClone(fake.apiResponse);
    },
    async retryNow() {
      enter('retryNow');
      return structuredClone(snapshot);
    },
    dispose() {
      listeners.clear();
    },
  };
  return fake;
}
