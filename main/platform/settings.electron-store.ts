/**
 * SettingsStore on electron-store for the app: the same logic as the CLI's (./settings.store.ts),
 * so the Node test of ./settings.conf.ts exercises this code path; only the engine differs.
 * electron-store imports `electron` at load time, which is why this adapter is its own module.
 */
import ElectronStore from 'electron-store';
import type { SettingsStore } from './ports';
import { type OpenSettingsEngine, openSettingsStore, type SettingsStoreOptions } from './settings.store';

const openElectronStore: OpenSettingsEngine = (options) =>
  new ElectronStore<Record<string, unknown>>(
    options as unknown as ConstructorParameters<typeof ElectronStore<Record<string, unknown>>>[0],
  );

/**
 * Opens `<userData>/settings.json` (pass `app.getPath('userData')` as `dir`), recovering from
 * corruption (CHECKLIST K6).
 */
export function createElectronSettingsStore(options: SettingsStoreOptions): SettingsStore {
  return openSettingsStore(openElectronStore, options);
}
