/**
 * The run-wide leak check itself (issue 8 §3, CHECKLIST T4) — proof that each part can fail:
 * - scripts/check-leaks.mjs fails on a planted leak, in a captured output and in the runner's own
 *   output, and names the kind of secret and the place, never the value;
 * - the bench provider's recorder (dev-provider/leak-recorder.ts) really writes down what it issues
 *   and receives, so the run-wide check has something to look for;
 * - redaction by construction: the objects that hold secrets print `[redacted]` through
 *   `JSON.stringify`, `util.inspect` (console.log, test-runner diffs) and `String()`.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect, promisify } from 'node:util';
import * as oauth from 'oauth4webapi';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthorizationSecrets } from '../../main/auth/authorize';
import { validateConfig } from '../../main/auth/config';
import { type AuthError, toAuthError } from '../../main/auth/errors';
import { sessionFromTokenResponse } from '../../main/auth/exchange';
import { decodeStoredSession, encodeStoredSession } from '../../main/auth/tokens';
import { LEAK_DIR_ENV } from '../../dev-provider/leak-recorder';
import { sampleSession } from '../auth/fixtures';
import { CLI_CLIENT, type DevProvider, startTestProvider } from '../support/provider';

const run = promisify(execFile);
const CHECKER = join(process.cwd(), 'scripts', 'check-leaks.mjs');

const dirs: string[] = [];
let provider: DevProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'leak-check-'));
  dirs.push(dir);
  return dir;
}

/** Runs the checker; resolves with its exit status and output (never rejects). */
async function check(dir: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CHECKER, dir]);
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

const planted = () => randomBytes(24).toString('base64url');

describe('T4 scripts/check-leaks.mjs', () => {
  it('T4 fails on a planted leak, naming the kind and the place but never the value', async () => {
    const dir = tempDir();
    const refreshToken = planted();
    const accessToken = planted();
    const code = planted();
    writeFileSync(join(dir, 'secrets-1.txt'), `refresh_token\t${refreshToken}\naccess_token\t${accessToken}\nauthorization_code\t${code}\n`);
    writeFileSync(
      join(dir, 'outputs-2.jsonl'),
      [
        { source: 'a clean log line', text: 'info session: renewed {"adopted":false}' },
        { source: 'test/x.test.ts: console stdout', text: `debug: refreshing with ${refreshToken} now` },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    // The runner's own output: a failing assertion's diff that printed an access token.
    writeFileSync(join(dir, 'vitest-run.log'), `line one\nline two\n- Expected: "${accessToken}"\n`);

    const result = await check(dir);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/LEAK — a refresh_token appears in test\/x\.test\.ts: console stdout \(first at outputs-2\.jsonl line 2\)/);
    expect(result.out).toMatch(/LEAK — an? access_token appears in the test runner output \(first at vitest-run\.log line 3\)/);
    expect(result.out).not.toMatch(/authorization_code appears/);
    expect(result.out).toMatch(/FAILED — 2 leak\(s\)/);
    for (const value of [refreshToken, accessToken, code]) expect(result.out.includes(value)).toBe(false);
  });

  it('T4 passes when no recorded secret appears; short values are not looked for', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'secrets-1.txt'), `access_token\t${planted()}\nauthorization_code\tabc1234\n`);
    writeFileSync(join(dir, 'outputs-1.jsonl'), `${JSON.stringify({ source: 's', text: 'the code abc1234 is 7 characters' })}\n`);
    const result = await check(dir);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/1 secrets recorded \(access_token 1\)/);
    expect(result.out).toMatch(/no recorded secret appears in any output/);
  });

  it('T4 an output that cannot be read fails the check instead of being skipped', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'secrets-1.txt'), `access_token\t${planted()}\n`);
    writeFileSync(join(dir, 'outputs-1.jsonl'), '{"source": "cut off mid-wri\n');
    const result = await check(dir);
    expect(result.code).toBe(2);
    expect(result.out).toMatch(/could not be read/);
  });
});

