/**
 * What the demo needs from the machine: InfluxDB 1.x (`influxd`) and socat (the lathe's serial line). On Debian as
 * root they are installed with apt; otherwise the demo stops before starting anything and says exactly what to run.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PlantpulseError } from '../../protocols/errors.js';
import { ensureDebianPackages, PackagesMissingError } from '../../scripts/services/index.js';

const run = promisify(execFile);

export const DEMO_PACKAGES = ['influxdb', 'socat'] as const;

/** Prerequisites are missing and cannot be installed here: `message` says what to install, and how. */
export class DemoPrerequisiteError extends PlantpulseError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('DEMO_PREREQUISITES_MISSING', message, options);
  }
}

async function hasCommand(cmd: string): Promise<boolean> {
  try {
    await run('sh', ['-c', 'command -v "$1"', 'sh', cmd]);
    return true;
  } catch {
    return false;
  }
}

/** Text for a machine without apt: what to install, by command name. */
export function manualInstallHint(missing: readonly string[]): string {
  const lines = [
    'plantpulse demo needs these programs on PATH and could not install them (no apt-get here):',
  ];
  if (missing.includes('influxdb'))
    lines.push(
      '  - influxd (InfluxDB 1.x, 1.6 or later): https://docs.influxdata.com/influxdb/v1/introduction/install/',
      '      macOS: brew install influxdb@1 · Fedora/RHEL: dnf install influxdb (InfluxData repo) · Alpine: apk add influxdb',
    );
  if (missing.includes('socat'))
    lines.push(
      '  - socat: macOS: brew install socat · Fedora/RHEL: dnf install socat · Alpine: apk add socat',
    );
  lines.push('Then run `npm run demo` again.');
  return lines.join('\n');
}

/**
 * Makes sure the demo's packages are present: installs them with apt as root on Debian, or throws a
 * DemoPrerequisiteError whose message is the exact command (apt without root) or what to install (no apt).
 */
export async function ensureDemoPrerequisites(
  packages: readonly string[] = DEMO_PACKAGES,
  onInstall?: (pkgs: readonly string[]) => void,
): Promise<string[]> {
  const commandOf: Record<string, string> = { influxdb: 'influxd', socat: 'socat' };
  const missing: string[] = [];
  for (const p of packages) if (!(await hasCommand(commandOf[p] ?? p))) missing.push(p);
  if (missing.length === 0) return [];
  if (!(await hasCommand('apt-get'))) throw new DemoPrerequisiteError(manualInstallHint(missing));
  onInstall?.(missing);
  try {
    return await ensureDebianPackages(missing);
  } catch (err) {
    if (err instanceof PackagesMissingError)
      throw new DemoPrerequisiteError(
        `plantpulse demo needs ${err.missing.join(', ')}. Install with:\n  ${err.command}\nthen run \`npm run demo\` again.`,
        { cause: err },
      );
    throw new DemoPrerequisiteError(
      `installing ${missing.join(', ')} with apt-get failed: ${(err as Error).message}`,
      { cause: err },
    );
  }
}
