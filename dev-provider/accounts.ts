/**
 * The demo accounts of the bench provider. The dev login page (oidc-provider's devInteractions)
 * asks for a login and a password and does not check the password: type one of these logins and
 * anything as password. An unknown login cannot finish the sign-in.
 *
 * Public API: `DEMO_ACCOUNTS`, `DemoAccount`, `findDemoAccount(accountId)`.
 *
 * @module
 */

/** One demo user: `id` is both the login and the `sub`. */
export interface DemoAccount {
  id: string;
  name: string;
  givenName: string;
  email: string;
}

/** The demo users (alice and bob, plus carol for tests that need a third person). */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { id: 'alice', name: 'Alice Liddell', givenName: 'Alice', email: 'alice@example.test' },
  { id: 'bob', name: 'Bob Builder', givenName: 'Bob', email: 'bob@example.test' },
  { id: 'carol', name: 'Carol Danvers', givenName: 'Carol', email: 'carol@example.test' },
];

/** The account with that id, if it exists. */
export function findDemoAccount(accountId: string): DemoAccount | undefined {
  return DEMO_ACCOUNTS.find((account) => account.id === accountId);
}

/**
 * oidc-provider's `findAccount`: claims per OIDC Core §5.4 standard scopes.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ScopeClaims
 */
export async function findAccount(_ctx: unknown, sub: string) {
  const account = findDemoAccount(sub);
  if (!account) return undefined;
  return {
    accountId: account.id,
    async claims() {
      return {
        sub: account.id,
        name: account.name,
        given_name: account.givenName,
        preferred_username: account.id,
        email: account.email,
        email_verified: true,
      };
    },
  };
}