describe('T4 the bench provider records the secrets of the run', () => {
  it('T4 records issued access tokens, received client secrets, codes, verifiers and refresh tokens', async () => {
    const dir = tempDir();
    // The recorder reads the variable when the provider starts; restore it at once so this
    // worker's own outputs keep going to the run-wide capture.
    const before = process.env[LEAK_DIR_ENV];
    process.env[LEAK_DIR_ENV] = dir;
    try {
      provider = await startTestProvider({ extraClients: ['cli'] });
    } finally {
      if (before === undefined) delete process.env[LEAK_DIR_ENV];
      else process.env[LEAK_DIR_ENV] = before;
    }
    const token = `${provider.issuer}/token`;
    const basic = Buffer.from(`${CLI_CLIENT.client_id}:${String(CLI_CLIENT.client_secret)}`).toString('base64');
    const issued = await fetch(token, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api:read', resource: provider.resource }),
    });
    expect(issued.status).toBe(200);
    const accessToken = ((await issued.json()) as { access_token: string }).access_token;
    // Received but refused: still secrets the client sent, so still recorded.
    const bogusCode = planted();
    const bogusVerifier = oauth.generateRandomCodeVerifier();
    const bogusRefresh = planted();
    const refusedRequests: Array<Record<string, string>> = [
      { grant_type: 'authorization_code', code: bogusCode, code_verifier: bogusVerifier, redirect_uri: 'http://127.0.0.1/callback' },
      { grant_type: 'refresh_token', refresh_token: bogusRefresh },
    ];
    for (const body of refusedRequests) {
      const refused = await fetch(token, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: provider.clientId, ...body }),
      });
      expect(refused.status).toBe(400);
    }

    const files = readdirSync(dir);
    expect(files).toEqual([expect.stringMatching(/^secrets-\d+\.txt$/)]);
    const recorded = new Map(
      readFileSync(join(dir, files[0]!), 'utf8')
        .trim()
        .split('\n')
        .map((line) => [line.slice(line.indexOf('\t') + 1), line.slice(0, line.indexOf('\t'))] as const),
    );
    expect(recorded.get(accessToken)).toBe('access_token');
    expect(recorded.get(String(CLI_CLIENT.client_secret))).toBe('client_secret');
    expect(recorded.get(bogusCode)).toBe('authorization_code');
    expect(recorded.get(bogusVerifier)).toBe('code_verifier');
    expect(recorded.get(bogusRefresh)).toBe('refresh_token');
  });
});

describe('T4 redaction by construction', () => {
  /** Every way an object commonly ends up in a log or a diff. */
  const printed = (value: unknown): string =>
    [JSON.stringify(value), inspect(value, { depth: 10 }), String(value), `${inspect({ nested: value }, { depth: 10 })}`].join('\n');

  it('T4 a StoredSession from the keychain or from a token response prints [redacted] for its tokens', () => {
    const refreshToken = planted();
    const accessToken = planted();
    const fromKeychain = decodeStoredSession(encodeStoredSession(sampleSession({ refreshToken, accessToken })));
    const config = validateConfig({ issuer: 'https://id.example.com', clientId: 'oauth-desktop' });
    const fromResponse = sessionFromTokenResponse(
      config,
      { as: { issuer: 'https://id.example.com' }, client: { client_id: 'oauth-desktop' } },
      { access_token: accessToken, token_type: 'bearer', refresh_token: refreshToken, expires_in: 300 } as oauth.TokenEndpointResponse,
      { previous: sampleSession(), receivedAt: Date.now() },
    );
    for (const session of [fromKeychain, fromResponse]) {
      const text = printed(session);
      expect(text.includes(refreshToken)).toBe(false);
      expect(text.includes(accessToken)).toBe(false);
      expect(text).toContain('[redacted]');
      expect(text).toContain('alice');
      // Still plain data for the code that uses it.
      expect(session.refreshToken).toBe(refreshToken);
      expect(Object.keys(session)).not.toContain('toJSON');
      expect(encodeStoredSession(session)).toContain(refreshToken);
    }
  });

  it('T4 the per-request secrets (state, nonce, verifier) print [redacted]', () => {
    const secrets = new AuthorizationSecrets();
    const text = printed(secrets);
    for (const value of [secrets.state, secrets.nonce, secrets.codeVerifier]) expect(text.includes(value)).toBe(false);
    expect(text).toContain('[redacted]');
  });

  it('T4 an AuthError whose cause holds a refused token response prints no token (inspect, JSON, String)', async () => {
    const accessToken = planted();
    const refreshToken = planted();
    // A token response without token_type: oauth4webapi refuses it and keeps the body on `cause`.
    const response = new Response(JSON.stringify({ access_token: accessToken, refresh_token: refreshToken, expires_in: 300 }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
    let error: AuthError | undefined;
    try {
      await oauth.processRefreshTokenResponse({ issuer: 'https://id.example.com' }, { client_id: 'c' }, response);
    } catch (e) {
      error = toAuthError(e, 'refresh');
    }
    expect(error?.code).toBe('token_response_invalid');
    const text = printed(error);
    expect(text.includes(accessToken)).toBe(false);
    expect(text.includes(refreshToken)).toBe(false);
    // What a developer needs is still there: code, message and the kind of each cause.
    expect(inspect(error)).toMatch(/code: token_response_invalid/);
    expect(inspect(error)).toMatch(/caused by: OperationProcessingError \(OAUTH_INVALID_RESPONSE\)/);
  });
});
