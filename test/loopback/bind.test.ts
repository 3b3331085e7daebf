/**
 * Where the receiver listens and which redirect URI it announces (CHECKLIST N3, N4, N5, N7).
 */
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../main/auth/errors';
import { listenOn } from '../../main/loopback/bind';
import { type ListenFunction, startLoopbackReceiver } from '../../main/loopback/server';
import { callbackUrl, freshState, get, settledState, start, tryConnect } from './helpers';
import { rawGet } from './raw-http';

function nonLoopbackAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((info) => info !== undefined && !info.internal && !info.address.startsWith('fe80:'))
    .map((info) => info!.address);
}

async function occupiedPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const { port } = blocker.address() as net.AddressInfo;
  return { port, release: () => new Promise((resolve) => blocker.close(() => resolve())) };
}

async function freePort(): Promise<number> {
  const { port, release } = await occupiedPort();
  await release();
  return port;
}

describe('loopback receiver: binding and redirect URI', () => {
  it('N3 the default redirect URI is an IP literal on the default path', async () => {
    const { receiver, port } = await start();
    expect(receiver.redirectUri).toBe(`http://127.0.0.1:${port}/callback`);
    const v6 = await start({ host: '::1', path: '/oauth/done' });
    expect(v6.receiver.redirectUri).toBe(`http://[::1]:${v6.port}/oauth/done`);
  });

  it('N3 localhost only by explicit configuration: binds 127.0.0.1, announces localhost, accepts only that Host', async () => {
    const { receiver, port, state } = await start({ host: 'localhost' });
    expect(receiver.redirectUri).toBe(`http://localhost:${port}/callback`);
    expect(receiver.boundAddress).toEqual({ address: '127.0.0.1', family: 'IPv4', port });
    const literal = await rawGet(port, `/callback?state=${state}&code=c`, `127.0.0.1:${port}`);
    expect(literal.response?.status).toBe(421);
    expect(await settledState(receiver.callback)).toBe('pending');
    const named = await rawGet(port, `/callback?state=${state}&code=c`, `localhost:${port}`);
    expect(named.response?.status).toBe(303);
    expect((await receiver.callback).searchParams.get('code')).toBe('c');
  });

  it('N4 binds loopback only: 127.0.0.1 (or ::1), never a wildcard, unreachable on other interfaces', async () => {
    const { receiver, port } = await start();
    expect(receiver.boundAddress.address).toBe('127.0.0.1');
    expect(receiver.boundAddress.family).toBe('IPv4');
    for (const address of nonLoopbackAddresses()) {
      expect(await tryConnect(port, address)).toBe('ECONNREFUSED');
    }
    // IPv6 loopback is a different socket: a 127.0.0.1 listener is not reachable on ::1.
    expect(await tryConnect(port, '::1')).toBe('ECONNREFUSED');
    const v6 = await start({ host: '::1' });
    expect(v6.receiver.boundAddress).toEqual({ address: '::1', family: 'IPv6', port: v6.port });
    for (const address of nonLoopbackAddresses()) {
      expect(await tryConnect(v6.port, address)).toBe('ECONNREFUSED');
    }
  });

  it('N5 port 0 lets the OS choose: two receivers get distinct non-zero ports', async () => {
    const a = await start();
    const b = await start();
    expect(a.port).toBeGreaterThan(0);
    expect(b.port).toBeGreaterThan(0);
    expect(a.port).not.toBe(b.port);
  });

  it('N5 a fixed port is honoured when a provider requires one', async () => {
    const port = await freePort();
    const { receiver } = await start({ port });
    expect(receiver.boundAddress.port).toBe(port);
    expect(receiver.redirectUri).toBe(`http://127.0.0.1:${port}/callback`);
  });

  it('N5 a fixed port held by another program fails with listener_failed, without dodging to another address', async () => {
    const { port, release } = await occupiedPort();
    try {
      const error = await startLoopbackReceiver({ port, expectedState: freshState() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthError);
      expect((error as AuthError).code).toBe('listener_failed');
      expect((error as AuthError).message).toMatch(/used by another program/);
    } finally {
      await release();
    }
  });

  it('N7 when IPv4 loopback cannot be bound, falls back to [::1] with the matching redirect URI', async () => {
    const attempts: string[] = [];
    const noIpv4: ListenFunction = async (server, address, port) => {
      attempts.push(address);
      if (address === '127.0.0.1') {
        throw Object.assign(new Error('listen EADDRNOTAVAIL: address not available 127.0.0.1'), { code: 'EADDRNOTAVAIL' });
      }
      await listenOn(server, address, port);
    };
    const { receiver, port, state } = await start({ listen: noIpv4 });
    expect(attempts).toEqual(['127.0.0.1', '::1']);
    expect(receiver.redirectUri).toBe(`http://[::1]:${port}/callback`);
    expect(receiver.boundAddress).toEqual({ address: '::1', family: 'IPv6', port });
    // The IPv4 Host is now the wrong one.
    const v4Host = await rawGet(port, `/callback?state=${state}&code=x`, `127.0.0.1:${port}`, '', '::1');
    expect(v4Host.response?.status).toBe(421);
    // A real client following the redirect URI completes the callback over IPv6.
    const response = await get(callbackUrl(receiver, `code=abc&state=${state}`));
    expect(response.status).toBe(303);
    expect((await receiver.callback).searchParams.get('code')).toBe('abc');
  });

  it('N7 the same fallback keeps the configured localhost name', async () => {
    const noIpv4: ListenFunction = async (server, address, port) => {
      if (address === '127.0.0.1') throw Object.assign(new Error('EAFNOSUPPORT'), { code: 'EAFNOSUPPORT' });
      await listenOn(server, address, port);
    };
    const { receiver, port } = await start({ host: 'localhost', listen: noIpv4 });
    expect(receiver.redirectUri).toBe(`http://localhost:${port}/callback`);
    expect(receiver.boundAddress.address).toBe('::1');
  });

  it('N7 an IPv6 failure after the IPv4 failure is reported as listener_failed', async () => {
    const nothing: ListenFunction = async () => {
      throw Object.assign(new Error('EADDRNOTAVAIL'), { code: 'EADDRNOTAVAIL' });
    };
    const error = await startLoopbackReceiver({ expectedState: freshState(), listen: nothing }).catch((e: unknown) => e);
    expect((error as AuthError).code).toBe('listener_failed');
  });

  it('N4/N9 nonsense options (wildcard host, bad path, bad port) get config_invalid before anything is bound', async () => {
    const state = freshState();
    for (const options of [
      { expectedState: '' },
      { expectedState: state, port: 70_000 },
      { expectedState: state, port: 1.5 },
      { expectedState: state, path: 'callback' },
      { expectedState: state, path: '/a/../b' },
      { expectedState: state, path: '/call back' },
      { expectedState: state, path: '/callback?x=1' },
      { expectedState: state, host: '0.0.0.0' as '127.0.0.1' },
      { expectedState: state, timeoutMs: 0 },
      { expectedState: state, limits: { headersTimeoutMs: 5_000, requestTimeoutMs: 1_000 } },
      { expectedState: state, limits: { maxConnections: 0 } },
      { expectedState: state, appName: '' },
    ]) {
      const error = await startLoopbackReceiver(options).catch((e: unknown) => e);
      expect(error, JSON.stringify(options)).toBeInstanceOf(AuthError);
      expect((error as AuthError).code).toBe('config_invalid');
    }
  });

  it('L20 a cancel that lands while the port is being bound still cancels and closes', async () => {
    const controller = new AbortController();
    let boundPort = 0;
    const abortMidBind: ListenFunction = async (server, address, port) => {
      await listenOn(server, address, port);
      boundPort = (server.address() as net.AddressInfo).port;
      controller.abort();
    };
    const receiver = await startLoopbackReceiver({ expectedState: freshState(), signal: controller.signal, listen: abortMidBind });
    const error = await receiver.callback.catch((e: unknown) => e);
    expect((error as AuthError).code).toBe('cancelled');
    await receiver.closed;
    expect(await tryConnect(boundPort)).toBe('ECONNREFUSED');
  });

  it('L20 a signal that is already aborted opens nothing and rejects with cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await startLoopbackReceiver({ expectedState: freshState(), signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect((error as AuthError).code).toBe('cancelled');
  });
});
