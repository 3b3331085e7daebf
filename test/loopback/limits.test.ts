/**
 * Size, time and connection limits (CHECKLIST L12, L13, L14). Limits are set small so the tests
 * are quick; the assertions are about what happens (closed, answered, bounded), not how fast.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_HEADER_SIZE } from '../../main/loopback/options';
import type { LoopbackReceiver } from '../../main/loopback/server';
import { callbackUrl, get, settledState, start } from './helpers';
import { type RawExchange, rawGet, rawRequest } from './raw-http';

async function realCallbackStillCompletes(receiver: LoopbackReceiver, state: string): Promise<void> {
  expect(await settledState(receiver.callback)).toBe('pending');
  const response = await get(callbackUrl(receiver, `code=real&state=${state}`));
  expect(response.status).toBe(303);
  expect((await receiver.callback).searchParams.get('code')).toBe('real');
}

function expectAnsweredOrClosed(exchange: RawExchange, statuses: number[]): void {
  expect(exchange.end).not.toBe('deadline');
  if (exchange.response) expect(statuses).toContain(exchange.response.status);
}

describe('loopback receiver: limits', () => {
  it('L12 an oversized request line gets 431 and the flow is untouched', async () => {
    const { receiver, state, port, hostHeader } = await start();
    expect(DEFAULT_MAX_HEADER_SIZE).toBe(8 * 1024);
    const exchange = await rawGet(port, `/callback?state=${state}&code=${'c'.repeat(10_000)}`, hostHeader);
    expect(exchange.response?.status).toBe(431);
    expect(exchange.response?.body.toString()).toContain('The request was too large');
    expect(exchange.response?.headers['cache-control']).toBe('no-store');
    await realCallbackStillCompletes(receiver, state);
  });

  it('L12 oversized or too many headers get 431', async () => {
    const { receiver, state, port, hostHeader } = await start();
    const big = await rawGet(port, `/callback?state=${state}&code=c`, hostHeader, `Cookie: ${'a'.repeat(9_000)}\r\n`);
    expect(big.response?.status).toBe(431);
    const many = Array.from({ length: 400 }, (_, i) => `X-H${i}: ${'v'.repeat(20)}\r\n`).join('');
    const manyHeaders = await rawGet(port, `/callback?state=${state}&code=c`, hostHeader, many);
    expect(manyHeaders.response?.status).toBe(431);
    // A megabyte of header bytes, sent as fast as possible: still answered, connection closed.
    const flood = await rawRequest(port, `GET /callback HTTP/1.1\r\nHost: ${hostHeader}\r\nX: ${'z'.repeat(1 << 20)}`);
    expectAnsweredOrClosed(flood, [431]);
    await realCallbackStillCompletes(receiver, state);
  });

  it('L12 the header limit is configurable', async () => {
    const { receiver, state, port, hostHeader } = await start({ limits: { maxHeaderSize: 32 * 1024 } });
    const exchange = await rawGet(port, `/callback?state=${state}&code=${'c'.repeat(10_000)}`, hostHeader);
    expect(exchange.response?.status).toBe(303);
    expect((await receiver.callback).searchParams.get('code')).toHaveLength(10_000);
  });

  it('L13 slowloris: slow, idle and truncated connections are closed by the timeouts while the real callback succeeds', async () => {
    const { receiver, state, port, hostHeader } = await start({ limits: { headersTimeoutMs: 300, requestTimeoutMs: 600 } });
    const dribble = `GET /callback?state=${state}&code=slow HTTP/1.1\r\nHost: ${hostHeader}\r\nX-Slow: ${'s'.repeat(200)}`;
    const slowSenders = [
      // One byte every 50 ms, forever (well past both timeouts).
      rawRequest(port, null, { chunks: [...dribble].map((c) => ({ data: c, delayMs: 50 })), deadlineMs: 8_000 }),
      // Connects and says nothing.
      rawRequest(port, null, { deadlineMs: 8_000 }),
      // Sends half a request and goes quiet.
      rawRequest(port, `GET /callback?state=${state}&code=half HTTP/1.1\r\nHost: ${hostHeader}\r\n`, { deadlineMs: 8_000 }),
      // Headers complete slowly, line by line.
      rawRequest(port, null, {
        chunks: [
          { data: `GET /callback?state=${state}&code=lines HTTP/1.1\r\nHost: ${hostHeader}\r\n` },
          ...Array.from({ length: 40 }, (_, i) => ({ data: `X-Line-${i}: 1\r\n`, delayMs: 40 })),
        ],
        deadlineMs: 8_000,
      }),
    ];
    // While they hang on, the browser comes back.
    await realCallbackStillCompletes(receiver, state);
    for (const exchange of await Promise.all(slowSenders)) {
      expectAnsweredOrClosed(exchange, [408]);
      if (exchange.response) expect(exchange.response.body.toString()).toContain('did not arrive in time');
    }
    // None of them resolved anything: the callback is the real one.
    expect((await receiver.callback).searchParams.get('code')).toBe('real');
  });

  it('L13 a client that is slow but within the limits is answered normally', async () => {
    const { receiver, state, port, hostHeader } = await start({ limits: { headersTimeoutMs: 2_000, requestTimeoutMs: 4_000 } });
    const request = `GET /callback?state=${state}&code=patient HTTP/1.1\r\nHost: ${hostHeader}\r\n\r\n`;
    const thirds = [request.slice(0, 20), request.slice(20, 60), request.slice(60)];
    const exchange = await rawRequest(port, null, { chunks: thirds.map((data) => ({ data, delayMs: 30 })) });
    expect(exchange.response?.status).toBe(303);
    expect((await receiver.callback).searchParams.get('code')).toBe('patient');
  });

  it('L14 a connection flood is bounded by maxConnections; the real callback succeeds afterwards', async () => {
    const maxConnections = 8;
    const { receiver, state, port } = await start({
      limits: { maxConnections, headersTimeoutMs: 400, requestTimeoutMs: 800 },
    });
    const total = 40;
    const flood = await Promise.all(Array.from({ length: total }, () => rawRequest(port, null, { deadlineMs: 8_000 })));
    const accepted = flood.filter((exchange) => exchange.response !== undefined);
    const dropped = flood.filter((exchange) => exchange.response === undefined);
    for (const exchange of flood) expectAnsweredOrClosed(exchange, [408]);
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.length).toBeLessThanOrEqual(maxConnections);
    expect(dropped.length).toBeGreaterThanOrEqual(total - maxConnections);
    await realCallbackStillCompletes(receiver, state);
  });

  it('L14 a burst of connect-and-vanish sockets does not hurt the listener', async () => {
    const { receiver, state, port } = await start();
    await Promise.all(
      Array.from(
        { length: 500 },
        () =>
          new Promise<void>((resolve) => {
            const socket = net.connect(port, '127.0.0.1');
            socket.on('error', () => resolve());
            socket.once('connect', () => {
              socket.resetAndDestroy();
              resolve();
            });
          }),
      ),
    );
    await realCallbackStillCompletes(receiver, state);
  });

  it('L14 keep-alive is off: one answer per connection, then the server closes it', async () => {
    const { port, hostHeader } = await start();
    const exchange = await rawGet(port, '/nothing', hostHeader, 'Connection: keep-alive\r\n');
    expect(exchange.response?.headers.connection).toBe('close');
    expect(exchange.responses).toHaveLength(1);
    expect(exchange.end).toBe('closed');
  });
});
