/**
 * Shared parts of the device-grant tests: a bench provider with a configuration pointing at it,
 * the product's discovery over a fetch that records what crossed the wire (so tests can look for
 * leaked secrets), and a sleeper that records every wait the poller asked for.
 */
import type { Sleeper } from '../../main/auth/device';
import { type AppConfig, validateConfig } from '../../main/auth/config';
import { type DiscoveredProvider, discoverProvider } from '../../main/auth/discovery';
import { type FetchLike, systemClock } from '../../main/platform/ports';
import { type DevProvider, type DevProviderOptions, startTestProvider } from '../support/provider';
import { memorySettings, recordingLogger } from './fixtures';

/** Secrets seen in responses (device_code, tokens) and every request body sent. */
export interface WireRecord {
  secrets: string[];
  requestBodies: string[];
  requestUrls: string[];
}

/** A fetch that records request bodies/URLs and the secret values in JSON responses. */
export function recordingFetch(wire: WireRecord): FetchLike {
  return async (input, init) => {
    wire.requestUrls.push(String(input instanceof Request ? input.url : input));
    if (init?.body !== undefined && init.body !== null) wire.requestBodies.push(String(init.body));
    const response = await fetch(input, init);
    if ((response.headers.get('content-type') ?? '').includes('json')) {
      const body = (await response
        .clone()
        .json()
        .catch(() => null)) as Record<string, unknown> | null;
      for (const key of ['device_code', 'access_token', 'refresh_token', 'id_token']) {
        const value = body?.[key];
        if (typeof value === 'string') wire.secrets.push(value);
      }
    }
    return response;
  };
}

export interface DeviceBench {
  provider: DevProvider;
  config: AppConfig;
  discovered: DiscoveredProvider;
  logger: ReturnType<typeof recordingLogger>;
  wire: WireRecord;
  fetch: FetchLike;
  settings: ReturnType<typeof memorySettings>;
}

/** Starts a bench provider and discovers it with the product's code, device flow on by default. */
export async function startDeviceBench(
  providerOptions: DevProviderOptions = {},
  configOverrides: Record<string, unknown> = {},
): Promise<DeviceBench> {
  const provider = await startTestProvider(providerOptions);
  const config = validateConfig({ issuer: provider.issuer, clientId: provider.clientId, deviceFlow: '1', ...configOverrides });
  const wire: WireRecord = { secrets: [], requestBodies: [], requestUrls: [] };
  const logger = recordingLogger();
  const settings = memorySettings();
  const wrapped = recordingFetch(wire);
  const discovered = await discoverProvider(config, { fetch: wrapped, settings, clock: systemClock, logger });
  return { provider, config, discovered, logger, wire, fetch: wrapped, settings };
}

/** A sleeper that records each requested wait and really waits only `realMs` (honouring abort). */
export function recordingSleeper(realMs = 10): { waits: number[]; sleep: Sleeper } {
  const waits: number[] = [];
  const sleep: Sleeper = (ms, signal) => {
    waits.push(ms);
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = setTimeout(resolve, realMs);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  };
  return { waits, sleep };
}

/** Resolves after `ms` of real time (only to let a stopped poller prove it stays stopped). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
