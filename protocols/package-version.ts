/**
 * The installed version, from the package's own package.json: the nearest one above this file whose name is
 * plantpulse (dist/protocols/package-version.js in a checkout or an installed tarball, the .ts when run from
 * source). The CLI prints it; the agent announces it in its NBIRTH (`Properties/Version`) for the fleet view.
 */
import { existsSync, readFileSync } from 'node:fs';

export function packageVersion(): string {
  for (const up of ['../package.json', '../../package.json', '../../../package.json']) {
    const file = new URL(up, import.meta.url);
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
    if (pkg.name === 'plantpulse' && typeof pkg.version === 'string') return pkg.version;
  }
  return 'unknown';
}
