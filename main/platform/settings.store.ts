/**
 * The SettingsStore logic shared by the app (electron-store) and the CLI/tests (conf): the same
 * file, schema, migrations and corruption recovery, parameterised only by the engine that opens the
 * file. electron-store IS conf with Electron's user-data folder as default (and imports electron at
 * load time), so testing this module over conf in Node exercises the app's code path.
 *
 * Only non-secret data lives here (cached provider metadata, window geometry). A corrupt file (bad JSON, a value of the wrong shape) is moved aside to
 * `settings.json.corrupt-<time>`, defaults are recreated, and it is reported once — in `recovered`
 * and one warning (CHECKLIST K6). `clearInvalidConfig` stays off: it would silently destroy the
 * evidence, and without recovery conf/electron-store throw at startup and the app never opens.
 *
 * The file is `<user data>/settings.json`, not electron-store's default `config.json`: that name
 * is the user's configuration, read by main/auth/config.ts, which refuses unknown keys.
 */
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { type Logger, type Settings, type SettingsStore, silentLogger } from './ports';

/** Default values; a fresh or recovered store starts from these. */
export const DEFAULT_SETTINGS: Settings = { discoveryCache: {}, windowBounds: null };

/** The file name (without `.json`) shared by the app's electron-store and the CLI's conf. */
export const SETTINGS_FILE_NAME = 'settings';

/**
 * Version of the file's layout (not the app's version): conf runs the migrations keyed up to it and
 * records it in the file. Bump it together with a new entry in {@link SETTINGS_MIGRATIONS}.
 */
export const SETTINGS_LAYOUT_VERSION = '1.0.0';

/** JSON Schema per key, so a hand-edited or damaged file is caught at load, not deep in a flow. */
export const SETTINGS_SCHEMA = {
  discoveryCache: {
    type: 'object',
    additionalProperties: {
      type: 'object',
      properties: { metadata: { type: 'object' }, fetchedAt: { type: 'number' } },
      required: ['metadata', 'fetchedAt'],
    },
  },
  windowBounds: {
    anyOf: [
      { type: 'null' },
      {
        type: 'object',
        properties: { width: { type: 'number' }, height: { type: 'number' }, x: { type: 'number' }, y: { type: 'number' } },
        required: ['width', 'height'],
      },
    ],
  },
} as const;

/**
 * The file is still validated against {@link SETTINGS_SCHEMA} at every open; what is skipped is
 * checking that schema itself against the JSON Schema meta-schema, which ajv otherwise compiles
 * anew for every store: 95 % of opening the store, 10–20 ms of every launch on a 2-core machine
 * (benchmarks, issue 7). The schema is a constant; test/platform/settings.test.ts checks it once.
 */
export const SETTINGS_AJV_OPTIONS = { validateSchema: false } as const;

/** What a migration step may do to the store (conf passes itself). */
export interface MigrationStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  delete(key: string): void;
}

/** Migration steps by layout version (semver), run in order by conf for files older than that. */
export type SettingsMigrations = Record<string, (store: MigrationStore) => void>;

/**
 * - 1.0.0: the first layout that records its version. A file without a version was written before
 *   settings had a schema (pre-release builds): keep what has the right shape, reset the rest to
 *   its default, instead of treating the whole file as corrupt.
 */
export const SETTINGS_MIGRATIONS: SettingsMigrations = {
  '1.0.0': (store) => {
    const isMap = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
    const discovery = store.get('discoveryCache');
    if (discovery !== undefined && !isMap(discovery)) store.set('discoveryCache', DEFAULT_SETTINGS.discoveryCache);
    const bounds = store.get('windowBounds') as { width?: unknown; height?: unknown } | null | undefined;
    if (bounds !== undefined && bounds !== null && !(isMap(bounds) && typeof bounds.width === 'number' && typeof bounds.height === 'number')) {
      store.set('windowBounds', DEFAULT_SETTINGS.windowBounds);
    }
  },
};

/** The options every engine is opened with (conf's names; electron-store takes the same). */
export interface SettingsEngineOptions {
  cwd: string;
  /** File name without extension (conf: `configName`, electron-store: `name`). */
  name: string;
  defaults: Settings;
  schema: typeof SETTINGS_SCHEMA;
  /** See {@link SETTINGS_AJV_OPTIONS}. */
  ajvOptions: typeof SETTINGS_AJV_OPTIONS;
  migrations: SettingsMigrations;
  projectVersion: string;
  clearInvalidConfig: false;
  accessPropertiesByDotNotation: false;
  watch: false;
}

