/**
 * The RFC 8252 loopback redirect receiver: a one-shot HTTP listener on 127.0.0.1 (or ::1) that
 * waits for the browser to come back from the authorization server with OUR `state`, hands the
 * callback URL to the flow, shows the user a fixed page and closes.
 *
 * It is the only part of the app any local web page can reach, so it is built to be hit by
 * anything: every request gets a fixed page or is closed by a limit, no handler can throw, nothing
 * from a request is reflected, and no number of bad requests ends or completes the sign-in. It
 * knows nothing about OAuth beyond matching `state` (STYLE rule 1): `auth/` validates the rest.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { AuthError } from '../auth/errors';
import { bindLoopback, type ListenFunction } from './bind';
import { type ResolvedOptions, resolveOptions } from './options';
import { type Page, type PageKind, renderPages } from './pages';
import { classifyRequest, type Expectation } from './request';
import { type ExtraHeaders, sendPage, sendRawPage } from './respond';

export type { ListenFunction, LoopbackAddress } from './bind';

export type LoopbackHost = '127.0.0.1' | '::1' | 'localhost';

/** Options of {@link startLoopbackReceiver}. */
export interface LoopbackOptions {
  /** Default '127.0.0.1'; 'localhost' only when a provider demands it (CHECKLIST N3). */
  host?: LoopbackHost;
  /** Default 0 = OS-chosen (N5); a fixed port for providers that need it. */
  port?: number;
  /** Default '/callback' — the ONLY accepted path (N9). */
  path?: string;
  /** Compared in constant time. */
  expectedState: string;
  /** Default 300_000 (L19). */
  timeoutMs?: number;
  /** Cancel from the app (L20). */
  signal?: AbortSignal;
  /** Shown on pages, default 'oauth-desktop'. */
  appName?: string;
  limits?: { headersTimeoutMs?: number; requestTimeoutMs?: number; maxHeaderSize?: number; maxConnections?: number };
  /** How long the browser's GET of the clean URL waits for `finish()`; default 60_000. */
  finishHoldMs?: number;
  /** How long after `finish()` the listener stays open for that GET if it has not come yet; default 2_000. */
  finishGraceMs?: number;
  /** Test seam (N7): how to listen on one address. Default: `server.listen`. */
  listen?: ListenFunction;
}

export type LoopbackOutcome = 'success' | 'cancelled' | 'error';

/** A pending loopback redirect receiver. */
export interface LoopbackReceiver {
  /** Exact, e.g. 'http://127.0.0.1:53211/callback' or 'http://[::1]:53211/callback'. */
  readonly redirectUri: string;
  readonly boundAddress: { address: string; family: 'IPv4' | 'IPv6'; port: number };
  /** Resolves once with the full callback URL whose `state` matched (code or error response). Rejects with AuthError code 'timed_out' | 'cancelled' | 'listener_failed'. */
  readonly callback: Promise<URL>;
  /** The app tells the receiver how the sign-in ended: the browser tab then gets the matching fixed page and the listener closes. */
  finish(outcome: LoopbackOutcome): void;
  /** Idempotent; resolves when the socket is closed and all connections destroyed. */
  close(): Promise<void>;
  readonly closed: Promise<void>;
}

/**
 * Opens the receiver on a loopback address and returns once it is listening.
 * Rejects with `AuthError` 'config_invalid' (bad options), 'cancelled' (signal already aborted)
 * or 'listener_failed' (the port could not be bound).
 * @see RFC 8252 §7.3 (loopback redirect), §8.3 (loopback only), RFC 9700 §2.1 (state/PKCE)
 */
