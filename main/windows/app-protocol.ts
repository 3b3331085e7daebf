/**
 * The `app://` protocol that serves the renderer (CHECKLIST E4), instead of `file://` — which
 * would give the page the whole file system as its origin.
 *
 * `registerAppScheme` must run before `app` is ready; `serveAppProtocol` after. Responses carry
 * the CSP header (E5), `nosniff`, and `no-referrer`; anything but GET/HEAD of a file inside the
 * renderer folder is a bare 404/405.
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#18-avoid-usage-of-the-file-protocol-and-prefer-usage-of-custom-protocols
 */
import { readFile } from 'node:fs/promises';
import type { Protocol } from 'electron';
import { APP_SCHEME, resolveAppFile } from './app-files';
import { RENDERER_CSP_HEADER } from './csp';

/** Headers on every app:// response. */
export const APP_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': RENDERER_CSP_HEADER,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
};

/**
 * Declares `app:` a standard, secure scheme (relative URLs, `app://app` origin, secure context).
 * No `bypassCSP`, no `corsEnabled`: other origins get nothing from it. Call before app ready.
 * @see https://www.electronjs.org/docs/latest/api/protocol#protocolregisterschemesasprivilegedcustomschemes
 */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** The request handler, separate so tests can call it with a plain `Request`. */
export function createAppProtocolHandler(rendererRoot: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response(null, { status: 405, headers: { ...APP_RESPONSE_HEADERS, allow: 'GET, HEAD' } });
    }
    const file = await resolveAppFile(request.url, rendererRoot);
    if (file === null) return new Response('Not found', { status: 404, headers: { ...APP_RESPONSE_HEADERS, 'content-type': 'text/plain' } });
    const body = request.method === 'HEAD' ? null : await readFile(file.path);
    return new Response(body, { status: 200, headers: { ...APP_RESPONSE_HEADERS, 'content-type': file.contentType } });
  };
}

/** Serves `rendererRoot` (dist/renderer) on app://app/. Call after app ready. */
export function serveAppProtocol(protocol: Pick<Protocol, 'handle'>, rendererRoot: string): void {
  protocol.handle(APP_SCHEME, createAppProtocolHandler(rendererRoot));
}
