/**
 * Settings over both engines — conf (CLI) and electron-store (app; its `electron` import is the
 * shell tests' fake) — through the one shared implementation: schema, migrations, and recovery
 * from a corrupt file (CHECKLIST K6: moved aside, defaults recreated, reported once).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('../windows/fake-electron')).electronModule);

import type { Logger, SettingsStore } from '../../main/platform/ports';
import { createConfSettingsStore } from '../../main/platform/settings.conf';
import { createElectronSettingsStore } from '../../main/platform/settings.electron-store';
import {
  DEFAULT_SETTINGS,
  type OpenSettingsEngine,
  openSettingsStore,
  SETTINGS_LAYOUT_VERSION,
  SETTINGS_SCHEMA,
  type SettingsStoreOptions,
} from '../../main/platform/settings.store';
import { app, resetFakeElectron } from '../windows/fake-electron';

let dir: string;
let warnings: Array<{ message: string; fields?: Record<string, unknown> }>;
const logger: Logger = {
  info() {},
  warn: (message, fields) => warnings.push({ message, fields }),
  error() {},
};
const NOW = Date.UTC(2026, 10, 24, 9, 30, 15, 123);

beforeEach(() => {
  resetFakeElectron();
  dir = mkdtempSync(join(tmpdir(), 'settings-'));
  app.setPath('userData', dir);
  warnings = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const engines: Array<[string, (o: SettingsStoreOptions) => SettingsStore]> = [
  ['conf', createConfSettingsStore],
  ['electron-store', createElectronSettingsStore],
];

for (const [engine, open] of engines) {
  describe(`settings over ${engine}`, () => {
    const file = () => join(dir, 'settings.json');
    const openHere = () => open({ dir, logger, now: () => NOW });

    it('starts from defaults, keeps values, and writes settings.json (never config.json, the user config)', () => {
      const s = openHere();
      expect(s.get('discoveryCache')).toEqual({});
      expect(s.get('windowBounds')).toBeNull();
      s.set('windowBounds', { width: 640, height: 720 });
      const cached = { 'https://id.example': { metadata: { issuer: 'https://id.example' }, fetchedAt: 1 } };
      s.set('discoveryCache', cached);
      const again = openHere();
      expect(again.get('windowBounds')).toEqual({ width: 640, height: 720 });
      expect(again.get('discoveryCache')).toEqual(cached);
      expect(existsSync(file())).toBe(true);
      expect(existsSync(join(dir, 'config.json'))).toBe(false);
      expect(s.recovered).toBeNull();
      expect(warnings).toEqual([]);
    });

    it('records the layout version so migrations run once', () => {
      openHere().set('windowBounds', { width: 500, height: 600 });
      const raw = JSON.parse(readFileSync(file(), 'utf8'));
      expect(raw.__internal__.migrations.version).toBe(SETTINGS_LAYOUT_VERSION);
    });

    it('K6: a file that is not JSON is moved aside, defaults are recreated, reported once', () => {
      writeFileSync(file(), '{"windowBounds": {"width": 1');
      const s = openHere();
      const moved = `${file()}.corrupt-2026-11-24T09-30-15-123Z`;
      expect(s.recovered).toEqual({ movedTo: moved, reason: 'the file was not valid JSON' });
      expect(readFileSync(moved, 'utf8')).toBe('{"windowBounds": {"width": 1');
      expect(s.get('windowBounds')).toBeNull();
      s.set('windowBounds', { width: 700, height: 800 });
      expect(JSON.parse(readFileSync(file(), 'utf8')).windowBounds).toEqual({ width: 700, height: 800 });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.fields).toEqual({ movedTo: moved, reason: 'the file was not valid JSON' });
    });

    it('K6: a versioned file whose values break the schema is moved aside too', () => {
      writeFileSync(
        file(),
        JSON.stringify({ __internal__: { migrations: { version: SETTINGS_LAYOUT_VERSION } }, windowBounds: 'huge', discoveryCache: {} }),
      );
      const s = openHere();
      expect(s.recovered?.reason).toBe('the file did not match the expected format');
      expect(s.get('windowBounds')).toBeNull();
      expect(readdirSync(dir).filter((f) => f.startsWith('settings.json.corrupt-'))).toHaveLength(1);
    });

    it('K6: damage while the app runs is recovered on the next read, and still reported once', () => {
      const s = openHere();
      s.set('windowBounds', { width: 640, height: 720 });
      writeFileSync(file(), 'garbage');
      expect(s.get('windowBounds')).toBeNull();
      expect(s.recovered?.reason).toBe('the file was not valid JSON');
      const first = s.recovered;
      writeFileSync(file(), 'more garbage');
      expect(s.get('discoveryCache')).toEqual({});
      expect(s.recovered).toBe(first);
      expect(warnings).toHaveLength(1);
    });

    it('migration 1.0.0 repairs an unversioned file from before the schema instead of discarding it', () => {
      writeFileSync(
        file(),
        JSON.stringify({
          windowBounds: [800, 600],
          discoveryCache: { 'https://id.example': { metadata: { issuer: 'https://id.example' }, fetchedAt: 5 } },
        }),
      );
      const s = openHere();
      expect(s.recovered).toBeNull();
      expect(s.get('windowBounds')).toBeNull();
      expect(s.get('discoveryCache')).toEqual({ 'https://id.example': { metadata: { issuer: 'https://id.example' }, fetchedAt: 5 } });
    });
  });
}

describe('the shared implementation', () => {
  it('the schema is valid JSON Schema (the store skips this check at every open for speed)', async () => {
    // conf compiles its schema with ajv's 2020-12 dialect; the same dialect checks it here, once.
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const ajv = new Ajv2020();
    expect(ajv.validateSchema({ type: 'object', properties: SETTINGS_SCHEMA })).toBe(true);
    expect(ajv.errors ?? null).toBeNull();
  });

  it('runs a new layout version’s migration exactly once', () => {
    const runs: string[] = [];
    const options: SettingsStoreOptions = {
      dir,
      layoutVersion: '2.0.0',
      migrations: {
        '2.0.0': (store) => {
          runs.push('2.0.0');
          store.set('windowBounds', { width: 1, height: 2 });
        },
      },
    };
    createConfSettingsStore({ dir }).set('discoveryCache', {});
    expect(createConfSettingsStore(options).get('windowBounds')).toEqual({ width: 1, height: 2 });
    createConfSettingsStore(options);
    expect(runs).toEqual(['2.0.0']);
  });

  it('a file that cannot be read at all is left alone and the app continues on in-memory settings', () => {
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ windowBounds: { width: 9, height: 9 } }));
    // Fault injection around the real engine: the OS refuses the file (EACCES), as for a user
    // whose home folder permissions are wrong. (Tests run as root here, so chmod would not do it.)
    const refusing: OpenSettingsEngine = () => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    };
    const s = openSettingsStore(refusing, { dir, logger });
    expect(s.get('windowBounds')).toEqual(DEFAULT_SETTINGS.windowBounds);
    s.set('windowBounds', { width: 3, height: 4 });
    expect(s.get('windowBounds')).toEqual({ width: 3, height: 4 });
    expect(s.recovered).toBeNull();
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toEqual({ windowBounds: { width: 9, height: 9 } });
    expect(warnings.map((w) => w.fields)).toEqual([{ code: 'EACCES' }]);
  });
});
