/**
 * `logout`: revoke the refresh token at the provider (RFC 7009) when it supports that, delete the
 * keychain entry and check it is gone, and say which steps happened (CHECKLIST R1–R4). No renewal
 * is attempted first: an expired session is signed out as it is.
 */
import type { SessionService, SignOutReport } from '../auth/snapshot';
import { type CliIo, EXIT_FAILURE, EXIT_OK, reportFailure } from './io';

export interface LogoutDeps {
  io: CliIo;
  /** Built with `refreshOnRestore: false`. */
  session: SessionService;
}

/** Exit 0 when the local tokens are verifiably gone (whatever the provider said), else 1. */
export async function logoutCommand(deps: LogoutDeps): Promise<number> {
  const { io, session } = deps;
  try {
    const before = await session.restore();
    const report = await session.signOut();
    io.stdout(describeReport(report, before.account?.sub ?? null));
    if (!report.localTokensDeleted) {
      io.stderr(`The keychain entry could not be deleted${before.storage.detail ? `: ${before.storage.detail}` : ''}.\n`);
      return EXIT_FAILURE;
    }
    return EXIT_OK;
  } catch (error) {
    return reportFailure(io, error);
  }
}

const REVOCATION: Record<SignOutReport['revocation'], string> = {
  revoked: 'revoked at the provider',
  'not-supported': 'not revoked: the provider offers no revocation endpoint',
  failed: 'not revoked: the provider refused or could not be reached',
  skipped: 'nothing to revoke',
};

const BROWSER: Record<SignOutReport['browserLogout'], string | null> = {
  opened: 'the provider\'s sign-out page was opened in your browser',
  'not-configured': null,
  'not-supported': 'the provider offers no browser sign-out (end_session_endpoint)',
  failed: 'the browser could not be opened for the provider\'s sign-out page',
};

function describeReport(report: SignOutReport, sub: string | null): string {
  const lines = [
    sub ? `Signed out ${sub}.` : 'No session was signed in.',
    `Local tokens: ${report.localTokensDeleted ? 'deleted from the keychain (verified)' : 'NOT deleted'}`,
    `Refresh token: ${REVOCATION[report.revocation]}${report.revocationError ? ` (${report.revocationError.code})` : ''}`,
  ];
  const browser = BROWSER[report.browserLogout];
  if (browser) lines.push(`Browser: ${browser}`);
  return `${lines.join('\n')}\n`;
}
