/**
 * The installed version, from the package's own package.json: the nearest one above this file whose name is
 * plantpulse (dist/cli/version.js in a checkout or an installed tarball, cli/version.ts when run from source).
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

/** `plantpulse 0.1.0 (node v20.20.2, linux x64)` */
export function versionLine(): string {
  return `plantpulse ${packageVersion()} (node ${process.version}, ${process.platform} ${process.arch})`;
}
