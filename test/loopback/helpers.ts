/**
 * Shared set-up for the loopback receiver tests: receivers that are always closed after the test,
 * a fresh random state per receiver, and small probes on the callback promise.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterEach } from 'vitest';
import { type LoopbackOptions, type LoopbackReceiver, startLoopbackReceiver } from '../../main/loopback/server';

const open: LoopbackReceiver[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((receiver) => receiver.close()));
});

/** A state as the flow makes it: 32 random bytes, base64url (oauth4webapi's generateRandomState). */
export function freshState(): string {
  return randomBytes(32).toString('base64url');
}

export interface Started {
  receiver: LoopbackReceiver;
  state: string;
  port: number;
  /** `host:port` the receiver accepts as Host. */
  hostHeader: string;
}

/** Starts a receiver that the test's afterEach closes. */
export async function start(options: Partial<LoopbackOptions> = {}): Promise<Started> {
  const state = options.expectedState ?? freshState();
  const receiver = await startLoopbackReceiver({ ...options, expectedState: state });
  open.push(receiver);
  const url = new URL(receiver.redirectUri);
  return { receiver, state, port: receiver.boundAddress.port, hostHeader: url.host };
}

/** 'pending' while the callback promise has not settled, else how it settled. */
export async function settledState(promise: Promise<unknown>): Promise<'pending' | 'resolved' | 'rejected'> {
  const marker = Symbol('pending');
  try {
    const value = await Promise.race([promise, new Promise((r) => setImmediate(() => r(marker)))]);
    return value === marker ? 'pending' : 'resolved';
  } catch {
    return 'rejected';
  }
}

/** Resolves with the socket error code of a connection attempt, or 'connected'. */
export function tryConnect(port: number, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

/** GETs a URL without following redirects. */
export function get(url: string): Promise<Response> {
  return fetch(url, { redirect: 'manual' });
}

/** Callback URL with the given query appended to the redirect URI. */
export function callbackUrl(receiver: LoopbackReceiver, query: string): string {
  return `${receiver.redirectUri}?${query}`;
}
