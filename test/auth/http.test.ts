/**
 * main/auth/http.ts: timeouts on every request (K11), the http switch only for loopback issuers
 * (S7), and clock skew from the server Date header (K8). Real sockets on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oauth from 'oauth4webapi';
import { afterEach, describe, expect, it } from 'vitest';
import { toAuthError } from '../../main/auth/errors';
import {
  assertEndpointAllowed,
  clockSkewWarning,
  createOAuthHttp,
  DEFAULT_HTTP_TIMEOUT_MS,
  skewFromDate,
} from '../../main/auth/http';
import { systemClock } from '../../main/platform/ports';

let server: Server | undefined;
afterEach(async () => {
  if (server) {
    server.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
  }
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('http: the insecure switch (S7)', () => {
  it('S7 an https issuer never gets allowInsecureRequests, and oauth4webapi then refuses http without sending', async () => {
    let fetched = 0;
    const http = createOAuthHttp({ insecureLoopbackIssuer: false }, {
      fetch: async () => {
        fetched += 1;
        return new Response('{}');
      },
      clock: systemClock,
    });
    expect(oauth.allowInsecureRequests in http.options).toBe(false);
    expect(oauth.allowInsecureRequests in http.tokenEndpointOptions).toBe(false);
    const error = await oauth.discoveryRequest(new URL('http://127.0.0.1:9/'), http.options).catch((e) => e);
    expect(error).toBeInstanceOf(oauth.OperationProcessingError);
    expect(error.code).toBe(oauth.HTTP_REQUEST_FORBIDDEN);
    expect(toAuthError(error, 'discovery').code).toBe('insecure_endpoint');
    expect(fetched).toBe(0);
  });

  it('S7 only a loopback http issuer (config.insecureLoopbackIssuer) gets it', () => {
    const http = createOAuthHttp({ insecureLoopbackIssuer: true }, { fetch, clock: systemClock });
    expect(http.options[oauth.allowInsecureRequests]).toBe(true);
    expect(http.tokenEndpointOptions[oauth.allowInsecureRequests]).toBe(true);
  });

  it('S7 assertEndpointAllowed: https always, http only on loopback and only for a loopback issuer', () => {
    const secure = { insecureLoopbackIssuer: false };
    const dev = { insecureLoopbackIssuer: true };
    expect(assertEndpointAllowed('https://id.example.com/token', 'token_endpoint', secure).host).toBe('id.example.com');
    expect(() => assertEndpointAllowed('http://127.0.0.1:3000/token', 'token_endpoint', secure)).toThrow(
      expect.objectContaining({ code: 'insecure_endpoint' }),
    );
    expect(assertEndpointAllowed('http://127.0.0.1:3000/token', 'token_endpoint', dev).port).toBe('3000');
    expect(() => assertEndpointAllowed('http://evil.example/token', 'token_endpoint', dev)).toThrow(
      expect.objectContaining({ code: 'insecure_endpoint' }),
    );
    expect(() => assertEndpointAllowed('javascript:alert(1)', 'authorization_endpoint', dev)).toThrow(
      expect.objectContaining({ code: 'insecure_endpoint' }),
    );
    expect(() => assertEndpointAllowed('::not a url', 'token_endpoint', dev)).toThrow(
      expect.objectContaining({ code: 'provider_unsupported' }),
    );
  });
});

describe('http: timeouts (K11)', () => {
  it('K11 every request has a timeout (default 10 s); a server that never answers becomes AuthError timeout', async () => {
    expect(DEFAULT_HTTP_TIMEOUT_MS).toBe(10_000);
    const origin = await serve(() => {
      /* never answers */
    });
    const http = createOAuthHttp({ insecureLoopbackIssuer: true }, { fetch, clock: systemClock, timeoutMs: 200 });
    const error = await oauth.discoveryRequest(new URL(origin), http.options).catch((e) => e);
    expect(error.name).toBe('TimeoutError');
    expect(toAuthError(error, 'discovery').code).toBe('timeout');
  });

  it('K11 a caller signal still cancels, and is reported as cancelled, not timeout', async () => {
    const origin = await serve(() => {});
    const http = createOAuthHttp({ insecureLoopbackIssuer: true }, { fetch, clock: systemClock, timeoutMs: 5_000 });
    const controller = new AbortController();
    const pending = oauth.discoveryRequest(new URL(origin), { ...http.options, signal: controller.signal }).catch((e) => e);
    setTimeout(() => controller.abort(), 50);
    const error = await pending;
    expect(toAuthError(error, 'discovery').code).toBe('cancelled');
  });
});

describe('http: clock skew (K8)', () => {
  it('K8 token-endpoint responses record the server Date and the local receipt time', async () => {
    const serverNow = Date.now() - 12 * 60_000; // the server says: 12 minutes earlier
    const origin = await serve((_req, res) => {
      res.setHeader('Date', new Date(serverNow).toUTCString());
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
    const http = createOAuthHttp({ insecureLoopbackIssuer: true }, { fetch, clock: systemClock });
    expect(http.lastServerTime()).toBeNull();
    await http.options[oauth.customFetch](`${origin}/discovery`, { method: 'GET', headers: {}, body: undefined, redirect: 'manual' });
    expect(http.lastServerTime()).toBeNull(); // only token-endpoint responses are sampled
    await http.tokenEndpointOptions[oauth.customFetch](`${origin}/token`, {
      method: 'POST',
      headers: {},
      body: new URLSearchParams(),
      redirect: 'manual',
    });
    const sample = http.lastServerTime();
    expect(sample).not.toBeNull();
    expect(Math.abs(sample!.skewSeconds - 720)).toBeLessThanOrEqual(2);
    expect(clockSkewWarning(sample!.skewSeconds)?.message).toBe(
      "Your computer's clock is 12 minutes fast. Sign-in and token renewal may fail until it is corrected.",
    );
  });

  it('K8 skewFromDate: local minus server in seconds; null for a missing or bad header', () => {
    const server = Date.parse('Tue, 14 Nov 2023 22:13:20 GMT');
    expect(skewFromDate('Tue, 14 Nov 2023 22:13:20 GMT', server + 90_400)).toBe(90);
    expect(skewFromDate('Tue, 14 Nov 2023 22:13:20 GMT', server - 3_600_000)).toBe(-3600);
    expect(skewFromDate(null, server)).toBeNull();
    expect(skewFromDate('yesterday-ish', server)).toBeNull();
  });

  it('K8 clockSkewWarning: nothing within ±120 s, then minutes, hours, days, fast or slow', () => {
    expect(clockSkewWarning(0)).toBeNull();
    expect(clockSkewWarning(120)).toBeNull();
    expect(clockSkewWarning(-120)).toBeNull();
    expect(clockSkewWarning(null)).toBeNull();
    expect(clockSkewWarning(121)).toEqual({
      seconds: 121,
      message: "Your computer's clock is 2 minutes fast. Sign-in and token renewal may fail until it is corrected.",
    });
    expect(clockSkewWarning(-3 * 3600)?.message).toBe(
      "Your computer's clock is 3 hours slow. Sign-in and token renewal may fail until it is corrected.",
    );
    expect(clockSkewWarning(-60 * 60)?.message).toMatch(/is 60 minutes slow/);
    expect(clockSkewWarning(3 * 86_400)?.message).toMatch(/is 3 days fast/);
  });
});
