/**
 * Child-process entry of ./servers.ts: the bench provider and the demo API, answering the parent's
 * requests for their counters over the IPC channel. Exits when the parent says so or goes away.
 */
import { startTestApi } from '../test/support/api';
import { type EndpointName, startTestProvider } from '../test/support/provider';
import type { ServerCounts, ServerInfo, ServerReply, ServerRequest } from './servers';

/** Token lifetimes: an hour, so no proactive renewal fires inside a run. */
const BENCH_TTL = { accessToken: 3600, idToken: 3600 } as const;

const provider = await startTestProvider({ ttl: BENCH_TTL });
const api = await startTestApi(provider);

const counts = (): ServerCounts => ({
  provider: { ...provider.counts },
  refreshTokenReuseDetected: provider.stats.refreshTokenReuseDetected,
  serverErrors: provider.serverErrors.length,
  api: { ...api.outcomes },
});

const send = (message: ServerReply | { type: 'ready'; info: ServerInfo }) => process.send?.(message);

process.on('message', (message: ServerRequest) => {
  switch (message.op) {
    case 'counts':
      break;
    case 'delay':
      for (const endpoint of message.endpoints) provider.failEndpoint(endpoint as EndpointName, { delayMs: message.ms });
      break;
    case 'reset-faults':
      provider.resetFaults();
      break;
    case 'close':
      stop(message.id);
      return;
  }
  send({ id: message.id, counts: counts() });
});

function stop(id: number): void {
  void api
    .close()
    .then(() => provider.close())
    .finally(() => {
      send({ id, counts: counts() });
      process.disconnect?.();
    });
}
// The parent crashed or was killed: do not outlive it.
process.on('disconnect', () => process.exit(0));

send({
  type: 'ready',
  info: { issuer: provider.issuer, clientId: provider.clientId, resource: provider.resource, apiOrigin: api.origin },
});
