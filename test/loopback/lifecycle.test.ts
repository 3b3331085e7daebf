/**
 * How a sign-in ends at the listener: the 303 to the clean URL, the held tab answered by finish(),
 * timeout, cancel and close — and the port closed after every one of them (CHECKLIST N6, L19,
 * L20, L24).
 */
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../main/auth/errors';
import { callbackUrl, get, settledState, start, tryConnect } from './helpers';
import { rawRequest } from './raw-http';

async function expectClosed(port: number): Promise<void> {
  expect(await tryConnect(port)).toBe('ECONNREFUSED');
}

async function rejection(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  return error as AuthError;
}

describe('loopback receiver: completing a sign-in', () => {
  it('L24 the callback gets 303 to the clean URL; the clean GET is held until finish, then shows the outcome', async () => {
    const { receiver, state, port } = await start();
    const redirect = await get(callbackUrl(receiver, `code=secret-code&state=${state}`));
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get('location')).toBe('/callback');
    const cleanUrl = new URL(redirect.headers.get('location')!, receiver.redirectUri).href;
    expect(cleanUrl).toBe(receiver.redirectUri);
    expect(await redirect.text()).not.toContain('secret-code');
    expect((await receiver.callback).searchParams.get('code')).toBe('secret-code');

    let answered = false;
    const tab = get(cleanUrl).then((response) => {
      answered = true;
      return response;
    });
    // Held while the app exchanges the code.
    await new Promise((r) => setTimeout(r, 100));
    expect(answered).toBe(false);
    receiver.finish('success');
    const page = await tab;
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('You are signed in to oauth-desktop. You can close this tab and return to the app.');
    await receiver.closed;
    await expectClosed(port);
  });

  it('N6 the port is closed after finish("error"), and the tab says what to do', async () => {
    const { receiver, state, port } = await start({ appName: 'Acme Notes' });
    await get(callbackUrl(receiver, `code=c&state=${state}`));
    const tab = get(receiver.redirectUri);
    await new Promise((r) => setTimeout(r, 20));
    receiver.finish('error');
    expect(await (await tab).text()).toContain('Something went wrong: return to Acme Notes to try again.');
    await receiver.closed;
    await expectClosed(port);
  });

  it('N6 the port is closed after finish("cancelled"), and the tab says so', async () => {
    const { receiver, state, port } = await start();
    await get(callbackUrl(receiver, `error=access_denied&state=${state}`));
    const tab = get(receiver.redirectUri);
    await new Promise((r) => setTimeout(r, 20));
    receiver.finish('cancelled');
    expect(await (await tab).text()).toContain(
      'Sign-in was cancelled. You can close this tab; start again from oauth-desktop when you are ready.',
    );
    await receiver.closed;
    await expectClosed(port);
  });

  it('N6 a clean GET that arrives just after finish still gets the outcome page, then the port closes', async () => {
    const { receiver, state, port } = await start();
    await get(callbackUrl(receiver, `code=c&state=${state}`));
    receiver.finish('success');
    const page = await get(receiver.redirectUri);
    expect(await page.text()).toContain('You are signed in');
    await receiver.closed;
    await expectClosed(port);
  });

  it('N6 if nothing fetches the clean URL the listener closes after a short grace', async () => {
    const { receiver, state, port } = await start({ finishGraceMs: 50 });
    await get(callbackUrl(receiver, `code=c&state=${state}`));
    receiver.finish('success');
    await receiver.closed;
    await expectClosed(port);
  });

  it('N6 if the app never calls finish, the held tab gets a neutral page and the listener closes at the cap', async () => {
    const { receiver, state, port } = await start({ finishHoldMs: 100 });
    await get(callbackUrl(receiver, `code=c&state=${state}`));
    const page = await get(receiver.redirectUri);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('received the sign-in response');
    await receiver.closed;
    await expectClosed(port);
  });

  it('N6 finish is idempotent: the first outcome wins', async () => {
    const { receiver, state } = await start();
    await get(callbackUrl(receiver, `code=c&state=${state}`));
    const tab = get(receiver.redirectUri);
    await new Promise((r) => setTimeout(r, 20));
    receiver.finish('error');
    receiver.finish('success');
    expect(await (await tab).text()).toContain('Something went wrong');
  });

  it('N6 an outcome the receiver does not know shows the error page, never anything from the caller', async () => {
    const { receiver, state } = await start();
    await get(callbackUrl(receiver, `code=c&state=${state}`));
    const tab = get(receiver.redirectUri);
    await new Promise((r) => setTimeout(r, 20));
    receiver.finish('__proto__' as 'success');
    expect(await (await tab).text()).toContain('Something went wrong');
  });

  it('L16 a garbage request pipelined behind the held tab closes that connection and leaves the sign-in alone', async () => {
    const { receiver, state, port, hostHeader } = await start();
    await get(callbackUrl(receiver, `code=c&state=${state}`));
    const piped = await rawRequest(port, `GET /callback HTTP/1.1\r\nHost: ${hostHeader}\r\n\r\n\x00\x01garbage\r\n\r\n`);
    expect(piped.responses).toHaveLength(0);
    expect(piped.end).not.toBe('deadline');
    const tab = get(receiver.redirectUri);
    await new Promise((r) => setTimeout(r, 20));
    receiver.finish('success');
    expect(await (await tab).text()).toContain('You are signed in');
  });

  it('N6 finish before any callback ends the wait: cancelled, port closed', async () => {
    const { receiver, port } = await start();
    receiver.finish('error');
    expect((await rejection(receiver.callback)).code).toBe('cancelled');
    await receiver.closed;
    await expectClosed(port);
  });
});

