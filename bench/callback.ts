/**
 * The moment the browser's callback hits a loopback listener, observed without touching the
 * listener: Node publishes every incoming HTTP request on the `http.server.request.start`
 * diagnostics channel before the server's `request` handlers run. The sign-in figures start their
 * clock there, for the product's receiver and the baseline's listener alike, while chromium
 * delivers the callback for real.
 * @see https://nodejs.org/docs/latest-v20.x/api/diagnostics_channel.html#http
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { now } from './sampler';

const CHANNEL = 'http.server.request.start';

interface RequestStart {
  request: IncomingMessage;
  server: Server;
}

/** What reached one listener: the callback, and the requests after it. */
export interface ListenerWatch {
  /**
   * Resolves with `now()` when a request carrying an authorization response (`state` in the query,
   * RFC 6749 §4.1.2) reaches the listener.
   */
  readonly callback: Promise<number>;
  /** `now()` of each later request without `state`: the browser following the listener's redirect. */
  readonly followUps: number[];
  /** Stops watching (a pending `callback` then never settles). */
  cancel(): void;
}

/** Watches the HTTP server listening on `port`. Start it before the browser goes. */
export function watchListener(port: number, timeoutMs = 30_000): ListenerWatch {
  const followUps: number[] = [];
  let cancel = () => {};
  const callback = new Promise<number>((resolve, reject) => {
    let arrived = false;
    const onStart = (message: unknown) => {
      const at = now();
      const { request, server } = message as RequestStart;
      if ((server.address() as AddressInfo | null)?.port !== port) return;
      if (!new URL(request.url ?? '/', 'http://listener').searchParams.has('state')) {
        if (arrived) followUps.push(at);
        return;
      }
      if (arrived) return;
      arrived = true;
      clearTimeout(timer);
      resolve(at);
    };
    const timer = setTimeout(() => {
      cancel();
      reject(new Error(`bench: no callback reached port ${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    cancel = () => {
      clearTimeout(timer);
      unsubscribe(CHANNEL, onStart);
    };
    subscribe(CHANNEL, onStart);
  });
  return { callback, followUps, cancel: () => cancel() };
}

/** The port of the `redirect_uri` in an authorization URL. */
export function redirectPort(authorizationUrl: string): number {
  const redirectUri = new URL(authorizationUrl).searchParams.get('redirect_uri');
  if (!redirectUri) throw new Error('bench: the authorization URL has no redirect_uri');
  return Number(new URL(redirectUri).port);
}
