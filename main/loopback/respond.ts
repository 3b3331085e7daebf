/**
 * Writing the fixed pages: through Node's `ServerResponse` for parsed requests, or as raw bytes on
 * the socket when the parser gave up (oversized, too slow, not HTTP) and there is no response object.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { type Page, SECURITY_HEADERS } from './pages';

/** Extra headers a page may carry; values are constants chosen by the receiver, never input. */
export interface ExtraHeaders {
  readonly Allow?: 'GET';
  readonly Location?: string;
}

/** Sends a page and lets Node close the connection after it (`Connection: close`). */
export function sendPage(res: ServerResponse, page: Page, extra: ExtraHeaders = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(page.status, {
    ...SECURITY_HEADERS,
    ...extra,
    'Content-Length': String(page.body.length),
  });
  res.end(page.body);
}

// How long a socket we answered by hand may stay open for the answer to drain before it is
// destroyed. Closing at once while the client is still sending would reset the connection and the
// client might never read the status (e.g. 431 to a 1 MB header).
const RAW_LINGER_MS = 500;

/**
 * Answers on a bare socket (parser error, timeout, CONNECT) if nothing was written on it yet,
 * then closes it. Never throws.
 */
export function sendRawPage(socket: Socket, page: Page, extra: ExtraHeaders = {}): void {
  try {
    if (socket.destroyed) return;
    if (socket.writable && socket.bytesWritten === 0) {
      const head =
        `HTTP/1.1 ${page.status} ${STATUS_CODES[page.status] ?? 'Error'}\r\n` +
        Object.entries({ ...SECURITY_HEADERS, ...extra })
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('') +
        `Content-Length: ${page.body.length}\r\n\r\n`;
      socket.end(Buffer.concat([Buffer.from(head, 'latin1'), page.body]));
      setTimeout(() => socket.destroy(), RAW_LINGER_MS).unref();
    } else {
      socket.destroy();
    }
  } catch {
    socket.destroy();
  }
}
