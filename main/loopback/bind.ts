/**
 * Binding the receiver to a loopback address, with the IPv6 fallback of RFC 8252 §8.3.
 */
import type { Server } from 'node:net';

/** The only addresses the receiver ever binds: never a wildcard (CHECKLIST N4). */
export type LoopbackAddress = '127.0.0.1' | '::1';

/**
 * Starts listening on one address; rejects with the system error (`code` set). Injectable so a
 * test can make the IPv4 bind fail on a machine where it works (CHECKLIST N7).
 */
export type ListenFunction = (server: Server, address: LoopbackAddress, port: number) => Promise<void>;

/** The real `server.listen`, as a promise. */
export const listenOn: ListenFunction = (server, address, port) =>
  new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    // exclusive: never share the port with a cluster worker or another handle.
    server.listen({ host: address, port, exclusive: true });
  });

// Errors that mean "this machine has no usable IPv4 loopback", as opposed to "the port is taken"
// (EADDRINUSE), which must surface: a fixed port held by someone else is not ours to dodge.
const NO_IPV4_LOOPBACK = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT', 'EPROTONOSUPPORT', 'EINVAL']);

/**
 * Binds `127.0.0.1` (also for the `localhost` host name), falling back to `::1` when IPv4 loopback
 * is unavailable; `::1` when asked for explicitly. Returns the address actually bound.
 * @see RFC 8252 §7.3 (loopback IP literals), §8.3 (bind loopback only; IPv4 and IPv6)
 */
export async function bindLoopback(
  server: Server,
  host: '127.0.0.1' | '::1' | 'localhost',
  port: number,
  listen: ListenFunction = listenOn,
): Promise<LoopbackAddress> {
  if (host === '::1') {
    await listen(server, '::1', port);
    return '::1';
  }
  try {
    await listen(server, '127.0.0.1', port);
    return '127.0.0.1';
  } catch (error) {
    if (!NO_IPV4_LOOPBACK.has(errorCode(error))) throw error;
    await listen(server, '::1', port);
    return '::1';
  }
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}
