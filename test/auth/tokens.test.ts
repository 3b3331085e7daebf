/**
 * main/auth/tokens.ts: the compact, versioned keychain record (K4 size cap, K5 corrupt/unknown
 * version), pure encode/decode.
 */
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../main/auth/errors';
import { decodeStoredSession, encodeStoredSession, MAX_ENTRY_BYTES } from '../../main/auth/tokens';
import { sampleSession } from './fixtures';

function decodeError(text: string): AuthError {
  try {
    decodeStoredSession(text);
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    return error as AuthError;
  }
  throw new Error('expected decode to fail');
}

describe('tokens: record encoding', () => {
  it('round-trips a session exactly', () => {
    const session = sampleSession({ account: { sub: 'alice', name: 'A', email: 'a@x', picture: 'https://p/x.png' } });
    expect(decodeStoredSession(encodeStoredSession(session))).toEqual(session);
  });

  it('round-trips a session without identity, access token or expiry', () => {
    const session = sampleSession({ identity: null, accessToken: null, accessTokenExpiresAt: null, account: { sub: 'bob' } });
    expect(decodeStoredSession(encodeStoredSession(session))).toEqual(session);
  });

  it('uses short keys and a version number', () => {
    const record = JSON.parse(encodeStoredSession(sampleSession()));
    expect(record.v).toBe(1);
    expect(Object.keys(record).sort()).toEqual(['acct', 'at', 'cid', 'exp', 'idt', 'iss', 'rcv', 'rt', 'scp', 'v']);
  });

  it('K4 a record above 2,560 bytes is refused with storage_too_large (a typed error, not a crash)', () => {
    const session = sampleSession({ accessToken: 'x'.repeat(MAX_ENTRY_BYTES) });
    let error: unknown;
    try {
      encodeStoredSession(session);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe('storage_too_large');
    expect((error as AuthError).message).not.toContain('xxxx');
  });

  it('K4 a record just under the limit is accepted; a long avatar URL is dropped before giving up', () => {
    const base = encodeStoredSession(sampleSession({ accessToken: '' })).length;
    const fits = sampleSession({ accessToken: 'y'.repeat(MAX_ENTRY_BYTES - base) });
    expect(Buffer.byteLength(encodeStoredSession(fits))).toBe(MAX_ENTRY_BYTES);
    const withAvatar = sampleSession({
      accessToken: 'y'.repeat(MAX_ENTRY_BYTES - base - 10),
      account: { sub: 'alice', name: 'Alice Liddell', email: 'alice@example.test', picture: `https://p/${'a'.repeat(400)}` },
    });
    const decoded = decodeStoredSession(encodeStoredSession(withAvatar));
    expect(decoded.account.picture).toBeUndefined();
    expect(decoded.accessToken).toBe(withAvatar.accessToken);
  });

  it('K5 not JSON → storage_corrupt; the message and cause never quote the value', () => {
    const error = decodeError('{"v":1,"rt":"rt-secret-value"');
    expect(error.code).toBe('storage_corrupt');
    expect(error.message).not.toContain('rt-secret-value');
    expect(String((error.cause as Error).message)).not.toContain('rt-secret-value');
  });

  it('K5 an unknown version → storage_corrupt', () => {
    const record = JSON.parse(encodeStoredSession(sampleSession()));
    record.v = 2;
    const error = decodeError(JSON.stringify(record));
    expect(error.code).toBe('storage_corrupt');
    expect(error.message).toMatch(/unknown version 2/);
    expect(error.message).not.toContain('secret');
  });

  it('K5 malformed fields → storage_corrupt', () => {
    const good = JSON.parse(encodeStoredSession(sampleSession()));
    const cases: Record<string, unknown>[] = [
      { ...good, acct: { sub: '' } },
      { ...good, rt: 42 },
      { ...good, rt: null, at: null },
      { ...good, exp: 'soon' },
      { ...good, idt: ['a', 'b'] },
      { ...good, scp: ['openid'] },
      { ...good, iss: undefined },
    ];
    for (const c of cases) expect(decodeError(JSON.stringify(c)).code).toBe('storage_corrupt');
    expect(decodeError('[]').code).toBe('storage_corrupt');
    expect(decodeError('null').code).toBe('storage_corrupt');
  });
});
