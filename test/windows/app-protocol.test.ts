/**
 * The app:// protocol (CHECKLIST E4, E5): privileged scheme registration, the files it serves,
 * its CSP header, and the path-traversal guard — encoded, double-encoded, backslash, NUL and
 * symlink variants all end in a bare 404 with nothing of the target served.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('./fake-electron')).electronModule);

import { appUrlToPath } from '../../main/windows/app-files';
import { createAppProtocolHandler, registerAppScheme, serveAppProtocol } from '../../main/windows/app-protocol';
import { RENDERER_CSP_HEADER, RENDERER_CSP_META } from '../../main/windows/csp';
import { electronModule, fake, resetFakeElectron } from './fake-electron';

const SECRET = 'top-secret-outside-the-renderer';
let base: string;
let root: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'app-protocol-'));
  root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>ok</title>');
  writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(root, 'assets', 'index-abc.css'), 'body{}');
  writeFileSync(join(base, 'secret.txt'), SECRET);
  writeFileSync(join(base, 'renderer-evil.txt'), SECRET);
  symlinkSync(join(base, 'secret.txt'), join(root, 'link-out.txt'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));
beforeEach(() => resetFakeElectron());

const get = (url: string, method = 'GET') => createAppProtocolHandler(root)(new Request(url, { method }));

describe('E4: app:// scheme', () => {
  it('is registered as standard and secure, without bypassing CSP or enabling CORS', () => {
    registerAppScheme(electronModule.protocol);
    expect(fake.privilegedSchemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  });

  it('serveAppProtocol installs the handler for app:', async () => {
    serveAppProtocol(electronModule.protocol, root);
    const handler = fake.protocolHandlers.get('app')!;
    expect((await handler(new Request('app://app/index.html'))).status).toBe(200);
  });

  it('serves index.html for / and the built assets with their types', async () => {
    const index = await get('app://app/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toContain('<title>ok</title>');
    expect((await get('app://app/assets/index-abc.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await get('app://app/assets/index-abc.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('every response carries the CSP, nosniff and no-referrer headers (E5)', async () => {
    for (const url of ['app://app/', 'app://app/missing']) {
      const r = await get(url);
      expect(r.headers.get('content-security-policy')).toBe(RENDERER_CSP_HEADER);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('answers only GET and HEAD', async () => {
    const post = await get('app://app/index.html', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await get('app://app/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  const traversals = [
    'app://app/../../etc/passwd',
    'app://app/../secret.txt',
    'app://app/%2e%2e/secret.txt',
    'app://app/%2E%2E/%2E%2E/etc/passwd',
    'app://app/..%2fsecret.txt',
    'app://app/%2e%2e%2fsecret.txt',
    'app://app/assets/..%2f..%2fsecret.txt',
    'app://app/..%5csecret.txt',
    'app://app/%5c..%5c..%5csecret.txt',
    'app://app/%252e%252e/secret.txt',
    'app://app/%2e%2e%252fsecret.txt',
    'app://app/.%2e/secret.txt',
    'app://app//etc/passwd',
    'app://app/%2fetc%2fpasswd',
    'app://app/index.html%00.js',
    'app://app/%00',
    'app://app/%E0%A4%A',
    'app://app/link-out.txt',
    'app://app/assets/',
    'app://app/assets',
    'app://other/index.html',
    'app://app.evil/index.html',
    'app:///index.html',
  ];
  for (const url of traversals) {
    it(`404 for ${url}`, async () => {
      const r = await get(url);
      expect(r.status).toBe(404);
      expect(await r.text()).not.toContain(SECRET);
    });
  }

  it('appUrlToPath never resolves outside the root (prefix look-alikes included)', () => {
    expect(appUrlToPath('app://app/../renderer-evil.txt', root)).not.toBe(join(base, 'renderer-evil.txt'));
    expect(appUrlToPath('app://app/index.html', root)).toBe(join(root, 'index.html'));
    expect(appUrlToPath('app://app/..%2f/renderer-evil.txt', root)).toBeNull();
  });
});

describe('E5: the CSP', () => {
  it('allows no inline script, no eval and no network; the header adds frame-ancestors and base-uri', () => {
    expect(RENDERER_CSP_META).toBe("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'none'");
    expect(RENDERER_CSP_HEADER).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(RENDERER_CSP_HEADER).toContain("frame-ancestors 'none'");
    expect(RENDERER_CSP_HEADER).toContain("base-uri 'none'");
  });

  it('renderer/index.html carries the same policy in its meta tag', () => {
    const html = readFileSync(join(import.meta.dirname, '../../renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
    expect(meta?.[1]).toBe(RENDERER_CSP_META);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });
});
