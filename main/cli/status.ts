/**
 * `status [--json]`: who is signed in, token expiry, scopes, keychain state. Reads the keychain;
 * when the access token is due it tries one renewal first, so the answer says "offline" or "signed
 * in" truthfully rather than "expired". Exit 0 whenever a status could be determined — the state is
 * in the output, not the exit code — and 1 only when even that failed.
 */
import type { AppConfig } from '../auth/config';
import type { SessionService } from '../auth/snapshot';
import { type CliIo, EXIT_OK, reportFailure } from './io';
import { settled, statusJson, statusText } from './session-view';

export interface StatusDeps {
  io: CliIo;
  session: SessionService;
  config: AppConfig;
  now: () => number;
}

/** Prints the status. @see README.md "## CLI" for every JSON key. */
export async function statusCommand(deps: StatusDeps, flags: { json?: boolean }): Promise<number> {
  const { io, session } = deps;
  try {
    await session.restore();
    const snapshot = await settled(session);
    if (!snapshot.storage.available) {
      io.stderr(`The keychain is unavailable: ${snapshot.storage.detail ?? 'unknown reason'}\n`);
    }
    io.stdout(
      flags.json ? `${JSON.stringify(statusJson(snapshot, deps.config, deps.now()), null, 2)}\n` : statusText(snapshot, deps.config, deps.now()),
    );
    return EXIT_OK;
  } catch (error) {
    return reportFailure(io, error);
  }
}