export async function startLoopbackReceiver(options: LoopbackOptions): Promise<LoopbackReceiver> {
  const config = resolveOptions(options);
  if (config.signal?.aborted) {
    throw new AuthError('cancelled', 'The sign-in was cancelled before the local listener opened.');
  }
  const server = createServer({
    maxHeaderSize: config.maxHeaderSize,
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    // How often Node sweeps for the two timeouts above; a quarter of the shorter keeps them tight.
    connectionsCheckingInterval: Math.min(1_000, Math.max(10, Math.floor(config.headersTimeoutMs / 4))),
    // We answer a missing Host ourselves, with a fixed page; Node's own 400 has none of our headers.
    requireHostHeader: false,
    joinDuplicateHeaders: false,
    insecureHTTPParser: false,
  });
  server.maxConnections = config.maxConnections;

  let address: string;
  try {
    address = await bindLoopback(server, config.host, config.port, config.listen);
  } catch (error) {
    if (server.listening) server.close();
    const code = (error as { code?: unknown } | null)?.code;
    const reason = code === 'EADDRINUSE' ? 'the port is used by another program' : typeof code === 'string' ? code : 'error';
    throw new AuthError(
      'listener_failed',
      `Could not open the local sign-in listener on ${config.host} port ${config.port} (${reason}). ` +
        (config.port === 0 ? 'Check that loopback networking is available.' : 'Free the port or configure another redirect port.'),
      { cause: error },
    );
  }

  const bound = server.address() as AddressInfo;
  const hostLabel = config.host === 'localhost' ? 'localhost' : address === '::1' ? '[::1]' : '127.0.0.1';
  const origin = `http://${hostLabel}:${bound.port}`;
  return new Receiver(server, config, {
    origin,
    redirectUri: `${origin}${config.path}`,
    boundAddress: { address: bound.address, family: bound.family === 'IPv6' ? 'IPv6' : 'IPv4', port: bound.port },
    expectation: { hostHeader: `${hostLabel}:${bound.port}`, path: config.path, state: config.expectedState },
  });
}

type Phase =
  /** Listening; no callback with our state yet. */
  | 'waiting'
  /** Callback handed to the flow; the browser's GET of the clean URL is held until finish(). */
  | 'received'
  /** finish() called: answering the held GET (or waiting a grace period for it), then closing. */
  | 'finishing'
  | 'closed';

const OUTCOME_PAGE: Readonly<Record<LoopbackOutcome, PageKind>> = {
  success: 'success',
  cancelled: 'cancelled',
  error: 'error',
};

// Only the browser's one tab needs holding; more held requests are answered at once.
const MAX_HELD = 8;
// After close(), sockets get this long to flush what was written to them before being destroyed.
const CLOSE_LINGER_MS = 250;

interface Endpoint {
  origin: string;
  redirectUri: string;
  boundAddress: LoopbackReceiver['boundAddress'];
  expectation: Expectation;
}

class Receiver implements LoopbackReceiver {
  readonly redirectUri: string;
  readonly boundAddress: LoopbackReceiver['boundAddress'];
  readonly callback: Promise<URL>;
  readonly closed: Promise<void>;

  #phase: Phase = 'waiting';
  #outcome: LoopbackOutcome | undefined;
  #resolveCallback!: (url: URL) => void;
  #rejectCallback!: (error: AuthError) => void;
  #timer: NodeJS.Timeout | undefined;
  readonly #held = new Set<ServerResponse>();
  readonly #sockets = new Set<Socket>();
  readonly #answeredRaw = new WeakSet<Socket>();
  readonly #servedSockets = new WeakSet<Socket>();
  readonly #pages: ReadonlyMap<PageKind, Page>;
  readonly #server: Server;
  readonly #config: ResolvedOptions;
  readonly #endpoint: Endpoint;
  readonly #onAbort = () => {
    if (this.#phase === 'waiting') this.#fail('cancelled', 'The sign-in was cancelled.');
    else this.finish('cancelled');
  };

