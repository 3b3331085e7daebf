/**
 * RefreshLock over the file system: one lock file per keychain entry in the user-data folder, shared
 * by every process of this user (the app and any number of CLIs), so only one of them redeems a
 * given refresh token (CHECKLIST K12). A provider that rotates refresh tokens treats a second use
 * of the same token as theft and revokes the whole grant (RFC 9700 §4.14.2): two processes
 * refreshing at once would sign the user out everywhere.
 *
 * The lock is a file created with `open(path, 'wx')` (O_CREAT|O_EXCL: atomic on local file
 * systems) holding `{pid, host, createdAt, nonce}`. A holder that died (crash, kill -9) leaves the
 * file behind: a waiter removes it when the pid no longer exists on this host, or when it is older
 * than `staleMs` whatever the pid says (pid reuse, another host sharing a network home folder).
 * Removal goes through an atomic rename to a unique name, so two waiters that both saw the same
 * stale lock cannot delete each other's fresh one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AuthError } from '../auth/errors';
import type { RefreshLock } from './ports';

export interface FsRefreshLockOptions {
  /** Folder for the lock files (created if missing), e.g. `<user data>/locks`. */
  dir: string;
  /** A lock older than this is taken over even if its pid seems alive. Default 60 s (> any refresh). */
  staleMs?: number;
  /** Default wait before `acquire` gives up. Default 30 s. */
  timeoutMs?: number;
  /** Poll interval while waiting (a random 0–50 % is added so waiters do not move in lockstep). Default 25 ms. */
  pollMs?: number;
}

interface LockContent {
  pid: number;
  host: string;
  createdAt: number;
  nonce: string;
}

/**
 * Creates the file-system {@link RefreshLock}.
 * @see RFC 9700 §4.14.2 (refresh token rotation and reuse detection)
 */
export function createFsRefreshLock(options: FsRefreshLockOptions): RefreshLock {
  const staleMs = options.staleMs ?? 60_000;
  const defaultTimeoutMs = options.timeoutMs ?? 30_000;
  const pollMs = options.pollMs ?? 25;
  const host = hostname();

  return {
    async acquire(key, acquireOptions) {
      await mkdir(options.dir, { recursive: true, mode: 0o700 });
      const path = lockPath(options.dir, key);
      const timeoutMs = acquireOptions?.timeoutMs ?? defaultTimeoutMs;
      const signal = acquireOptions?.signal;
      const deadline = performance.now() + timeoutMs;
      const mine: LockContent = { pid: process.pid, host, createdAt: Date.now(), nonce: randomBytes(12).toString('hex') };

      for (;;) {
        if (signal?.aborted) throw new AuthError('cancelled', 'Waiting for another process to renew the session was cancelled.');
        mine.createdAt = Date.now();
        if (await tryCreate(path, mine)) return () => release(path, mine.nonce);
        const holder = await readLock(path);
        if (holder === 'gone') continue;
        if (holder === 'unreadable' || isStale(holder, host, staleMs)) {
          await takeOver(path, holder === 'unreadable' ? null : holder.nonce);
          continue;
        }
        if (performance.now() >= deadline) {
          throw new AuthError(
            'timeout',
            'Another oauth-desktop process has been renewing the session for too long. Try again in a moment.',
          );
        }
        await sleep(pollMs + Math.random() * pollMs * 0.5, signal);
      }
    },
  };
}

/** `<dir>/refresh-<sha256(key) prefix>.lock`: the key (issuer, client, subject) never appears on disk. */
export function lockPath(dir: string, key: string): string {
  return join(dir, `refresh-${createHash('sha256').update(key).digest('hex').slice(0, 32)}.lock`);
}

async function tryCreate(path: string, content: LockContent): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new AuthError('internal', `The refresh lock file could not be created (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, {
      cause: error,
    });
  }
  try {
    await handle.writeFile(JSON.stringify(content));
  } finally {
    await handle.close();
  }
  return true;
}

async function readLock(path: string): Promise<LockContent | 'gone' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    return 'unreadable';
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockContent>;
    if (typeof parsed.pid === 'number' && typeof parsed.createdAt === 'number' && typeof parsed.nonce === 'string') {
      return { pid: parsed.pid, host: String(parsed.host ?? ''), createdAt: parsed.createdAt, nonce: parsed.nonce };
    }
  } catch {
    // A holder between `open` and `writeFile` leaves an empty file for a moment: judged by age below.
  }
  return text === '' ? { pid: -1, host: '', createdAt: Date.now(), nonce: '' } : 'unreadable';
}

function isStale(holder: LockContent, host: string, staleMs: number): boolean {
  if (Date.now() - holder.createdAt > staleMs) return true;
  // A just-created, still empty file (pid -1) is fresh until staleMs passes.
  if (holder.pid <= 0 || holder.host !== host) return false;
  return !processAlive(holder.pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else; alive as far as we can tell.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes a stale lock. The rename is atomic: of two waiters that saw the same stale file only one
 * moves it; if what we moved turns out to be a fresh lock (replaced since we looked), it is put
 * back, only when the path is still free.
 */
async function takeOver(path: string, staleNonce: string | null): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch {
    return; // someone else moved or released it: just try again
  }
  const moved = await readLock(aside);
  if (staleNonce !== null && moved !== 'gone' && moved !== 'unreadable' && moved.nonce !== staleNonce && moved.nonce !== '') {
    // We moved a live lock that replaced the stale one in between: put it back (same nonce, so its
    // holder can still release it) unless the path was taken again meanwhile.
    await tryCreate(path, moved).catch(() => false);
  }
  await unlink(aside).catch(() => undefined);
}

async function release(path: string, nonce: string): Promise<void> {
  // Only delete our own lock: if we were judged stale and replaced, the file is someone else's now.
  const holder = await readLock(path);
  if (holder === 'gone' || holder === 'unreadable' || holder.nonce !== nonce) return;
  await unlink(path).catch(() => undefined);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
