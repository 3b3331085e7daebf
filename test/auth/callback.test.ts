/**
 * main/auth/callback.ts: validation of the redirect the loopback receiver collected. Pure: the
 * callback URLs are built here (the same checks run on real callbacks in signin.e2e.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { validateCallback } from '../../main/auth/callback';
import { AuthError } from '../../main/auth/errors';

const ISSUER = 'https://id.example.com';
const STATE = 'expected-state-value-0123456789abcdefghijkl';
const withIss = { as: { issuer: ISSUER, authorization_response_iss_parameter_supported: true }, client: { client_id: 'desktop' } };
const withoutIss = { as: { issuer: ISSUER }, client: { client_id: 'desktop' } };

function callback(params: Record<string, string> | [string, string][], hash = ''): URL {
  const url = new URL('http://127.0.0.1:49152/callback');
  for (const [k, v] of Array.isArray(params) ? params : Object.entries(params)) url.searchParams.append(k, v);
  url.hash = hash;
  return url;
}

function failure(fn: () => unknown): AuthError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    return error as AuthError;
  }
  throw new Error('expected an AuthError');
}

describe('callback validation', () => {
  it('accepts code + matching state + matching iss and returns the parameters for the exchange', () => {
    const params = validateCallback(withIss, callback({ code: 'the-code', state: STATE, iss: ISSUER }), STATE);
    expect(params.get('code')).toBe('the-code');
  });

  it('S3 iss mismatch is rejected (iss_mismatch)', () => {
    const error = failure(() => validateCallback(withIss, callback({ code: 'c', state: STATE, iss: 'https://evil.example' }), STATE));
    expect(error.code).toBe('iss_mismatch');
    expect(error.message).not.toContain('evil');
  });

  it('S3 a missing iss is rejected when the provider advertises authorization_response_iss_parameter_supported', () => {
    expect(failure(() => validateCallback(withIss, callback({ code: 'c', state: STATE }), STATE)).code).toBe('iss_mismatch');
    // …and accepted from a provider that does not send iss
    expect(validateCallback(withoutIss, callback({ code: 'c', state: STATE }), STATE).get('code')).toBe('c');
    // a wrong iss is wrong whether advertised or not
    expect(failure(() => validateCallback(withoutIss, callback({ code: 'c', state: STATE, iss: 'x' }), STATE)).code).toBe('iss_mismatch');
  });

  it('N8 a wrong or missing state is rejected (state_mismatch)', () => {
    expect(failure(() => validateCallback(withIss, callback({ code: 'c', state: 'other', iss: ISSUER }), STATE)).code).toBe('state_mismatch');
    expect(failure(() => validateCallback(withIss, callback({ code: 'c', iss: ISSUER }), STATE)).code).toBe('state_mismatch');
  });

  it('N8 L3 a duplicated state, code, iss or error is rejected (callback_invalid)', () => {
    for (const name of ['state', 'code', 'iss', 'error']) {
      const value = name === 'state' ? STATE : name === 'iss' ? ISSUER : 'x';
      const params: [string, string][] = [['code', 'c'], ['state', STATE], ['iss', ISSUER]].filter(([k]) => k !== name) as [
        string,
        string,
      ][];
      params.push([name, value], [name, value]);
      expect(failure(() => validateCallback(withIss, callback(params), STATE)).code).toBe('callback_invalid');
    }
  });

  it('N11 L9 tokens in the query are rejected (front_channel_tokens), before anything else', () => {
    for (const name of ['access_token', 'id_token', 'token']) {
      const error = failure(() => validateCallback(withIss, callback({ code: 'c', state: STATE, iss: ISSUER, [name]: 'tok-value' }), STATE));
      expect(error.code).toBe('front_channel_tokens');
      expect(error.message).not.toContain('tok-value');
    }
    // even without a valid state: tokens in a URL are never acceptable
    expect(failure(() => validateCallback(withIss, callback({ access_token: 'x' }), STATE)).code).toBe('front_channel_tokens');
  });

  it('L5 error=access_denied → access_denied; error_description is never reflected', () => {
    const error = failure(() =>
      validateCallback(
        withIss,
        callback({ error: 'access_denied', error_description: '<script>alert(1)</script> call 555-SCAM', state: STATE, iss: ISSUER }),
        STATE,
      ),
    );
    expect(error.code).toBe('access_denied');
    expect(error.message).toBe('Sign-in was cancelled in the browser.');
  });

  it('other error responses → authorization_error with the (sanitised) error code only', () => {
    const error = failure(() =>
      validateCallback(withIss, callback({ error: 'invalid_scope', error_description: 'evil text', state: STATE, iss: ISSUER }), STATE),
    );
    expect(error.code).toBe('authorization_error');
    expect(error.message).toContain('invalid_scope');
    expect(error.message).not.toContain('evil text');
    const weird = failure(() => validateCallback(withIss, callback({ error: '<b>"x"</b>', state: STATE, iss: ISSUER }), STATE));
    expect(weird.code).toBe('authorization_error');
    expect(weird.message).not.toContain('<b>');
  });

  it('L4 neither code nor error → callback_invalid', () => {
    expect(failure(() => validateCallback(withIss, callback({ state: STATE, iss: ISSUER }), STATE)).code).toBe('callback_invalid');
    expect(failure(() => validateCallback(withIss, callback({ code: '', state: STATE, iss: ISSUER }), STATE)).code).toBe('callback_invalid');
  });
});
