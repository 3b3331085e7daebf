import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConfSettingsStore } from '../main/platform/settings.conf';
const dir = mkdtempSync(join(tmpdir(), 'c-'));
createConfSettingsStore({ dir }).set('windowBounds', null);
for (let i = 0; i < 300; i++) createConfSettingsStore({ dir });
