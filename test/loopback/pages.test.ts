/**
 * The fixed pages and their headers, as a browser receives them (CHECKLIST L24, L5).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PAGE_KINDS, renderPages, STYLE_HASH } from '../../main/loopback/pages';
import { callbackUrl, get, start } from './helpers';
import { type RawResponse, rawGet, rawRequest } from './raw-http';

function expectSecurityHeaders(headers: Record<string, string>, label: string): void {
  expect(headers['cache-control'], label).toBe('no-store');
  expect(headers['referrer-policy'], label).toBe('no-referrer');
  expect(headers['x-content-type-options'], label).toBe('nosniff');
  expect(headers.connection, label).toBe('close');
  expect(headers['content-type'], label).toBe('text/html; charset=utf-8');
  const csp = headers['content-security-policy'] ?? '';
  expect(csp.startsWith("default-src 'none';"), label).toBe(true);
  expect(csp).toContain(`style-src '${STYLE_HASH}'`);
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).toContain("frame-ancestors 'none'");
}

function headersOf(response: Response): Record<string, string> {
  return Object.fromEntries(response.headers.entries());
}

describe('loopback receiver: pages', () => {
  it('L24 every answer, from 303 to 431 and the final page, is a fixed page with no-store, no-referrer, CSP and nosniff', async () => {
    const { receiver, state, port, hostHeader } = await start();
    const seen = new Map<number, RawResponse>();
    const record = (status: number | undefined, response: RawResponse | undefined) => {
      expect(response?.status).toBe(status);
      seen.set(status!, response!);
    };
    record(400, (await rawGet(port, '/callback?state=bad', hostHeader)).response);
    record(404, (await rawGet(port, '/favicon.ico', hostHeader)).response);
    record(405, (await rawRequest(port, `DELETE /callback HTTP/1.1\r\nHost: ${hostHeader}\r\n\r\n`)).response);
    record(421, (await rawGet(port, '/callback', 'evil.example')).response);
    record(431, (await rawGet(port, `/callback?state=${'x'.repeat(20_000)}`, hostHeader)).response);
    record(400, (await rawRequest(port, 'NOT HTTP AT ALL\r\n\r\n')).response);
    record(303, (await rawGet(port, `/callback?code=c&state=${state}`, hostHeader)).response);
    record(409, (await rawGet(port, `/callback?code=c&state=${state}`, hostHeader)).response);
    const tab = get(receiver.redirectUri);
    await new Promise((r) => setTimeout(r, 20));
    receiver.finish('success');
    const final = await tab;
    expectSecurityHeaders(headersOf(final), 'final page');
    for (const [status, response] of seen) expectSecurityHeaders(response.headers, String(status));
    expect(seen.get(303)?.headers.location).toBe('/callback');
    expect(seen.get(405)?.headers.allow).toBe('GET');
    // No CORS grant: a web page that fires requests at the port can never read an answer.
    for (const response of seen.values()) expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(final.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('L24 the CSP hash matches the one inline stylesheet, and the pages load nothing else', () => {
    for (const page of renderPages('oauth-desktop').values()) {
      const html = page.body.toString('utf8');
      const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)];
      expect(styles).toHaveLength(1);
      const hash = `sha256-${createHash('sha256').update(styles[0]![1]!, 'utf8').digest('base64')}`;
      expect(hash).toBe(STYLE_HASH);
      expect(html).not.toMatch(/<script|<img|<link|<iframe|<form|src=|href=|url\(/i);
    }
  });

  it('L24 the texts tell the user plainly what happened and what to do', () => {
    const pages = renderPages('Acme Notes');
    const text = (kind: (typeof PAGE_KINDS)[number]) => pages.get(kind)!.body.toString('utf8');
    expect(text('success')).toContain('You are signed in to Acme Notes. You can close this tab and return to the app.');
    expect(text('cancelled')).toContain(
      'Sign-in was cancelled. You can close this tab; start again from Acme Notes when you are ready.',
    );
    expect(text('error')).toContain('Something went wrong: return to Acme Notes to try again.');
    expect(text('alreadyCompleted')).toContain('This sign-in has already been completed.');
    expect(text('notFound')).toContain('There is nothing at this address.');
    expect(text('badRequest')).toContain('not a valid sign-in response for Acme Notes');
    expect(new Set(PAGE_KINDS.map((k) => pages.get(k)!.status))).toEqual(
      new Set([200, 303, 400, 404, 405, 408, 409, 421, 431, 500]),
    );
  });

  it('L24 the app name is escaped; it is the only variable part of a page', () => {
    const pages = renderPages('<b>"Evil" & Co</b>');
    const plain = renderPages('X');
    for (const kind of PAGE_KINDS) {
      const html = pages.get(kind)!.body.toString('utf8');
      expect(html).not.toContain('<b>');
      expect(html).toContain('&#60;b&#62;&#34;Evil&#34; &#38; Co&#60;/b&#62;');
      // Replacing the name gives back the plain page: nothing else varies.
      expect(html.replaceAll('&#60;b&#62;&#34;Evil&#34; &#38; Co&#60;/b&#62;', 'X')).toBe(
        plain.get(kind)!.body.toString('utf8'),
      );
    }
  });

  it('L5 nothing from the request is reflected: path, query, error_description or headers', async () => {
    const { receiver, state, port, hostHeader } = await start();
    const marker = 'zqmarker7c1e';
    const probes = [
      rawGet(port, `/${marker}`, hostHeader),
      rawGet(port, `/callback?state=${marker}&error_description=%3Ch1%3E${marker}`, hostHeader),
      rawGet(port, `/callback?state=${state}&code=%${marker}`, hostHeader),
      rawGet(port, '/callback', `${marker}.example`),
      rawGet(port, '/callback?state=x', hostHeader, `X-${marker}: ${marker}\r\nReferer: http://${marker}/\r\n`),
      rawRequest(port, `${marker.toUpperCase()} /callback HTTP/1.1\r\nHost: ${hostHeader}\r\n\r\n`),
      rawRequest(port, `GET /callback?${marker}=${'y'.repeat(9000)} HTTP/1.1\r\nHost: ${hostHeader}\r\n\r\n`),
    ];
    for (const exchange of await Promise.all(probes)) {
      expect(exchange.response).toBeDefined();
      expect(exchange.raw.toString('latin1').toLowerCase()).not.toContain(marker);
    }
    const redirect = await get(callbackUrl(receiver, `state=${state}&code=c&error_description=${marker}`));
    expect(redirect.status).toBe(303);
    expect(await redirect.text()).not.toContain(marker);
    expect([...redirect.headers.values()].join('\n')).not.toContain(marker);
  });
});
