/**
 * A deliberately dumb HTTP/1.1 client on raw sockets, so tests can send what no well-behaved
 * client would: malformed targets, duplicate Host headers, slow bytes, truncated requests.
 */
import net from 'node:net';

export interface RawResponse {
  status: number;
  /** Lower-cased header names; duplicates joined with ', '. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface RawExchange {
  /** Every byte the server sent. */
  raw: Buffer;
  /** Responses parsed from `raw` (more than one only if the server answered pipelined requests). */
  responses: RawResponse[];
  /** The first response, if any. */
  response: RawResponse | undefined;
  /** How the connection ended: closed by the server, reset, refused, or still open at the deadline. */
  end: 'closed' | 'reset' | 'refused' | 'deadline' | 'error';
}

export interface RawOptions {
  host?: string;
  /** Chunks written in order, with an optional pause before each. */
  chunks?: ReadonlyArray<{ data: string | Buffer; delayMs?: number }>;
  /** Half-close our side after the last chunk (a truncated request that then goes quiet). */
  halfClose?: boolean;
  /** Give up (and destroy the socket) after this long; the result says 'deadline'. */
  deadlineMs?: number;
}

/** Sends `data` (or `options.chunks`) and collects everything until the server closes. */
export function rawRequest(port: number, data: string | Buffer | null, options: RawOptions = {}): Promise<RawExchange> {
  const chunks = options.chunks ?? (data === null ? [] : [{ data }]);
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    let end: RawExchange['end'] | undefined;
    const socket = net.connect({ port, host: options.host ?? '127.0.0.1' });
    const deadline = setTimeout(() => {
      end ??= 'deadline';
      socket.destroy();
    }, options.deadlineMs ?? 10_000);
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') end ??= 'reset';
      else if (error.code === 'ECONNREFUSED') end ??= 'refused';
      else end ??= 'error';
    });
    socket.on('close', () => {
      clearTimeout(deadline);
      const raw = Buffer.concat(received);
      const responses = parseResponses(raw);
      resolve({ raw, responses, response: responses[0], end: end ?? 'closed' });
    });
    socket.once('connect', async () => {
      for (const chunk of chunks) {
        if (chunk.delayMs) await new Promise((r) => setTimeout(r, chunk.delayMs));
        if (socket.destroyed || !socket.writable) return;
        socket.write(chunk.data);
      }
      if (options.halfClose && !socket.destroyed) socket.end();
    });
  });
}

/** A plain GET with the given target and Host (pass `null` to send no Host header). */
export function rawGet(
  port: number,
  target: string,
  host: string | null,
  extraHeaders = '',
  address = '127.0.0.1',
): Promise<RawExchange> {
  const hostLine = host === null ? '' : `Host: ${host}\r\n`;
  return rawRequest(port, `GET ${target} HTTP/1.1\r\n${hostLine}${extraHeaders}\r\n`, { host: address });
}

/** Parses back-to-back HTTP/1.1 responses framed by Content-Length; stops at the first incomplete one. */
export function parseResponses(raw: Buffer): RawResponse[] {
  const responses: RawResponse[] = [];
  let offset = 0;
  while (offset < raw.length) {
    const headEnd = raw.indexOf('\r\n\r\n', offset, 'latin1');
    if (headEnd === -1) break;
    const lines = raw.subarray(offset, headEnd).toString('latin1').split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
    if (!match) break;
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const length = Number(headers['content-length'] ?? 0);
    const bodyStart = headEnd + 4;
    if (!Number.isInteger(length) || bodyStart + length > raw.length) break;
    responses.push({ status: Number(match[1]), headers, body: raw.subarray(bodyStart, bodyStart + length) });
    offset = bodyStart + length;
  }
  return responses;
}
