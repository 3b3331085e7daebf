/**
 * The bench provider in a process of its own, for tests that must give the provider and the app
 * different clocks (test/adversarial/faults-clock.test.ts shifts `Date` in the test process only).
 * Prints one JSON line `{ issuer, clientId }` when listening; stops on SIGTERM. Never prints a token.
 *
 * Run: `node --import tsx test/adversarial/provider-child.ts`.
 *
 * @module
 */
import { startTestProvider } from '../support/provider';

const provider = await startTestProvider();
process.stdout.write(`${JSON.stringify({ issuer: provider.issuer, clientId: provider.clientId })}\n`);
const stop = () => {
  void provider.close().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
