/**
 * Sign-out (CHECKLIST R1–R4): revoke when the provider supports it, carry on when it refuses or
 * cannot be reached, always delete the keychain entry and check it is gone, and report each step.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserLauncher } from '../../main/platform/ports';
import { leakedSecrets, refreshTokenStillWorks, storedRecord, useSessionBench } from './session-harness';



const { signedIn: signedInBench } = useSessionBench();

describe('sign-out (R1–R4)', () => {
  it('R1–R4 with revocation: the refresh token is revoked at the provider, the entry deleted and verified gone', async () => {
    const b = await signedInBench('r-revoked');
    const stored = await storedRecord(b);
    const session = b.session();
    await session.restore();
    b.provider.resetCounts();
    const report = await session.signOut();
    expect(report).toEqual({ revocation: 'revoked', revocationError: null, localTokensDeleted: true, browserLogout: 'not-configured' });
    expect(b.provider.counts.revocation).toBe(1);
    expect(await b.keychain.accounts()).toEqual([]);
    expect(session.snapshot()).toMatchObject({ state: 'signed-out', account: null, lastError: null });
    expect(await refreshTokenStillWorks(b, stored!.rt!)).toBe(false);
    // T4: sign-out logged nothing secret.
    expect(leakedSecrets(session.logger.lines, [stored?.rt, stored?.at])).toEqual([]);
  });

  it('R1–R4 without revocation support (no revocation_endpoint): reported as not supported, the entry still deleted', async () => {
    const b = await signedInBench('r-unsupported', { features: { revocation: false } });
    const session = b.session();
    await session.restore();
    b.provider.resetCounts();
    const report = await session.signOut();
    expect(report.revocation).toBe('not-supported');
    expect(report.localTokensDeleted).toBe(true);
    expect(b.provider.counts.revocation).toBe(0);
    expect(await b.keychain.accounts()).toEqual([]);
  });

  it('R1–R4 revocation refused (public client not allowed): reported as failed with the code, the entry still deleted', async () => {
    const b = await signedInBench('r-refused');
    b.provider.failEndpoint('revocation', { status: 401, body: { error: 'invalid_client' } });
    const session = b.session();
    await session.restore();
    const report = await session.signOut();
    expect(report.revocation).toBe('failed');
    expect(report.revocationError?.code).toBe('invalid_client');
    expect(report.localTokensDeleted).toBe(true);
    expect(await b.keychain.accounts()).toEqual([]);
    expect(session.snapshot().state).toBe('signed-out');
  });

  it('R1–R4 provider unreachable at sign-out: revocation failed, local tokens deleted anyway', async () => {
    const b = await signedInBench('r-offline');
    const session = b.session();
    await session.restore();
    await b.provider.stop();
    const report = await session.signOut();
    expect(report.revocation).toBe('failed');
    expect(report.revocationError?.code).toBe('network');
    expect(report.localTokensDeleted).toBe(true);
    expect(await b.keychain.accounts()).toEqual([]);
  });

  it('R4 RP-initiated logout in the browser when configured and advertised', async () => {
    const b = await signedInBench('r-browser');
    const opened: string[] = [];
    const recorder: BrowserLauncher = {
      async open(url) {
        opened.push(url);
      },
    };
    const session = b.session({ browser: recorder, config: { logoutInBrowser: true } });
    await session.restore();
    const report = await session.signOut();
    expect(report.browserLogout).toBe('opened');
    expect(report.revocation).toBe('revoked');
    expect(opened).toHaveLength(1);
    const url = new URL(opened[0]!);
    expect(`${url.origin}${url.pathname}`).toBe(`${b.provider.issuer}/session/end`);
    expect(url.searchParams.get('client_id')).toBe(b.provider.clientId);
    expect(await b.keychain.accounts()).toEqual([]);
  });

  it('R1 sign-out with nothing in memory (e.g. a CLI logout) revokes and deletes what the keychain holds', async () => {
    const b = await signedInBench('r-cold');
    const session = b.session();
    const report = await session.signOut(); // no restore() first
    expect(report.localTokensDeleted).toBe(true);
    expect(report.revocation).toBe('revoked');
    expect(await b.keychain.accounts()).toEqual([]);
  });
});