describe('loopback receiver: timeout, cancel and close', () => {
  it('L19 the browser never returns: rejects timed_out, socket closed, a late callback finds nothing', async () => {
    const { receiver, state, port } = await start({ timeoutMs: 150 });
    const error = await rejection(receiver.callback);
    expect(error.code).toBe('timed_out');
    expect(error.message).toMatch(/did not return/);
    // T4: the message never carries the state.
    expect(error.message).not.toContain(state);
    await receiver.closed;
    await expectClosed(port);
    const late = await fetch(callbackUrl(receiver, `code=c&state=${state}`)).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(TypeError);
  });

  it('L19 the default timeout is five minutes', async () => {
    const { DEFAULT_TIMEOUT_MS } = await import('../../main/loopback/options');
    expect(DEFAULT_TIMEOUT_MS).toBe(300_000);
  });

  it('L19 bad hits do not reset or extend the timeout', async () => {
    const { receiver, port } = await start({ timeoutMs: 300 });
    const hammer = (async () => {
      while ((await settledState(receiver.callback)) === 'pending') {
        await get(callbackUrl(receiver, 'code=c&state=nope')).catch(() => undefined);
      }
    })();
    expect((await rejection(receiver.callback)).code).toBe('timed_out');
    await hammer;
    await receiver.closed;
    await expectClosed(port);
  });

  it('L20 cancel from the app: rejects cancelled, socket closed', async () => {
    const controller = new AbortController();
    const { receiver, port } = await start({ signal: controller.signal });
    expect(await settledState(receiver.callback)).toBe('pending');
    controller.abort();
    expect((await rejection(receiver.callback)).code).toBe('cancelled');
    await receiver.closed;
    await expectClosed(port);
  });

  it('L20 cancel after the callback arrived shows the cancelled page in the tab and closes', async () => {
    const controller = new AbortController();
    const { receiver, state, port } = await start({ signal: controller.signal });
    await get(callbackUrl(receiver, `code=c&state=${state}`));
    const tab = get(receiver.redirectUri);
    await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    expect(await (await tab).text()).toContain('Sign-in was cancelled.');
    expect((await receiver.callback).searchParams.get('code')).toBe('c');
    await receiver.closed;
    await expectClosed(port);
  });

  it('N6 close() (app quit) while waiting rejects cancelled, is idempotent and resolves when closed', async () => {
    const { receiver, port } = await start();
    const first = receiver.close();
    const second = receiver.close();
    await Promise.all([first, second, receiver.closed]);
    expect((await rejection(receiver.callback)).code).toBe('cancelled');
    await expectClosed(port);
    await receiver.close();
  });

  it('N6 close() destroys open connections, including a slow client mid-request', async () => {
    const { receiver, port } = await start();
    const net = await import('node:net');
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write('GET /callback?sta');
    const closedByServer = new Promise((r) => socket.once('close', r));
    socket.on('error', () => {});
    await receiver.close();
    await closedByServer;
    await expectClosed(port);
  });

  it('N6 close() after success answers a held tab and closes', async () => {
    const { receiver, state, port } = await start();
    await get(callbackUrl(receiver, `code=c&state=${state}`));
    const tab = get(receiver.redirectUri);
    await new Promise((r) => setTimeout(r, 20));
    await receiver.close();
    expect((await tab).status).toBe(200);
    await expectClosed(port);
  });
});
