/**
 * Sign-out, honestly reported (CHECKLIST R1–R4).
 *
 * Order matters: the local tokens go first, so a crash or a hanging provider can never leave a
 * signed-out user with tokens on disk; then the refresh token is revoked at the provider (RFC 7009)
 * when it advertises a revocation endpoint — some providers refuse revocation by public clients or
 * are unreachable, and sign-out carries on; then, if configured, the provider's own session is
 * ended in the browser (OIDC RP-Initiated Logout). The report says which steps happened, so the UI
 * never claims more than was done.
 */
import * as oauth from 'oauth4webapi';
import type { BrowserLauncher, Logger } from '../platform/ports';
import type { AppConfig } from './config';
import type { DiscoveredProvider } from './discovery';
import { AuthError, isAuthError, toAuthError } from './errors';
import type { SignOutReport } from './snapshot';
import type { TokenVault } from './vault';

export interface SignOutDeps {
  config: AppConfig;
  vault: TokenVault;
  getProvider(): Promise<DiscoveredProvider>;
  browser: BrowserLauncher;
  logger: Logger;
}

export interface SignOutTarget {
  /** The subject whose keychain entry is deleted, or null when no session is known. */
  sub: string | null;
  /** The refresh token to revoke (the newest one known, K17), else the access token, else null. */
  tokenToRevoke: { token: string; hint: 'refresh_token' | 'access_token' } | null;
}

/**
 * Deletes the local session, revokes the token, optionally logs out in the browser; never throws.
 * @see RFC 7009 §2, OIDC RP-Initiated Logout 1.0 §2
 */
export async function signOutEverywhere(deps: SignOutDeps, target: SignOutTarget): Promise<SignOutReport> {
  const localTokensDeleted = await deleteLocal(deps, target.sub);

  let revocation: SignOutReport['revocation'] = 'skipped';
  let revocationError: SignOutReport['revocationError'] = null;
  let provider: DiscoveredProvider | null = null;
  if (target.tokenToRevoke || deps.config.logoutInBrowser) {
    try {
      provider = await deps.getProvider();
    } catch (error) {
      revocationError = toAuthError(error, 'revocation').toJSON();
    }
  }
  if (target.tokenToRevoke) {
    if (!provider) revocation = 'failed';
    else if (typeof provider.as.revocation_endpoint !== 'string') revocation = 'not-supported';
    else {
      try {
        const response = await oauth.revocationRequest(provider.as, provider.client, provider.clientAuth, target.tokenToRevoke.token, {
          ...provider.http.options,
          additionalParameters: { token_type_hint: target.tokenToRevoke.hint },
        });
        await oauth.processRevocationResponse(response);
        revocation = 'revoked';
      } catch (error) {
        const mapped = toAuthError(error, 'revocation');
        revocation = 'failed';
        revocationError = mapped.toJSON();
        deps.logger.warn('sign-out: revocation failed; local tokens are deleted anyway', { code: mapped.code });
      }
    }
  }

  const browserLogout = await logoutInBrowser(deps, provider);
  deps.logger.info('sign-out: done', { revocation, localTokensDeleted, browserLogout });
  return { revocation, revocationError, localTokensDeleted, browserLogout };
}

/** Deletes the keychain entry and checks it is gone (R3). With no session known, nothing to delete. */
async function deleteLocal(deps: SignOutDeps, sub: string | null): Promise<boolean> {
  try {
    if (sub !== null) return await deps.vault.remove(sub);
    // Nothing in memory (e.g. `logout` before any restore): whatever this registration has stored goes.
    const loaded = await deps.vault.load();
    if (loaded.kind !== 'found') return true;
    return await deps.vault.remove(loaded.session.account.sub);
  } catch (error) {
    const mapped = isAuthError(error) ? error : toAuthError(error, 'keychain');
    deps.logger.warn('sign-out: the keychain entry could not be deleted', { code: mapped.code });
    return false;
  }
}

/** Opens the provider's end-session page when configured and advertised. */
async function logoutInBrowser(deps: SignOutDeps, provider: DiscoveredProvider | null): Promise<SignOutReport['browserLogout']> {
  if (!deps.config.logoutInBrowser) return 'not-configured';
  if (!provider) return 'failed';
  const endpoint = provider.as.end_session_endpoint;
  if (typeof endpoint !== 'string') return 'not-supported';
  // We keep no ID token (only its claims), so the request identifies the client instead of using
  // id_token_hint (RP-Initiated Logout §2: client_id is allowed); the provider asks the user to confirm.
  const url = new URL(endpoint);
  url.searchParams.set('client_id', deps.config.clientId);
  try {
    await deps.browser.open(url.href);
    return 'opened';
  } catch (error) {
    deps.logger.warn('sign-out: the browser could not be opened for logout', {
      code: error instanceof AuthError ? error.code : 'browser_unavailable',
    });
    return 'failed';
  }
}
