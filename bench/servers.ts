/**
 * The bench provider and the demo API in a child process, so that the process under measurement
 * holds the app's code and nothing else: its resident memory is the app's, its event loop runs no
 * server work, and oidc-provider's AsyncLocalStorage (which turns on async_hooks for every promise
 * of the process it lives in, about 1 µs each) does not tax the product's promise-heavy paths.
 * The counters the figures need are read over the IPC channel.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Where the servers listen. */
export interface ServerInfo {
  issuer: string;
  clientId: string;
  resource: string;
  apiOrigin: string;
}

/** The servers' counters at one moment. */
export interface ServerCounts {
  /** Requests per provider endpoint (`token`, `discovery`, …). */
  provider: Record<string, number>;
  /** A rotated refresh token came back (RFC 9700 §4.14.2): must stay 0. */
  refreshTokenReuseDetected: number;
  /** Requests oidc-provider answered with `server_error`: must stay 0. */
  serverErrors: number;
  /** The demo API's outcomes: accepted tokens and each kind of refusal. */
  api: { ok: number; noToken: number; invalidToken: number; insufficientScope: number };
}

/** What the parent asks: read the counters, delay provider endpoints (network latency), or stop. */
export type ServerOperation = { op: 'counts' | 'close' | 'reset-faults' } | { op: 'delay'; endpoints: string[]; ms: number };
/** Parent → child. */
export type ServerRequest = ServerOperation & { id: number };
/** Child → parent. */
export type ServerReply = { id: number; counts: ServerCounts };

/** The running servers. */
export interface BenchServers extends ServerInfo {
  counts(): Promise<ServerCounts>;
  /** Makes each named provider endpoint (`discovery`, `token`, …) answer `ms` later, until reset. */
  delay(endpoints: string[], ms: number): Promise<void>;
  resetFaults(): Promise<void>;
  close(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./servers.child.ts', import.meta.url));

/**
 * Forks the servers (with tsx, as the parent runs) and waits until they listen.
 * @see ./servers.child.ts
 */
export async function startBenchServers(): Promise<BenchServers> {
  const child: ChildProcess = fork(CHILD, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, (counts: ServerCounts) => void>();
  let nextId = 0;
  const info = await new Promise<ServerInfo>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`bench: the server process exited (${code}) before it was ready`));
    child.once('exit', onExit);
    child.once('error', reject);
    child.on('message', (message: ServerReply | { type: 'ready'; info: ServerInfo }) => {
      if ('type' in message) {
        child.off('exit', onExit);
        resolve(message.info);
        return;
      }
      pending.get(message.id)?.(message.counts);
      pending.delete(message.id);
    });
  });
  const request = (operation: ServerOperation) =>
    new Promise<ServerCounts>((resolve, reject) => {
      if (!child.connected) {
        reject(new Error('bench: the server process is gone'));
        return;
      }
      const id = nextId++;
      pending.set(id, resolve);
      child.send({ id, ...operation } satisfies ServerRequest);
    });
  let closing: Promise<void> | null = null;
  return {
    ...info,
    counts: () => request({ op: 'counts' }),
    delay: async (endpoints, ms) => {
      await request({ op: 'delay', endpoints, ms });
    },
    resetFaults: async () => {
      await request({ op: 'reset-faults' });
    },
    close() {
      closing ??= (async () => {
        if (child.exitCode !== null || !child.connected) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        await request({ op: 'close' }).catch(() => undefined);
        await exited;
      })();
      return closing;
    },
  };
}
