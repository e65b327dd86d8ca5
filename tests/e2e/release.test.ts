/**
 * The release as an integrator installs it: `npm pack` gives a tarball, `npm install -g` of it into an empty prefix
 * gives a working `plantpulse` (native modules built on install, dependencies from the registry or npm's cache and
 * nothing else), which prints its version and runs the demo from its own files — not from this checkout.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliProcess, runCli, spawnCli } from '../helpers/cli-process.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** npm's environment without what the `npm test` running this suite set for itself (prefix, lifecycle, config). */
function cleanNpmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
}

describe('the npm package', () => {
  let dir: string;
  let bin: string;
  let installed: string;
  let demo: CliProcess | undefined;

  beforeAll(async () => {
    // about 2 min of CPU (better-sqlite3 is compiled on install): minutes of wall time on a busy 2-core machine
    dir = await mkdtemp(join(tmpdir(), 'pp-release-'));
    const env = cleanNpmEnv();
    // dist/ is built (npm test builds first), so pack without running prepare again
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--loglevel=error'], {
      cwd: ROOT,
      env,
    });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    if (tarball === undefined) throw new Error(`npm pack wrote no tarball in ${dir}`);
    const prefix = join(dir, 'prefix');
    await run(
      'npm',
      [
        'install',
        '-g',
        '--prefix',
        prefix,
        join(dir, tarball),
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
      ],
      { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 },
    );
    bin = join(prefix, 'bin', 'plantpulse');
    installed = join(prefix, 'lib', 'node_modules', 'plantpulse');
  }, 1_200_000);

  afterAll(async () => {
    await demo?.stop('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('holds what it runs and nothing of the test suite', () => {
    const top = readdirSync(installed);
    for (const f of [
      'bin',
      'dist',
      'config',
      'simulators',
      'deploy',
      'README.md',
      'CHANGELOG.md',
      'node_modules',
    ])
      expect(top, f).toContain(f);
    const dist = readdirSync(join(installed, 'dist'));
    expect(dist).not.toContain('tests');
    expect(dist).not.toContain('bench');
    expect(top).not.toContain('tests');
  });

  it('prints its version', async () => {
    const r = await runCli(['--version'], { entry: bin, cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(
      `plantpulse ${VERSION} (node ${process.version}, ${process.platform} ${process.arch})`,
    );
    expect(r.stderr).toBe('');
  });

  it('runs the demo from its own files, and removes its temp folder after a clean stop', async () => {
    // no --dir: the demo makes its own folder under TMPDIR (here: this test's), and removes it after Ctrl-C
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const runDirs = () => readdirSync(tmp).filter((n) => n.startsWith('plantpulse-demo-'));
    demo = spawnCli(['demo', '--port', '0', '--hours', '1', '--json'], {
      entry: bin,
      cwd: dir,
      env: { TMPDIR: tmp },
    });
    const ready = await demo.waitFor((l) => l['event'] === 'ready', 300_000);
    expect(runDirs()).toHaveLength(1);
    const runDir = join(tmp, runDirs()[0] ?? '');
    expect(String(ready['scenario'] ?? '')).toContain(installed);
    const res = await fetch(String(ready['dashboardUrl']));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<html');
    const code = await demo.stop('SIGINT', 60_000);
    // on a failure, where the stop spent its time: the demo logs each part it stopped, with how long it took
    const logTail = () => {
      try {
        return readFileSync(join(runDir, 'plantpulse.log'), 'utf8').split('\n').slice(-30).join('\n');
      } catch (err) {
        return String(err);
      }
    };
    expect(
      code,
      code === 0 ? '' : `the demo did not exit 0 within 60 s of SIGINT; its log ends:\n${logTail()}`,
    ).toBe(0);
    expect(runDirs()).toEqual([]);
    demo = undefined;
  }, 360_000);
});
