/**
 * Single flight (CHECKLIST K12): in one process, any number of callers cause one refresh request;
 * across processes sharing the keychain entry (the app and CLIs), the lock + re-read means one
 * refresh request in total and the provider's refresh-token reuse detection never fires.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestClock, editStoredEntry, storedRecord, TEST_SCOPE, useSessionBench } from './session-harness';

const figures: Record<string, number> = {};

afterAll(() => {
  if (Object.keys(figures).length) console.info('session-concurrency figures (ms):', JSON.stringify(figures));
});

const { signedIn: signedInBench } = useSessionBench();

describe('K12 single flight', () => {
  it('K12 1,000 concurrent callApi with an expired access token → exactly one refresh request, all succeed', async () => {
    const b = await signedInBench('k12-thousand');
    const clock = createTestClock();
    const session = b.session({ clock });
    await session.restore();
    b.provider.resetCounts();
    b.api.resetCounts();
    clock.advance(400_000); // the access token is now expired for the session

    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => session.callApi({ url: `${b.api.origin}/me?i=${i}` })));
    figures.thousandCalls = Math.round(performance.now() - started);

    expect(b.provider.counts.token).toBe(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(1000);
    expect(b.api.outcomes.ok).toBe(1000);
    expect(b.api.outcomes.invalidToken).toBe(0);
    expect(b.provider.stats.refreshTokenReuseDetected).toBe(0);
    expect(session.snapshot().state).toBe('signed-in');
  });

  it('K12 two PROCESSES refreshing the same session at once → one refresh request, both signed in, no reuse detection', async () => {
    const b = await signedInBench('k12-processes');
    // The stored access token expired (as after a night's sleep): both processes will want to renew.
    await editStoredEntry(b, (record) => {
      record.exp = Date.now() - 1_000;
    });
    const before = await storedRecord(b);
    b.provider.resetCounts();

    const env = {
      ...process.env,
      SESSION_WORKER: JSON.stringify({
        issuer: b.provider.issuer,
        clientId: b.provider.clientId,
        resource: b.provider.resource,
        apiOrigin: b.api.origin,
        keychainService: b.keychain.service,
        userData: b.userData,
        scope: TEST_SCOPE,
      }),
    };
    const workers = [spawnWorker(env), spawnWorker(env)];
    try {
      await Promise.all(workers.map((w) => w.ready));
      const started = performance.now();
      // The start barrier: both restore at the same moment.
      for (const w of workers) w.child.stdin.write('go\n');
      const results = await Promise.all(workers.map((w) => w.result));
      figures.twoProcessRefresh = Math.round(performance.now() - started);

      for (const result of results) {
        expect(result).toMatchObject({ state: 'signed-in', lastError: null, status: 200 });
      }
      expect(b.provider.counts.token).toBe(1);
      expect(b.provider.stats.tokensIssued.refresh_token).toBe(1);
      expect(b.provider.stats.refreshTokenReuseDetected).toBe(0);
      const after = await storedRecord(b);
      expect(after?.rt).not.toBe(before?.rt);
      expect(await b.keychain.accounts()).toHaveLength(1);
    } finally {
      for (const w of workers) w.child.kill();
    }
  });
});

interface Worker {
  child: ChildProcessWithoutNullStreams;
  ready: Promise<void>;
  result: Promise<{ state: string; lastError: unknown; status: number }>;
}

function spawnWorker(env: NodeJS.ProcessEnv): Worker {
  const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, [join(process.cwd(), 'test', 'support', 'session-refresh-worker.ts')], { env });
  let out = '';
  let err = '';
  let onReady!: () => void;
  const ready = new Promise<void>((r) => {
    onReady = r;
  });
  const result = new Promise<{ state: string; lastError: unknown; status: number }>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready\n')) onReady();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('exit', (code) => {
      if (!out.split('\n').some((l) => l.startsWith('{'))) reject(new Error(`worker exited ${code}: ${err.slice(-500)}`));
    });
  });
  return { child, ready, result };
}
