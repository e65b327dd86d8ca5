import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PackagesMissingError, ServiceError } from './errors.js';

const run = promisify(execFile);

/**
 * What proves a package is usable when `dpkg-query` cannot tell (not a Debian system, or installed another way):
 * a command on PATH. Packages without an entry are checked with dpkg-query only.
 */
const PROVIDES_COMMAND: Readonly<Record<string, string>> = {
  influxdb: 'influxd',
  mosquitto: 'mosquitto',
  'mosquitto-clients': 'mosquitto_pub',
  'victoria-metrics': 'victoria-metrics',
  socat: 'socat',
  mbpoll: 'mbpoll',
  chromium: 'chromium',
  faketime: 'faketime',
  systemd: 'systemd-analyze',
};

async function dpkgInstalled(pkg: string): Promise<boolean> {
  try {
    const { stdout } = await run('dpkg-query', ['-W', '-f=${Status}', pkg]);
    return stdout.trim() === 'install ok installed';
  } catch {
    return false;
  }
}

async function commandExists(cmd: string): Promise<boolean> {
  try {
    await run('sh', ['-c', 'command -v "$1"', 'sh', cmd]);
    return true;
  } catch {
    return false;
  }
}

/** Whether a Debian package (or the command it provides) is present. */
export async function isPackagePresent(pkg: string): Promise<boolean> {
  if (await dpkgInstalled(pkg)) return true;
  const cmd = PROVIDES_COMMAND[pkg];
  return cmd !== undefined && (await commandExists(cmd));
}

/** The exact command a non-root user must run to install `pkgs`. */
export function installCommand(pkgs: readonly string[]): string {
  return `sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y ${pkgs.join(' ')}`;
}

let aptUpdated: Promise<void> | undefined;
// apt takes a lock: installs from concurrent callers in this process run one after another.
let aptQueue: Promise<unknown> = Promise.resolve();

const PKG_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

/**
 * Makes sure the Debian packages are installed. Missing ones are installed with apt-get when running as root
 * (`apt-get update` once per process); otherwise throws `PackagesMissingError` whose message is the exact command
 * to run. Resolves with the packages it installed.
 */
export async function ensureDebianPackages(
  pkgs: readonly string[],
  opts: { /** default: whether this process runs as root */ asRoot?: boolean } = {},
): Promise<string[]> {
  for (const p of pkgs) {
    if (!PKG_NAME.test(p))
      throw new ServiceError('SERVICE_INSTALL_FAILED', `not a Debian package name: ${p}`);
  }
  const present = await Promise.all(pkgs.map((p) => isPackagePresent(p)));
  const missing = pkgs.filter((_, i) => !present[i]);
  if (missing.length === 0) return [];
  const root = opts.asRoot ?? (typeof process.getuid === 'function' && process.getuid() === 0);
  if (!root) {
    throw new PackagesMissingError(missing, installCommand(missing));
  }
  const job = aptQueue.then(() => aptInstall(missing));
  aptQueue = job.catch(() => undefined);
  await job;
  return missing;
}

async function aptInstall(missing: readonly string[]): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  aptUpdated ??= run('apt-get', ['update'], { env, maxBuffer: 64 * 1024 * 1024 }).then(
    () => undefined,
    (err: unknown) => {
      aptUpdated = undefined;
      throw new ServiceError('SERVICE_INSTALL_FAILED', `apt-get update failed: ${stderrOf(err)}`, {
        cause: err,
      });
    },
  );
  await aptUpdated;
  try {
    await run('apt-get', ['install', '-y', ...missing], {
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    throw new ServiceError(
      'SERVICE_INSTALL_FAILED',
      `apt-get install -y ${missing.join(' ')} failed: ${stderrOf(err)}`,
      { cause: err },
    );
  }
}

function stderrOf(err: unknown): string {
  const e = err as { stderr?: unknown; message?: unknown };
  const text = typeof e.stderr === 'string' && e.stderr.trim() !== '' ? e.stderr : String(e.message);
  return text.trim().slice(-1000);
}
