/**
 * `auth:call-api`: the renderer asks the main process to call the protected API. The main process
 * attaches the access token (RFC 6750 §2.1) and only for configured API origins (the session
 * checks that); the page never holds a token (CHECKLIST E12).
 *
 * The schema keeps the request boring: an absolute http(s) URL without credentials, a method from
 * an allow-list, a bounded number of well-formed headers — none of which may carry credentials or
 * steer the connection — and a bounded text body.
 */
import { z } from 'zod';
import { API_METHODS, INVOKE_CHANNELS } from '../../../preload/contract';
import type { SessionService } from '../../auth/snapshot';
import { defineHandler, type HandlerContext } from '../handler';
import { toCallApiResponse } from '../views';

/** Limits on what the page may send. */
export const CALL_API_LIMITS = {
  urlLength: 2048,
  headerCount: 32,
  headerValueLength: 1024,
  /** UTF-8 bytes. */
  bodyBytes: 64 * 1024,
} as const;

/**
 * Headers the page may not set. Credentials are the main process's job (a page-supplied
 * Authorization header would either leak into logs or override the real token); the others are
 * framing and connection headers that fetch computes itself (RFC 9110 §7.6.1, §8.6).
 */
export const FORBIDDEN_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'dpop',
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
]);

/** RFC 9110 §5.6.2 `token`. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
/** RFC 9110 §5.5 field-value: visible characters, space, tab; no CR/LF/NUL (header injection). */
const HEADER_VALUE = /^[\t\x20-\x7E\x80-\xFF]*$/;

const url = z
  .string()
  .max(CALL_API_LIMITS.urlLength, `must be at most ${CALL_API_LIMITS.urlLength} characters`)
  .refine(isPlainHttpUrl, 'must be an absolute http(s) URL without user name or password');

const headers = z
  .record(
    z.string().regex(HEADER_NAME, 'header names must be HTTP tokens'),
    z
      .string()
      .max(CALL_API_LIMITS.headerValueLength, `header values must be at most ${CALL_API_LIMITS.headerValueLength} characters`)
      .regex(HEADER_VALUE, 'header values must not contain line breaks or control characters'),
    // zod reports a bad key as "Invalid key in record" unless told otherwise.
    { error: (issue) => (issue.code === 'invalid_key' ? 'header names must be HTTP tokens' : undefined) },
  )
  .refine((h) => Object.keys(h).length <= CALL_API_LIMITS.headerCount, `at most ${CALL_API_LIMITS.headerCount} headers`)
  .superRefine((h, ctx) => {
    for (const name of Object.keys(h)) {
      const lower = name.toLowerCase();
      if (!FORBIDDEN_REQUEST_HEADERS.has(lower)) continue;
      ctx.addIssue({
        code: 'custom',
        path: [lower],
        message:
          lower === 'authorization' || lower === 'proxy-authorization' || lower === 'dpop' || lower === 'cookie'
            ? 'credentials are attached by the app itself; the page must not send them'
            : 'this header is set by the app itself',
      });
    }
  });

const body = z
  .string()
  .refine(
    (b) => Buffer.byteLength(b, 'utf8') <= CALL_API_LIMITS.bodyBytes,
    `must be at most ${CALL_API_LIMITS.bodyBytes / 1024} KiB`,
  );

/** The payload of `auth:call-api`. */
export const callApiSchema = z
  .strictObject({
    url,
    method: z.enum(API_METHODS, `must be one of ${API_METHODS.join(', ')}`).optional(),
    headers: headers.optional(),
    body: body.optional(),
  })
  .refine((r) => r.body === undefined || (r.method !== undefined && r.method !== 'GET' && r.method !== 'HEAD'), {
    message: 'GET and HEAD requests cannot have a body',
    path: ['body'],
  });

function isPlainHttpUrl(text: string): boolean {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return false;
  }
  return (u.protocol === 'https:' || u.protocol === 'http:') && u.username === '' && u.password === '';
}

/** @see INVOKE_CHANNELS.callApi */
export function callApiHandler(session: SessionService, context: HandlerContext) {
  return defineHandler(
    INVOKE_CHANNELS.callApi,
    callApiSchema,
    async (request) =>
      toCallApiResponse(
        await session.callApi({
          url: request.url,
          method: request.method ?? 'GET',
          ...(request.headers ? { headers: request.headers } : {}),
          ...(request.body !== undefined ? { body: request.body } : {}),
        }),
      ),
    context,
  );
}
