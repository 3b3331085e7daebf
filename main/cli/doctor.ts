/**
 * `doctor [--json]`: can a native app sign in with the configured provider registration?
 * Exit 0 when it can, 1 when a check failed (the verdict), so CI can gate on it.
 */
import { type DoctorDeps, formatDoctorReport, runDoctor } from '../auth/doctor';
import type { AppConfig } from '../auth/config';
import { type CliIo, EXIT_FAILURE, EXIT_OK, reportFailure } from './io';

export interface DoctorCommandFlags {
  /** Machine-readable output: the whole report as one JSON document on stdout. */
  json?: boolean;
}

/**
 * Runs the checks and prints a table (✓ pass, ! warn, ✗ fail, i info; one line each, with the fix)
 * or JSON.
 *
 * @see main/auth/doctor.ts
 */
export async function doctorCommand(config: AppConfig, flags: DoctorCommandFlags, deps: DoctorDeps & { io: CliIo }): Promise<number> {
  let report: Awaited<ReturnType<typeof runDoctor>>;
  try {
    report = await runDoctor(config, deps);
  } catch (error) {
    return reportFailure(deps.io, error);
  }
  deps.io.stdout(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorReport(report));
  return report.verdict.canSignIn ? EXIT_OK : EXIT_FAILURE;
}
