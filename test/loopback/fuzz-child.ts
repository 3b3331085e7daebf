/**
 * The loopback receiver in its own process, for the fuzz test: if a hostile request crashes it, the
 * process dies and the parent sees it, instead of the crash being swallowed by the test runner.
 * Talks to the parent over the fork IPC channel only.
 */
import { startLoopbackReceiver } from '../../main/loopback/server';

type ParentMessage = { type: 'finish'; outcome: 'success' | 'cancelled' | 'error' } | { type: 'ping' };

function send(message: Record<string, unknown>): void {
  process.send?.(message);
}

function crash(error: unknown): void {
  send({ type: 'crash', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 70;
  process.disconnect?.();
}
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

const config = JSON.parse(process.env.FUZZ_RECEIVER_CONFIG ?? '{}');
const receiver = await startLoopbackReceiver(config);
receiver.callback.then(
  (url) => send({ type: 'callback', href: url.href }),
  (error: { code?: string }) => send({ type: 'callback-rejected', code: error.code }),
);
receiver.closed.then(() => {
  send({ type: 'closed' });
  process.disconnect?.();
});
// The parent went away (test failed or was killed): do not linger as an orphan.
process.on('disconnect', () => {
  void receiver.close().then(() => process.exit());
});
process.on('message', (message: ParentMessage) => {
  if (message.type === 'finish') receiver.finish(message.outcome);
  if (message.type === 'ping') send({ type: 'pong', rss: process.memoryUsage().rss });
});
send({ type: 'ready', redirectUri: receiver.redirectUri, port: receiver.boundAddress.port });
