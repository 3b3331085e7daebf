/**
 * SettingsStore on `conf` — the engine under electron-store — for plain Node (the CLI, benchmarks,
 * tests). The file, schema, migrations and corruption recovery (CHECKLIST K6) are those of
 * ./settings.store.ts, shared with the app's electron-store adapter; only the engine differs, so a
 * Node test of this module exercises the app's code path.
 */
import Conf from 'conf';
import type { SettingsStore } from './ports';
import { type OpenSettingsEngine, openSettingsStore, type SettingsStoreOptions } from './settings.store';

const openConf: OpenSettingsEngine = ({ name, ...options }) =>
  // conf names the file option `configName` where electron-store says `name`.
  new Conf<Record<string, unknown>>({ ...options, configName: name } as unknown as ConstructorParameters<
    typeof Conf<Record<string, unknown>>
  >[0]);

/**
 * Opens `<dir>/settings.json` (the user-data folder shared with the app), recovering from
 * corruption.
 * @see CHECKLIST K6
 */
export function createConfSettingsStore(options: SettingsStoreOptions): SettingsStore {
  return openSettingsStore(openConf, options);
}
