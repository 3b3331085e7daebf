/**
 * `doctor` against the bench provider in the configurations a developer meets: a good native
 * registration, a provider without revocation, PKCE not advertised, a `web` registration that
 * refuses arbitrary loopback ports, the device flow off or refused, an issuer that does not match,
 * an unreachable provider. Each verdict and the exit code of `doctor [--json]` are checked, and so
 * is what the probes send and never do (complete a sign-in, follow a redirect, echo provider text).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type AppConfig, validateConfig } from '../../main/auth/config';
import { type DoctorCheckId, type DoctorReport, formatDoctorReport, runDoctor } from '../../main/auth/doctor';
import { doctorCommand } from '../../main/cli/doctor';
import type { FetchLike } from '../../main/platform/ports';
import { capturedIo } from '../support/output-capture';
import { type DevProvider, type DevProviderOptions, startTestProvider } from '../support/provider';

let provider: DevProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

async function bench(options: DevProviderOptions = {}, configOverrides: Record<string, unknown> = {}): Promise<{ provider: DevProvider; config: AppConfig }> {
  provider = await startTestProvider(options);
  const config = validateConfig({ issuer: provider.issuer, clientId: provider.clientId, ...configOverrides });
  return { provider, config };
}

function check(report: DoctorReport, id: DoctorCheckId) {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
}

async function runCli(config: AppConfig, json = false): Promise<{ code: number; stdout: string; stderr: string }> {
  const { out, io } = capturedIo('test/auth/doctor.test.ts: CLI doctor');
  const code = await doctorCommand(config, { json }, { io });
  return { code, ...out };
}

const ALL_IDS: DoctorCheckId[] = [
  'discovery',
  'issuer',
  'https',
  'code_flow',
  'pkce',
  'iss_parameter',
  'loopback_redirect',
  'refresh_tokens',
  'revocation',
  'device_flow',
  'end_session',
  'dpop',
  'par',
];

describe('doctor on the default bench (a native registration done right)', () => {
  it('passes every check that matters; verdict yes; exit 0; one line per check with a mark', async () => {
    const { config } = await bench({}, { deviceFlow: '1' });
    const report = await runDoctor(config);
    expect(report.checks.map((c) => c.id)).toEqual(ALL_IDS);
    expect(report.verdict.canSignIn).toBe(true);
    expect(report.verdict.counts.fail).toBe(0);
    expect(report.verdict.counts.warn).toBe(0);
    for (const id of ['discovery', 'issuer', 'code_flow', 'pkce', 'iss_parameter', 'loopback_redirect', 'refresh_tokens', 'revocation', 'device_flow', 'end_session'] as const) {
      expect(check(report, id).status, id).toBe('pass');
    }
    // http is acceptable only because the issuer is a loopback dev provider: said as info.
    expect(check(report, 'https')).toMatchObject({ status: 'info' });
    expect(check(report, 'dpop')).toMatchObject({ status: 'info' });
    expect(check(report, 'par')).toMatchObject({ status: 'info' });

    const cli = await runCli(config);
    expect(cli.code).toBe(0);
    const lines = cli.stdout.trim().split('\n');
    expect(lines.filter((l) => /^[✓!✗i] /.test(l))).toHaveLength(ALL_IDS.length);
    expect(cli.stdout).toMatch(/^✓ Loopback redirect, any port +Accepted/m);
    expect(lines.at(-1)).toMatch(/^Verdict: a native app can sign in/);
  });

  it('probes with response_type=code, an S256 challenge and a random loopback port; never completes a sign-in', async () => {
    const { provider: p, config } = await bench();
    const urls: string[] = [];
    const recording: FetchLike = (input, init) => {
      urls.push(String(input));
      return fetch(input, init);
    };
    await runDoctor(config, { fetch: recording, probePort: () => 54_321 });
    const probe = new URL(urls.find((u) => u.startsWith(`${p.issuer}/auth?`))!);
    expect(probe.searchParams.get('response_type')).toBe('code');
    expect(probe.searchParams.get('code_challenge_method')).toBe('S256');
    expect(probe.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(probe.searchParams.get('redirect_uri')).toBe('http://127.0.0.1:54321/callback');
    expect(p.counts.interaction).toBe(0); // the redirect to the login page was read, not followed
    expect(p.stats.tokensIssued).toEqual({});
  });

  it('--json prints the whole report, verdict included', async () => {
    const { config } = await bench();
    const cli = await runCli(config, true);
    expect(cli.code).toBe(0);
    const parsed = JSON.parse(cli.stdout) as DoctorReport;
    expect(parsed.verdict.canSignIn).toBe(true);
    expect(parsed.checks.map((c) => c.id)).toEqual(ALL_IDS);
    for (const c of parsed.checks) {
      expect(['pass', 'warn', 'fail', 'info']).toContain(c.status);
      expect(c.title.length).toBeGreaterThan(0);
      expect(c.detail.length).toBeGreaterThan(0);
    }
  });
});

describe('doctor on other provider shapes', () => {
  it('no revocation endpoint: warn (sign-out cannot revoke), still a yes', async () => {
    const { config } = await bench({ features: { revocation: false } });
    const report = await runDoctor(config);
    expect(check(report, 'revocation')).toMatchObject({ status: 'warn' });
    expect(check(report, 'revocation').detail).toMatch(/refresh token stays valid/);
    expect(check(report, 'revocation').fix).toBeTruthy();
    expect(report.verdict.canSignIn).toBe(true);
    expect((await runCli(config)).code).toBe(0);
  });

  it('PKCE not advertised: warn (the app sends S256 anyway; the probe shows the provider enforces it), still a yes', async () => {
    const { config } = await bench({ features: { pkceAdvertised: false } });
    const report = await runDoctor(config);
    const pkce = check(report, 'pkce');
    expect(pkce.status).toBe('warn');
    expect(pkce.detail).toMatch(/enforces PKCE/);
    expect(pkce.detail).toContain('RFC 9700 §2.1.1');
    expect(pkce.fix).toMatch(/code_challenge_methods_supported/);
    expect(report.verdict.canSignIn).toBe(true);
  });

  it('client registered as `web`: arbitrary loopback ports refused → fail, verdict no, exit 1 with the fix', async () => {
    const { config } = await bench({ extraClients: ['web'] }, { clientId: 'oauth-desktop-web' });
    const report = await runDoctor(config);
    const redirect = check(report, 'loopback_redirect');
    expect(redirect.status).toBe('fail');
    expect(redirect.detail).toContain('RFC 8252 §7.3');
    expect(redirect.detail).toContain('invalid_redirect_uri');
    expect(redirect.fix).toMatch(/native/);
    expect(report.verdict.canSignIn).toBe(false);
    // Provider-written text (its error_description) is never reflected.
    expect(JSON.stringify(report)).not.toContain("registered redirect_uris");

    const cli = await runCli(config);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(/^✗ Loopback redirect, any port +Refused: .* Fix: Register the client as a native/m);
    expect(cli.stdout.trim().split('\n').at(-1)).toMatch(/^Verdict: a native app cannot sign in yet/);
  });

  it('an unknown client_id: fail naming OAUTH_CLIENT_ID', async () => {
    const { config } = await bench({}, { clientId: 'no-such-client' });
    const report = await runDoctor(config);
    expect(check(report, 'loopback_redirect')).toMatchObject({ status: 'fail' });
    expect(check(report, 'loopback_redirect').fix).toMatch(/OAUTH_CLIENT_ID/);
  });

  it('device flow off at the provider: info (opt-in anyway), not a problem', async () => {
    const { config } = await bench({ features: { deviceFlow: false } });
    const report = await runDoctor(config);
    expect(check(report, 'device_flow')).toMatchObject({ status: 'info' });
    expect(report.verdict.canSignIn).toBe(true);
  });

  it('device flow offered but off in the app: info citing RFC 8628 §5.4', async () => {
    const { config } = await bench();
    const device = check(await runDoctor(config), 'device_flow');
    expect(device.status).toBe('info');
    expect(device.detail).toContain('RFC 8628 §5.4');
  });

  it('device flow on in the app but refused for this client: warn, browser sign-in still a yes', async () => {
    const { config } = await bench({ extraClients: ['no-device'] }, { clientId: 'oauth-desktop-no-device', deviceFlow: '1' });
    const report = await runDoctor(config);
    expect(check(report, 'device_flow')).toMatchObject({ status: 'warn' });
    expect(check(report, 'device_flow').detail).toMatch(/login --device` will fail/);
    expect(report.verdict.canSignIn).toBe(true);
  });

  it('device flow on in the app, missing at the provider: warn', async () => {
    const { config } = await bench({ features: { deviceFlow: false } }, { deviceFlow: '1' });
    expect(check(await runDoctor(config), 'device_flow')).toMatchObject({ status: 'warn' });
  });

  it('no RFC 9207 iss and no end-session: warn and info', async () => {
    const { config } = await bench({ features: { iss: false, endSession: false } });
    const report = await runDoctor(config);
    expect(check(report, 'iss_parameter')).toMatchObject({ status: 'warn' });
    expect(check(report, 'end_session')).toMatchObject({ status: 'info' });
    expect(report.verdict.canSignIn).toBe(true);
  });

  it('issuer mismatch (the metadata names another issuer): fail, verdict no, exit 1, fix names the advertised issuer', async () => {
    const { provider: p, config } = await bench();
    const metadata = (await (await fetch(p.discoveryUrl)).json()) as Record<string, unknown>;
    p.failEndpoint('discovery', { status: 200, body: { ...metadata, issuer: 'https://login.example.test/tenant' } });
    const report = await runDoctor(config);
    const issuer = check(report, 'issuer');
    expect(issuer.status).toBe('fail');
    expect(issuer.detail).toContain('RFC 8414 §3.3');
    expect(issuer.fix).toContain('"https://login.example.test/tenant"');
    expect(report.verdict.canSignIn).toBe(false);
    expect((await runCli(config)).code).toBe(1);
  });

  it('a trailing slash is not a mismatch (compared after URL normalisation, as the sign-in does)', async () => {
    const { provider: p } = await bench();
    const config = validateConfig({ issuer: `${p.issuer}/`, clientId: p.clientId });
    expect(check(await runDoctor(config), 'issuer')).toMatchObject({ status: 'pass' });
  });

  it('provider unreachable: one failing discovery check, verdict no, exit 1', async () => {
    const { provider: p, config } = await bench();
    await p.stop();
    const report = await runDoctor(config, { timeoutMs: 2_000 });
    expect(report.checks.map((c) => c.id)).toEqual(['discovery']);
    expect(report.checks[0]).toMatchObject({ status: 'fail' });
    expect(report.checks[0]!.detail).toMatch(/ECONNREFUSED|network error/);
    expect((await runCli(config)).code).toBe(1);
  });

  it('the human table marks warnings with ! and carries each fix on the same line', async () => {
    const { config } = await bench({ features: { revocation: false } });
    const text = formatDoctorReport(await runDoctor(config));
    const line = text.split('\n').find((l) => l.startsWith('! Token revocation'));
    expect(line).toMatch(/Fix: Enable token revocation/);
  });
});
