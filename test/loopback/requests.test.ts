/**
 * What the receiver does with each kind of request, through real sockets (CHECKLIST N8, N9,
 * L1–L3, L5–L7, L10, L11, L15, L16). Every negative case also proves the flow was left untouched:
 * the callback is still pending and the real callback completes afterwards.
 */
import { describe, expect, it } from 'vitest';
import type { LoopbackReceiver } from '../../main/loopback/server';
import { callbackUrl, get, settledState, start } from './helpers';
import { rawGet, rawRequest } from './raw-http';

/** The real callback still gets through: the negative case did not end or poison the sign-in. */
async function realCallbackStillCompletes(receiver: LoopbackReceiver, state: string): Promise<void> {
  expect(await settledState(receiver.callback)).toBe('pending');
  const response = await get(callbackUrl(receiver, `code=real-code&state=${state}`));
  expect(response.status).toBe(303);
  const url = await receiver.callback;
  expect(url.searchParams.get('code')).toBe('real-code');
}

describe('loopback receiver: state', () => {
  it('L1 a wrong state gets the 400 page, is not resolved, and the real callback still completes', async () => {
    const { receiver, state } = await start();
    const response = await get(callbackUrl(receiver, 'code=attacker&state=not-the-state'));
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('not a valid sign-in response');
    await realCallbackStillCompletes(receiver, state);
  });

  it('L1 a state that differs only in length or one character is refused', async () => {
    const { receiver, state } = await start();
    const flipped = `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of [flipped, `${state}x`, state.slice(1), state.toUpperCase(), `${state}%20`, encodeURIComponent(` ${state}`)]) {
      const response = await get(callbackUrl(receiver, `code=c&state=${bad}`));
      expect(response.status, bad).toBe(400);
    }
    await realCallbackStillCompletes(receiver, state);
  });

  it('L2 a missing or empty state gets 400 and the flow keeps waiting', async () => {
    const { receiver, state } = await start();
    for (const query of ['code=abc', 'state=&code=abc', 'state', '', 'error=access_denied']) {
      const response = await get(callbackUrl(receiver, query));
      expect(response.status, query).toBe(400);
    }
    // The bare path before any callback is "no state" as well.
    expect((await get(receiver.redirectUri)).status).toBe(400);
    await realCallbackStillCompletes(receiver, state);
  });

  it('L2 no number of bad hits ends the sign-in', async () => {
    const { receiver, state } = await start();
    const hits = await Promise.all(
      Array.from({ length: 300 }, (_, i) => get(callbackUrl(receiver, `code=c${i}&state=guess${i}`)).then((r) => r.status)),
    );
    expect(new Set(hits)).toEqual(new Set([400]));
    await realCallbackStillCompletes(receiver, state);
  });

  it('N8 a duplicated state is rejected even when one copy is right', async () => {
    const { receiver, state } = await start();
    for (const query of [`state=${state}&state=${state}&code=c`, `state=${state}&code=c&state=other`, `state=other&state=${state}&code=c`]) {
      const response = await get(callbackUrl(receiver, query));
      expect(response.status).toBe(400);
    }
    await realCallbackStillCompletes(receiver, state);
  });

  it('L3 repeated code, error or iss gets 400 and is not resolved', async () => {
    const { receiver, state } = await start();
    for (const query of [
      `state=${state}&code=a&code=b`,
      `state=${state}&error=access_denied&error=server_error`,
      `state=${state}&code=a&iss=https%3A%2F%2Fa&iss=https%3A%2F%2Fb`,
      `state=${state}&code=a&code=a`,
      `state=${state}&code=a&c%6fde=b`,
    ]) {
      const response = await get(callbackUrl(receiver, query));
      expect(response.status, query).toBe(400);
    }
    await realCallbackStillCompletes(receiver, state);
  });

  it('L5 an error response with the right state is handed to the flow as is; error_description is never shown', async () => {
    const { receiver, state } = await start();
    const description = '<script>alert(1)</script>marker-9f2c';
    const query = `error=access_denied&error_description=${encodeURIComponent(description)}&state=${state}`;
    const response = await get(callbackUrl(receiver, query));
    expect(response.status).toBe(303);
    const body = await response.text();
    expect(body).not.toContain('marker-9f2c');
    expect(body).not.toContain('<script>');
    const url = await receiver.callback;
    expect(url.searchParams.get('error')).toBe('access_denied');
    expect(url.searchParams.get('error_description')).toBe(description);
    // The tab's final page is chosen by the flow (finish), never from the query.
    const clean = get(receiver.redirectUri);
    receiver.finish('cancelled');
    const page = await (await clean).text();
    expect(page).toContain('Sign-in was cancelled.');
    expect(page).not.toContain('marker-9f2c');
  });

  it('L6 an error response with a bad state is ignored as noise', async () => {
    const { receiver, state } = await start();
    for (const query of ['error=access_denied&state=wrong', 'error=server_error', 'error=access_denied&error_description=x']) {
      const response = await get(callbackUrl(receiver, query));
      expect(response.status).toBe(400);
    }
    await realCallbackStillCompletes(receiver, state);
  });

  it('L7 a duplicate callback gets the "already completed" page and never resolves again', async () => {
    const { receiver, state } = await start();
    expect((await get(callbackUrl(receiver, `code=first&state=${state}`))).status).toBe(303);
    const second = await get(callbackUrl(receiver, `code=second&state=${state}`));
    expect(second.status).toBe(409);
    expect(await second.text()).toContain('already been completed');
    const third = await get(callbackUrl(receiver, `error=access_denied&state=${state}`));
    expect(third.status).toBe(409);
    expect((await receiver.callback).searchParams.get('code')).toBe('first');
  });

  it('L4/L8/L9 belong to the flow: the listener passes the callback URL through unchanged for auth/ to validate', async () => {
    const { receiver, state } = await start();
    const query = `code=a%2Bb+c&state=${state}&iss=https%3A%2F%2Fissuer.example&access_token=front-channel`;
    expect((await get(callbackUrl(receiver, query))).status).toBe(303);
    const url = await receiver.callback;
    expect(url.origin + url.pathname).toBe(receiver.redirectUri);
    expect(url.searchParams.get('code')).toBe('a+b c');
    expect(url.searchParams.get('iss')).toBe('https://issuer.example');
    // L9 is the flow's to reject; the listener must not hide the token from it.
    expect(url.searchParams.get('access_token')).toBe('front-channel');
  });
});

describe('loopback receiver: paths and methods', () => {
  it('L10 other paths get 404 and leave the flow untouched; no files are served', async () => {
    const { receiver, state, port, hostHeader } = await start();
    const targets = [
      '/',
      '/favicon.ico',
      '/..',
      '/../package.json',
      '/%2e%2e/package.json',
      '/%2E%2E%2Fpackage.json',
      '//x',
      '//evil.example/callback',
      '/callback/',
      '/CALLBACK',
      '/callback/..',
      '/callback/../callback',
      '/./callback',
      '/%63allback',
      '/callback%3F',
      '/callback;x',
      '/callback\\',
      '/package.json',
      '/main/loopback/server.ts',
      '/etc/passwd',
      '/robots.txt',
    ];
    for (const path of targets) {
      const exchange = await rawGet(port, `${path}?state=${state}&code=c`, hostHeader);
      expect(exchange.response?.status, path).toBe(404);
      const body = exchange.response!.body.toString('utf8');
      expect(body).toContain('There is nothing at this address');
      expect(body).not.toContain('"name"');
    }
    await realCallbackStillCompletes(receiver, state);
  });

  it('N9 only the exact pending path is accepted', async () => {
    const { receiver, state, port, hostHeader } = await start({ path: '/oauth/cb' });
    expect(receiver.redirectUri).toMatch(/\/oauth\/cb$/);
    for (const path of ['/callback', '/oauth/cb/', '/oauth/CB', '/oauth', '/oauth//cb', '/oauth/cb/x']) {
      const exchange = await rawGet(port, `${path}?state=${state}&code=c`, hostHeader);
      expect(exchange.response?.status, path).toBe(404);
    }
    await realCallbackStillCompletes(receiver, state);
  });

  it('L11 non-GET methods get 405 with Allow: GET and do not resolve, even with the right state', async () => {
    const { receiver, state, port, hostHeader } = await start();
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'SEARCH']) {
      const body = method === 'POST' || method === 'PUT' ? `state=${state}&code=c` : '';
      const exchange = await rawRequest(
        port,
        `${method} /callback?state=${state}&code=c HTTP/1.1\r\nHost: ${hostHeader}\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      // A HEAD answer has Content-Length but no body, so read its head directly.
      const head = exchange.raw.toString('latin1').split('\r\n\r\n')[0]!;
      expect(head, method).toMatch(/^HTTP\/1\.1 405 /);
      expect(head).toContain('\r\nAllow: GET');
    }
    // Methods are case-sensitive (RFC 9110 §9.1): `get` is not a method at all, and the parser says so.
    const lower = await rawRequest(port, `get /callback?state=${state}&code=c HTTP/1.1\r\nHost: ${hostHeader}\r\n\r\n`);
    expect(lower.response?.status).toBe(400);
    await realCallbackStillCompletes(receiver, state);
  });

  it('L11 the body of a refused request is never read: 405 arrives although the announced body never does', async () => {
    const { receiver, state, port, hostHeader } = await start();
    const exchange = await rawRequest(
      port,
      `POST /callback HTTP/1.1\r\nHost: ${hostHeader}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n\r\nstate=`,
    );
    expect(exchange.response?.status).toBe(405);
    expect(exchange.end).toBe('closed');
    // Expect: 100-continue is never honoured (that would invite the body).
    const expecting = await rawRequest(
      port,
      `PUT /callback HTTP/1.1\r\nHost: ${hostHeader}\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n`,
    );
    expect(expecting.raw.toString('latin1')).not.toContain('100 Continue');
    expect(expecting.response?.status).toBe(405);
    const connect = await rawRequest(port, `CONNECT ${hostHeader} HTTP/1.1\r\nHost: ${hostHeader}\r\n\r\n`);
    expect(connect.response?.status).toBe(405);
    expect(connect.response?.headers.allow).toBe('GET');
    await realCallbackStillCompletes(receiver, state);
  });

  it('L11 a GET that announces a body is not a browser redirect: 400, not resolved', async () => {
    const { receiver, state, port, hostHeader } = await start();
    for (const extra of ['Content-Length: 5\r\n', 'Transfer-Encoding: chunked\r\n', 'Expect: 100-continue\r\n']) {
      const body = extra.startsWith('Content') ? 'hello' : extra.startsWith('Transfer') ? '0\r\n\r\n' : '';
      const exchange = await rawRequest(
        port,
        `GET /callback?state=${state}&code=c HTTP/1.1\r\nHost: ${hostHeader}\r\n${extra}\r\n${body}`,
      );
      expect(exchange.response?.status, extra).toBe(400);
    }
    await realCallbackStillCompletes(receiver, state);
  });

  it('L14 one request per connection: a request pipelined behind another is not acted on', async () => {
    const { receiver, state, port, hostHeader } = await start();
    const exchange = await rawRequest(
      port,
      `GET /nope HTTP/1.1\r\nHost: ${hostHeader}\r\n\r\nGET /callback?state=${state}&code=piped HTTP/1.1\r\nHost: ${hostHeader}\r\n\r\n`,
    );
    expect(exchange.responses.map((r) => r.status)).toEqual([404]);
    expect(exchange.end).toBe('closed');
    await realCallbackStillCompletes(receiver, state);
  });
});

