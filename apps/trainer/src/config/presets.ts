import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../util/config-error.js';

/** The package's `presets/` folder (found from this module, in sources and in the built dist alike). */
export function presetsDirectory(): string {
  let directory = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const manifest = path.join(directory, 'package.json');
    if (existsSync(manifest) && existsSync(path.join(directory, 'presets'))) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (name === '@mlm/trainer') return path.join(directory, 'presets');
    }
    directory = path.dirname(directory);
  }
  throw new Error('cannot find the presets folder of @mlm/trainer (is the package installed completely?)');
}

/** Names of the shipped presets (`star-easy`, `sudoku`, ...). */
export function listPresets(): string[] {
  return readdirSync(presetsDirectory())
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => file.slice(0, -'.yaml'.length))
    .sort();
}

/** The file of a preset; an unknown name is an error listing the shipped ones. */
export function presetPath(name: string): string {
  const file = path.join(presetsDirectory(), `${name}.yaml`);
  if (!/^[a-z0-9-]+$/.test(name) || !existsSync(file)) {
    throw new ConfigError([{ path: 'preset', message: `unknown preset ${JSON.stringify(name)}; available: ${listPresets().join(', ')}` }]);
  }
  return file;
}
