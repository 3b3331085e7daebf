/**
 * An HTTP server on 127.0.0.1 that tests can take offline and bring back on the same port, make
 * answer badly, and ask how many requests each endpoint received. Both bench servers (the
 * authorization server and the demo API) are built on it.
 *
 * Public API:
 * - `startControlledServer(opts): Promise<ControlledServer>`
 * - `ControlledServer`: `port`, `origin`, `running`, `counts`, `countsByPath`, `resetCounts()`,
 *   `fail(endpoint, fault, opts?)`, `resetFaults()`, `stop()`, `restart()`, `close()`
 * - `Fault`: `number` (status) | `{ status, body?, headers? }` | `'hang'` | `'reset'` | `{ delayMs }`
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * How an endpoint misbehaves.
 * - a number or `{ status }`: answer with that status and a JSON OAuth error body (RFC 6749 §5.2);
 * - `'hang'`: accept the request and never answer (until the client gives up or the server stops);
 * - `'reset'`: destroy the TCP connection without an answer (a network error for the client);
 * - `{ delayMs }`: answer normally, but only after the delay.
 */
export type Fault =
  | number
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | 'hang'
  | 'reset'
  | { delayMs: number };

/** Options of {@link Fault} injection. */
export interface FaultOptions {
  /** Apply to the next N requests of that endpoint only, then behave again. Default: until reset. */
  times?: number;
}

/** Options of {@link startControlledServer}. */
export interface ControlledServerOptions {
  /** Port on 127.0.0.1; 0 (default) lets the OS choose. */
  port?: number;
  /** Maps a request path to an endpoint name for `counts` (e.g. `/token` → `token`). */
  classify: (pathname: string) => string;
  /** Endpoint names whose counters start at 0 (others appear on first request). */
  endpoints?: readonly string[];
  /** The real handler, called once the port is known (for issuers that embed the port). */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

/** A bench HTTP server with offline, fault and counting controls. */
export interface ControlledServer {
  /** The port, stable across `stop()`/`restart()`. */
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** Whether the server is currently listening. */
  readonly running: boolean;
  /** Requests received per endpoint name (live object; names from `endpoints` start at 0). */
  readonly counts: Record<string, number>;
  /** Requests received per exact path. */
  readonly countsByPath: Record<string, number>;
  /** Sets every counter back to zero. */
  resetCounts(): void;
  /** Makes `endpoint` (a name from `classify`) misbehave; replaces a fault already set on it. */
  fail(endpoint: string, fault: Fault, opts?: FaultOptions): void;
  /** Removes every fault; requests already hanging stay so until their client gives up. */
  resetFaults(): void;
  /** Closes the port and drops every open connection (the server "goes offline"). */
  stop(): Promise<void>;
  /** Listens again on the same port; state behind the handler is kept. */
  restart(): Promise<void>;
  /** Stops for good. Safe to call twice. */
  close(): Promise<void>;
}

interface ActiveFault {
  fault: Fault;
  remaining: number;
}

/**
 * Starts a {@link ControlledServer} on 127.0.0.1.
 * @see RFC 8252 §7.3 (loopback only)
 */
export async function startControlledServer(opts: ControlledServerOptions): Promise<ControlledServer> {
  const counts: Record<string, number> = Object.fromEntries((opts.endpoints ?? []).map((name) => [name, 0]));
  const countsByPath: Record<string, number> = {};
  const faults = new Map<string, ActiveFault>();
  const sockets = new Set<Socket>();
  let closed = false;

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const pathname = pathOf(req.url);
    const endpoint = opts.classify(pathname);
    counts[endpoint] = (counts[endpoint] ?? 0) + 1;
    countsByPath[pathname] = (countsByPath[pathname] ?? 0) + 1;

    const active = faults.get(endpoint);
    if (!active) {
      opts.handler(req, res);
      return;
    }
    active.remaining -= 1;
    if (active.remaining <= 0) faults.delete(endpoint);
    applyFault(active.fault, req, res, opts.handler);
  };

  const makeServer = (): Server => {
    const server = createServer(onRequest);
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    return server;
  };

  let server: Server | undefined = makeServer();
  const port = await listen(server, opts.port ?? 0);

  const stop = async (): Promise<void> => {
    const current = server;
    server = undefined;
    if (!current) return;
    const done = new Promise<void>((resolve) => current.close(() => resolve()));
    current.closeAllConnections();
    // Hanging requests are not "idle" to closeAllConnections on every Node version: drop them too.
    for (const socket of sockets) socket.destroy();
    await done;
  };

  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    get running() {
      return server !== undefined;
    },
    counts,
    countsByPath,
    resetCounts() {
      for (const key of Object.keys(counts)) counts[key] = 0;
      for (const key of Object.keys(countsByPath)) delete countsByPath[key];
    },
    fail(endpoint, fault, faultOpts) {
      faults.set(endpoint, { fault, remaining: faultOpts?.times ?? Number.POSITIVE_INFINITY });
    },
    resetFaults() {
      faults.clear();
    },
    stop,
    async restart() {
      if (closed) throw new Error('bench server was closed; start a new one');
      if (server) return;
      const next = makeServer();
      await listen(next, port);
      server = next;
    },
    async close() {
      closed = true;
      await stop();
    },
  };
}

function applyFault(
  fault: Fault,
  req: IncomingMessage,
  res: ServerResponse,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): void {
  if (fault === 'hang') return;
  if (fault === 'reset') {
    req.socket.destroy();
    return;
  }
  if (typeof fault === 'object' && 'delayMs' in fault) {
    const timer = setTimeout(() => handler(req, res), fault.delayMs);
    res.on('close', () => clearTimeout(timer));
    return;
  }
  const status = typeof fault === 'number' ? fault : fault.status;
  const body =
    typeof fault === 'object' && fault.body !== undefined
      ? fault.body
      : { error: status === 503 ? 'temporarily_unavailable' : 'server_error', error_description: 'injected fault' };
  const headers = typeof fault === 'object' ? (fault.headers ?? {}) : {};
  // Drain the request body so the client is not stuck writing to a socket nobody reads.
  req.resume();
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q === -1 ? raw : raw.slice(0, q);
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