  constructor(server: Server, config: ResolvedOptions, endpoint: Endpoint) {
    this.#server = server;
    this.#config = config;
    this.#endpoint = endpoint;
    this.redirectUri = endpoint.redirectUri;
    this.boundAddress = endpoint.boundAddress;
    this.#pages = renderPages(config.appName);
    this.callback = new Promise<URL>((resolve, reject) => {
      this.#resolveCallback = resolve;
      this.#rejectCallback = reject;
    });
    // The flow may attach its handler later (or never, when the app is quitting): not "unhandled".
    this.callback.catch(() => {});
    this.closed = new Promise<void>((resolve) => server.once('close', () => resolve()));

    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    server.on('request', this.#onRequest);
    // Without these two listeners Node answers `Expect:` itself (100 Continue invites the body we
    // never read); with them the request takes the normal path and gets its fixed page.
    server.on('checkContinue', this.#onRequest);
    server.on('checkExpectation', this.#onRequest);
    server.on('connect', (_req: IncomingMessage, socket: Socket) => {
      this.#answerRaw(socket, 'methodNotAllowed', { Allow: 'GET' });
    });
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => this.#onClientError(error, socket));
    // An accept() failure (EMFILE under a flood) must not end the sign-in; only losing the
    // listening socket does.
    server.on('error', (error: Error) => {
      if (!server.listening) this.#fail('listener_failed', 'The local sign-in listener stopped unexpectedly.', error);
    });

    this.#timer = setTimeout(
      () =>
        this.#fail(
          'timed_out',
          `The browser did not return to the app within ${Math.round(config.timeoutMs / 1000)} seconds. Start the sign-in again.`,
        ),
      config.timeoutMs,
    );
    config.signal?.addEventListener('abort', this.#onAbort, { once: true });
    // Aborted while the port was being bound: the event has already fired.
    if (config.signal?.aborted) this.#onAbort();
  }

  finish(outcome: LoopbackOutcome): void {
    if (this.#phase === 'waiting') {
      // The app ended the sign-in before the browser came back: there is no tab to tell.
      this.#fail('cancelled', 'The sign-in was ended by the app before the browser returned.');
      return;
    }
    if (this.#phase !== 'received') return;
    this.#phase = 'finishing';
    this.#outcome = Object.hasOwn(OUTCOME_PAGE, outcome) ? outcome : 'error';
    this.#clearTimer();
    if (this.#held.size > 0) {
      this.#answerHeld(this.#outcomePage());
      void this.close();
      return;
    }
    // The browser may still be following our 303; give it a moment, then close regardless.
    this.#timer = setTimeout(() => void this.close(), this.#config.finishGraceMs);
  }

  close(): Promise<void> {
    if (this.#phase === 'closed') return this.closed;
    const wasWaiting = this.#phase === 'waiting';
    this.#phase = 'closed';
    this.#clearTimer();
    this.#config.signal?.removeEventListener('abort', this.#onAbort);
    if (wasWaiting) this.#rejectCallback(new AuthError('cancelled', 'The sign-in listener was closed before the browser returned.'));
    this.#answerHeld(this.#outcome ? this.#outcomePage() : 'received');
    this.#server.close();
    for (const socket of this.#sockets) {
      // end() flushes what a response just wrote; destroy() follows for peers that keep sending.
      socket.end();
      setTimeout(() => socket.destroy(), CLOSE_LINGER_MS).unref();
    }
    return this.closed;
  }

  readonly #onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    res.on('error', () => {});
    try {
      this.#handle(req, res);
    } catch {
      // Nothing may escape a request handler (CHECKLIST L16); the flow is left as it was.
      try {
        sendPage(res, this.#page('serverError'));
      } catch {
        res.destroy();
      }
    }
  };

  #handle(req: IncomingMessage, res: ServerResponse): void {
    // One request per connection: every answer says `Connection: close`, so a request pipelined
    // behind it is not acted on (RFC 9112 §9.6), and nothing happens after close(). It is left
    // unanswered: Node closes the socket once the first answer is out (destroying it here could cut
    // that answer off), and close() ends every socket anyway.
    if (this.#phase === 'closed' || this.#servedSockets.has(req.socket)) return;
    this.#servedSockets.add(req.socket);
    const verdict = classifyRequest(
      { method: req.method ?? '', target: req.url ?? '', rawHeaders: req.rawHeaders },
      this.#endpoint.expectation,
    );
    switch (verdict.type) {
      case 'reject':
        sendPage(res, this.#page(verdict.page), verdict.page === 'methodNotAllowed' ? { Allow: 'GET' } : {});
        return;
      case 'callback':
        if (this.#phase !== 'waiting') {
          // A replayed or duplicate callback: exactly one resolution per sign-in (CHECKLIST L7).
          sendPage(res, this.#page('alreadyCompleted'));
          return;
        }
        this.#accept(verdict.query);
        // 303 to the bare path so the code and state leave the address bar and history (L24).
        sendPage(res, this.#page('redirect'), { Location: this.#config.path });
        return;
      case 'clean':
        this.#handleClean(res);
        return;
    }
  }

  #handleClean(res: ServerResponse): void {
    switch (this.#phase) {
      case 'waiting':
        // The bare path before any callback is a request without state (CHECKLIST L1).
        sendPage(res, this.#page('badRequest'));
        return;
      case 'received':
        if (this.#held.size >= MAX_HELD) {
          sendPage(res, this.#page('received'));
          return;
        }
        this.#held.add(res);
        res.once('close', () => this.#held.delete(res));
        return;
      case 'finishing':
        sendPage(res, this.#page(this.#outcomePage()));
        void this.close();
        return;
      default:
        return;
    }
  }

  #accept(query: string): void {
    // Built before any state changes, so a throw here leaves the receiver waiting as it was.
    const url = new URL(`${this.#config.path}?${query}`, this.#endpoint.origin);
    this.#phase = 'received';
    this.#clearTimer();
    this.#resolveCallback(url);
    // If the app never says how it ended, do not hold the tab (or the port) forever (N6).
    this.#timer = setTimeout(() => void this.close(), this.#config.finishHoldMs);
  }

  #fail(code: 'timed_out' | 'cancelled' | 'listener_failed', message: string, cause?: unknown): void {
    if (this.#phase !== 'waiting') return;
    this.#rejectCallback(new AuthError(code, message, cause === undefined ? undefined : { cause }));
    void this.close();
  }

  #onClientError(error: NodeJS.ErrnoException, socket: Socket): void {
    // Node may report several parser errors for one socket; it gets one answer.
    if (this.#answeredRaw.has(socket)) return;
    this.#answeredRaw.add(socket);
    // Garbage after a request on the same connection: that request owns the socket's answer
    // (it may be the held tab), so there is nothing more to say on it.
    if (this.#servedSockets.has(socket)) {
      socket.destroy();
      return;
    }
    const code = typeof error?.code === 'string' ? error.code : '';
    if (code === 'HPE_HEADER_OVERFLOW') this.#answerRaw(socket, 'tooLarge');
    else if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'HPE_HEADER_TIMEOUT') this.#answerRaw(socket, 'requestTimeout');
    else if (code.startsWith('HPE_')) this.#answerRaw(socket, 'badRequest');
    // ECONNRESET, EPIPE…: the peer is gone, nobody to answer.
    else socket.destroy();
  }

  #answerRaw(socket: Socket, kind: PageKind, extra?: ExtraHeaders): void {
    this.#answeredRaw.add(socket);
    sendRawPage(socket, this.#page(kind), extra);
  }

  #answerHeld(kind: PageKind): void {
    for (const res of this.#held) sendPage(res, this.#page(kind));
    this.#held.clear();
  }

  #outcomePage(): PageKind {
    return OUTCOME_PAGE[this.#outcome ?? 'error'];
  }

  #page(kind: PageKind): Page {
    return this.#pages.get(kind)!;
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
