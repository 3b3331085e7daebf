import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Conf from 'conf';
import { SETTINGS_SCHEMA, DEFAULT_SETTINGS } from '../main/platform/settings.store';
const dir = mkdtempSync(join(tmpdir(), 'c-'));
const mk = (extra: object) => new Conf<any>({ cwd: dir, configName: 'settings', defaults: DEFAULT_SETTINGS, schema: SETTINGS_SCHEMA as any, clearInvalidConfig: false, accessPropertiesByDotNotation: false, watch: false, ...extra });
mk({}).set('windowBounds', null);
for (const [label, extra] of [['default', {}], ['validateSchema:false', { ajvOptions: { validateSchema: false } }], ['default', {}], ['validateSchema:false', { ajvOptions: { validateSchema: false } }]] as const) {
  const ts: number[] = [];
  for (let i = 0; i < 60; i++) { const t = performance.now(); mk(extra); ts.push(performance.now() - t); }
  ts.sort((a, b) => a - b); console.log(label.padEnd(22), 'median', ts[30]!.toFixed(3), 'ms');
}
// invalid content still detected?
import { writeFileSync } from 'node:fs';
writeFileSync(join(dir, 'settings.json'), JSON.stringify({ windowBounds: 'huge', discoveryCache: {}, offlineConsent: {} }));
try { mk({ ajvOptions: { validateSchema: false } }); console.log('NOT detected'); } catch (e) { console.log('detected:', (e as Error).message.slice(0, 80)); }
