/**
 * The app's Logger: one line per event on stderr, `level message key=value …`. Fields are the
 * token-free scalars the Logger port allows (CHECKLIST T4); strings are quoted and cut short so a
 * mistake cannot flood the log.
 */
import type { Logger } from './ports';

type Fields = Record<string, string | number | boolean | null>;

/** Creates the stderr {@link Logger}; `write` is injectable for tests. */
export function createAppLogger(write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Logger {
  const log = (level: string, message: string, fields?: Fields) => {
    const rest = Object.entries(fields ?? {})
      .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v.slice(0, 200)) : String(v)}`)
      .join(' ');
    write(`${new Date().toISOString()} ${level} ${message}${rest ? ` ${rest}` : ''}`);
  };
  return {
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
  };
}
