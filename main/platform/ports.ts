/**
 * Ports: the few things the OAuth core needs from the outside world, as interfaces.
 *
 * The core (main/auth, main/ipc) takes these as constructor arguments and never imports electron,
 * keytar or electron-store (STYLE rule 2 and 5). Each port has one adapter per platform in this
 * folder (`*.keytar.ts`, `*.electron.ts`, `*.node.ts`) and tests pass the real adapter or, only for
 * fault injection, a wrapper around it.
 */

/**
 * A secret store (the OS keychain). Every method rejects with `AuthError('storage_unavailable')`
 * when the keychain cannot be reached, locked or not installed (CHECKLIST K1–K3) — never falls back
 * to a file.
 */
export interface SecretStore {
  /** Human-readable backend name for `status` and the UI, e.g. "Secret Service (keytar)". */
  readonly backend: string;
  get(service: string, account: string): Promise<string | null>;
  set(service: string, account: string, secret: string): Promise<void>;
  /** Resolves true when an entry was deleted, false when there was none. */
  delete(service: string, account: string): Promise<boolean>;
}

/** Non-secret settings (electron-store in the app, `conf` in the CLI: the same engine). */
export interface Settings {
  /** Provider metadata by issuer, used when discovery is unreachable at launch (CHECKLIST K18). */
  discoveryCache: Record<string, { metadata: Record<string, unknown>; fetchedAt: number }>;
  /** Window geometry, restored at launch (app only). */
  windowBounds: { width: number; height: number; x?: number; y?: number } | null;
}

export interface SettingsStore {
  get<K extends keyof Settings>(key: K): Settings[K];
  set<K extends keyof Settings>(key: K, value: Settings[K]): void;
  /** Set when the settings file was corrupt at load: where it was moved and why (CHECKLIST K6). */
  readonly recovered: { movedTo: string; reason: string } | null;
}

/** Opens a URL in the user's system browser (RFC 8252 §4: never an embedded web view). */
export interface BrowserLauncher {
  /** Rejects with `AuthError('browser_unavailable')` when no browser could be started. */
  open(url: string): Promise<void>;
}

/** Time. Wall clock for what is stored and shown; monotonic for what is measured (CHECKLIST K8). */
export interface Clock {
  /** Milliseconds since the epoch (may jump: NTP, the user, suspend). */
  now(): number;
  /** Milliseconds on a monotonic clock (never jumps backwards); only differences are meaningful. */
  monotonicNow(): number;
}

/** Signals that the network may be back: the OS resumed from sleep, or went online (CHECKLIST K9). */
export interface WakeSignals {
  /** Returns an unsubscribe function. */
  onWake(listener: (reason: 'resume' | 'online') => void): () => void;
}

/**
 * A lock shared by every process that uses the same keychain entry (the app and CLIs), so only one
 * of them redeems a refresh token (CHECKLIST K12). `acquire` resolves with a release function.
 */
export interface RefreshLock {
  acquire(key: string, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<() => Promise<void>>;
}

/** The fetch the core uses: `globalThis.fetch` in Node, Electron's `net.fetch` in the app. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Structured, token-free diagnostics. Fields must never carry secrets (CHECKLIST T4). */
export interface Logger {
  info(message: string, fields?: Record<string, string | number | boolean | null>): void;
  warn(message: string, fields?: Record<string, string | number | boolean | null>): void;
  error(message: string, fields?: Record<string, string | number | boolean | null>): void;
}

/** The system clock: `Date.now()` and `performance.now()` (monotonic). */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonicNow: () => performance.now(),
};

/** A logger that drops everything (library default; the app and CLI pass a real one). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