/** The engine surface we use: conf and electron-store instances both fit. */
export interface SettingsEngine {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

/** Opens the file with a concrete engine; throws when the file is unreadable or invalid. */
export type OpenSettingsEngine = (options: SettingsEngineOptions) => SettingsEngine;

/** Options of {@link openSettingsStore}. */
export interface SettingsStoreOptions {
  /** The user-data folder (`defaultUserDataDir()`, or Electron's `app.getPath('userData')`). */
  dir: string;
  /** File name without extension. Default {@link SETTINGS_FILE_NAME}. */
  name?: string;
  /** Wall clock for the name of a moved-aside file. */
  now?: () => number;
  logger?: Logger;
  /** Overrides for tests of the migration mechanism. */
  migrations?: SettingsMigrations;
  layoutVersion?: string;
}

/**
 * Opens (creating if needed) the settings file with `openEngine`, recovering from corruption.
 * @see CHECKLIST K6
 */
export function openSettingsStore(openEngine: OpenSettingsEngine, options: SettingsStoreOptions): SettingsStore {
  const name = options.name ?? SETTINGS_FILE_NAME;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const path = join(options.dir, `${name}.json`);
  const engineOptions: SettingsEngineOptions = {
    cwd: options.dir,
    name,
    defaults: DEFAULT_SETTINGS,
    schema: SETTINGS_SCHEMA,
    ajvOptions: SETTINGS_AJV_OPTIONS,
    migrations: options.migrations ?? SETTINGS_MIGRATIONS,
    projectVersion: options.layoutVersion ?? SETTINGS_LAYOUT_VERSION,
    clearInvalidConfig: false,
    accessPropertiesByDotNotation: false,
    watch: false,
  };
  let recovered: { movedTo: string; reason: string } | null = null;

  const recover = (error: unknown): SettingsEngine => {
    const movedTo = `${path}.corrupt-${fileStamp(now())}`;
    renameSync(path, movedTo);
    const reason = reasonOf(error);
    if (recovered === null) {
      recovered = { movedTo, reason };
      // Reported once: later recoveries in the same run keep the first report.
      logger.warn('settings: the settings file was damaged; it was moved aside and defaults were restored', {
        movedTo,
        reason,
      });
    }
    return openEngine(engineOptions);
  };

  /**
   * What to do when the engine threw: a damaged file is moved aside and reopened fresh. A file that
   * cannot be read or written at all (permissions, full disk) is not damaged: moving it would lose
   * good data, so the app continues on in-memory settings — they are a cache, not a reason to fail.
   */
  const replacementFor = (error: unknown): SettingsEngine => {
    if (!isFileSystemError(error) && existsSync(path)) {
      try {
        return recover(error);
      } catch {
        // fall through to memory
      }
    }
    logger.warn('settings: the settings file is not accessible; using in-memory settings', {
      code: isFileSystemError(error) ? error.code : 'unknown',
    });
    return createMemoryEngine();
  };

  let engine: SettingsEngine;
  try {
    engine = openEngine(engineOptions);
  } catch (error) {
    engine = replacementFor(error);
  }

  const attempt = <T>(op: () => T): T => {
    try {
      return op();
    } catch (error) {
      // The file was damaged while we ran (another process, the user): same recovery, once more.
      engine = replacementFor(error);
      return op();
    }
  };

  return {
    get(key) {
      return attempt(() => engine.get(key) as Settings[typeof key]);
    },
    set(key, value) {
      attempt(() => engine.set(key, value));
    },
    get recovered() {
      return recovered;
    },
  };
}

function createMemoryEngine(): SettingsEngine {
  const values = new Map<string, unknown>(Object.entries(structuredClone(DEFAULT_SETTINGS)));
  return {
    get: (key) => structuredClone(values.get(key)),
    set: (key, value) => {
      values.set(key, structuredClone(value));
    },
  };
}

function isFileSystemError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

/** `2026-11-24T00-07-34-123Z`: sortable and valid in file names on every OS (no `:`). */
function fileStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[:.]/g, '-');
}

function reasonOf(error: unknown): string {
  if (error instanceof Error && error.name === 'SyntaxError') return 'the file was not valid JSON';
  return 'the file did not match the expected format';
}
