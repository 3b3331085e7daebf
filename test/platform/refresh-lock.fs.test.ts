/**
 * The cross-process refresh lock (CHECKLIST K12): mutual exclusion through a real lock file, and
 * recovery from a lock whose holder died (kill -9) or that is older than any refresh can take.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFsRefreshLock, lockPath } from '../../main/platform/refresh-lock.fs';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oauth-desktop-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has just exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.on('exit', r));
  return child.pid!;
}

describe('file-system refresh lock', () => {
  it('K12 one holder at a time: a second acquire waits until the first releases', async () => {
    const lock = createFsRefreshLock({ dir, pollMs: 5 });
    const order: string[] = [];
    const releaseA = await lock.acquire('issuer client alice');
    order.push('A acquired');
    const b = lock.acquire('issuer client alice').then((release) => {
      order.push('B acquired');
      return release;
    });
    await new Promise((r) => setTimeout(r, 100));
    order.push('A releasing');
    await releaseA();
    const releaseB = await b;
    await releaseB();
    expect(order).toEqual(['A acquired', 'A releasing', 'B acquired']);
    expect(await readdir(dir)).toEqual([]); // released locks leave nothing behind
  });

  it('K12 different sessions do not block each other', async () => {
    const lock = createFsRefreshLock({ dir, timeoutMs: 200 });
    const a = await lock.acquire('issuer client alice');
    const b = await lock.acquire('issuer client bob');
    await a();
    await b();
  });

  it('K12 a lock left by a dead process is taken over at once', async () => {
    const path = lockPath(dir, 'issuer client alice');
    await writeFile(path, JSON.stringify({ pid: await deadPid(), host: (await import('node:os')).hostname(), createdAt: Date.now(), nonce: 'old' }));
    const lock = createFsRefreshLock({ dir, timeoutMs: 1_000, staleMs: 60_000 });
    const release = await lock.acquire('issuer client alice');
    await release();
  });

  it('K12 a lock older than staleMs is taken over even if its pid looks alive (pid reuse, other host)', async () => {
    const path = lockPath(dir, 'issuer client alice');
    await writeFile(path, JSON.stringify({ pid: process.pid, host: 'other-host', createdAt: Date.now() - 120_000, nonce: 'old' }));
    const lock = createFsRefreshLock({ dir, timeoutMs: 1_000, staleMs: 60_000 });
    const release = await lock.acquire('issuer client alice');
    await release();
  });

  it('a live holder is waited for, then `timeout` — never taken over early', async () => {
    const lock = createFsRefreshLock({ dir, pollMs: 5 });
    const held = await lock.acquire('k');
    await expect(createFsRefreshLock({ dir, timeoutMs: 150, pollMs: 5 }).acquire('k')).rejects.toMatchObject({ code: 'timeout' });
    const controller = new AbortController();
    const waiting = lock.acquire('k', { signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'cancelled' });
    await held();
  });

  it('a releaser whose lock was taken over does not delete the new holder\'s lock', async () => {
    const lock = createFsRefreshLock({ dir, staleMs: 50, pollMs: 5 });
    const first = await lock.acquire('k');
    await new Promise((r) => setTimeout(r, 80)); // first is now "stale"
    const second = await lock.acquire('k');
    await first(); // late release of the old holder
    const path = lockPath(dir, 'k');
    expect((await stat(path)).isFile()).toBe(true);
    await second();
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('the lock file name reveals nothing about the account', () => {
    expect(lockPath(dir, 'https://issuer client alice@example.com')).not.toMatch(/alice|issuer/);
  });
});
