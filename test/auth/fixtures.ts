/**
 * Shared test data and small real-ish parts for test/auth: a sample session, an in-memory
 * SettingsStore (the settings engine is not under test here), a recording logger that lets tests
 * assert no secret was logged (T4), and a system clock.
 */
import type { StoredSession } from '../../main/auth/tokens';
import type { Logger, Settings, SettingsStore } from '../../main/platform/ports';
import { recordOutput } from '../support/output-capture';

/** A plausible session; tokens are recognisable strings so leak checks can look for them. */
export function sampleSession(overrides: Partial<StoredSession> = {}): StoredSession {
  return {
    issuer: 'https://id.example.com',
    clientId: 'oauth-desktop',
    account: { sub: 'alice', name: 'Alice Liddell', email: 'alice@example.test' },
    identity: { iss: 'https://id.example.com', sub: 'alice', aud: 'oauth-desktop' },
    refreshToken: 'rt-secret-value',
    accessToken: 'at-secret-value',
    accessTokenExpiresAt: 1_700_000_300_000,
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    receivedAt: 1_700_000_000_000,
    ...overrides,
  };
}

/** Settings kept in memory, with the same defaults the real store has. */
export function memorySettings(initial: Partial<Settings> = {}): SettingsStore & { data: Settings } {
  const data: Settings = { discoveryCache: {}, windowBounds: null, ...initial };
  return {
    data,
    get: (key) => structuredClone(data[key]),
    set: (key, value) => {
      data[key] = structuredClone(value);
    },
    recovered: null,
  };
}

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, string | number | boolean | null>;
}

/** A logger that keeps every line, so tests can search the whole log for secrets. */
export function recordingLogger(): Logger & { lines: LogLine[]; text(): string } {
  const lines: LogLine[] = [];
  const push = (level: LogLine['level']) => (message: string, fields?: LogLine['fields']) => {
    lines.push({ level, message, fields });
    recordOutput('log line (test/auth/fixtures.ts recordingLogger)', `${level} ${message} ${fields ? JSON.stringify(fields) : ''}`);
  };
  return { lines, info: push('info'), warn: push('warn'), error: push('error'), text: () => JSON.stringify(lines) };
}