describe('loopback receiver: Host header and encoding', () => {
  it('L15 a Host other than 127.0.0.1:PORT is rejected (DNS rebinding) even with the right state', async () => {
    const { receiver, state, port } = await start();
    const target = `/callback?state=${state}&code=c`;
    for (const host of [
      'evil.example',
      `evil.example:${port}`,
      '127.0.0.1',
      `127.0.0.1:${port + 1}`,
      `localhost:${port}`,
      `[::1]:${port}`,
      `127.0.0.1.:${port}`,
      `127.1:${port}`,
      `2130706433:${port}`,
      `user@127.0.0.1:${port}`,
      `127.0.0.1:${port}/x`,
      `127.0.0.1:0${port}`,
    ]) {
      const exchange = await rawGet(port, target, host);
      expect(exchange.response?.status, host).toBe(421);
      expect(exchange.response!.body.toString()).not.toContain('evil');
    }
    expect(await settledState(receiver.callback)).toBe('pending');
    // No Host, an empty one, or two of them (RFC 9112 §3.2): 400.
    expect((await rawGet(port, target, null)).response?.status).toBe(400);
    expect((await rawGet(port, target, null, 'Host: \r\n')).response?.status).toBe(421);
    const twice = await rawGet(port, target, `127.0.0.1:${port}`, 'Host: evil.example\r\n');
    expect(twice.response?.status).toBe(400);
    const http10 = await rawRequest(port, `GET ${target} HTTP/1.0\r\n\r\n`);
    expect(http10.response?.status).toBe(400);
    // Absolute-form target naming another host.
    const absolute = await rawGet(port, `http://evil.example${target}`, `127.0.0.1:${port}`);
    expect(absolute.response?.status).toBe(400);
    await realCallbackStillCompletes(receiver, state);
  });

  it('L15 the Host check ignores only case', async () => {
    const { receiver, state, port } = await start({ host: 'localhost' });
    const exchange = await rawGet(port, `/callback?state=${state}&code=c`, `LocalHost:${port}`);
    expect(exchange.response?.status).toBe(303);
    expect(await receiver.callback).toBeInstanceOf(URL);
  });

  it('L16 malformed percent-encoding gets 400, no exception escapes, the flow is untouched', async () => {
    const { receiver, state, port, hostHeader } = await start();
    for (const query of [
      `state=${state}&code=%`,
      `state=${state}&code=%zz`,
      `state=${state}&code=%4`,
      `state=${state}&code=%C0%AF`,
      `state=${state}&code=%E0%A4`,
      `state=${state}&code=%FF`,
      `state=${state}&code=%ED%A0%80`,
      `state=${state}%`,
      `%=x&state=${state}`,
    ]) {
      const exchange = await rawGet(port, `/callback?${query}`, hostHeader);
      expect(exchange.response?.status, query).toBe(400);
    }
    await realCallbackStillCompletes(receiver, state);
  });

  it('L16 raw non-ASCII bytes, control characters and garbage get 400 and the listener keeps working', async () => {
    const { receiver, state, port, hostHeader } = await start();
    const garbage: Array<string | Buffer> = [
      Buffer.from(`GET /callback?state=${state}&code=\xff\xfe HTTP/1.1\r\nHost: ${hostHeader}\r\n\r\n`, 'latin1'),
      Buffer.from(`GET /callback?state=${state}&code=é HTTP/1.1\r\nHost: ${hostHeader}\r\n\r\n`, 'utf8'),
      `GET /callback?state=${state}&code=a\tb HTTP/1.1\r\nHost: ${hostHeader}\r\n\r\n`,
      `GET /callback?state=${state}&code=a b HTTP/1.1\r\nHost: ${hostHeader}\r\n\r\n`,
      `GET /callback?state=${state}&code=a#frag HTTP/1.1\r\nHost: ${hostHeader}\r\n\r\n`,
      `GET /callback?state=${state} HTTP/9.9\r\nHost: ${hostHeader}\r\n\r\n`,
      `GET /callback?state=${state}\r\n\r\n`,
      `\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03`,
      'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
      `GET /callback HTTP/1.1\r\nHost: ${hostHeader}\r\nBad Header\r\n\r\n`,
      `GET /callback HTTP/1.1\r\nHost: ${hostHeader}\r\nX: a\x00b\r\n\r\n`,
      Buffer.from([0, 1, 2, 3, 255, 254, 13, 10, 13, 10]),
    ];
    for (const data of garbage) {
      const exchange = await rawRequest(port, data, { halfClose: true });
      expect(exchange.response?.status, JSON.stringify(data.toString())).toBe(400);
      expect(exchange.end).toBe('closed');
    }
    await realCallbackStillCompletes(receiver, state);
  });
});
