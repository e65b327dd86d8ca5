/**
 * The systemd units `plantpulse install-service` writes: accepted by `systemd-analyze verify` without a warning,
 * hardened, with a LoadCredential= for every `${cred:NAME}` the config uses, and the examples in deploy/systemd/
 * what the command writes for config/examples/.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitExamples } from '../../../cli/service/unit-examples.js';
import { runCli } from '../../helpers/cli-process.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..', '..');

/** systemd-analyze verify: exit code and everything it printed (warnings go to stderr with exit 0). */
async function verify(file: string): Promise<{ code: number; output: string }> {
  try {
    const r = await run('systemd-analyze', ['verify', file], { cwd: tmpdir() });
    return { code: 0, output: `${r.stdout}${r.stderr}`.trim() };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}`.trim() };
  }
}

function directives(unit: string, key: string): string[] {
  return unit
    .split('\n')
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1));
}

describe('plantpulse install-service', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pp-units-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const kind of ['agent', 'cloud'] as const) {
    it(`writes a ${kind} unit that systemd-analyze verify accepts without a warning`, async () => {
      const r = await runCli([
        'install-service',
        kind,
        '-c',
        join(ROOT, 'config', 'examples', `${kind}.yaml`),
        '--unit-dir',
        dir,
      ]);
      expect(r.code, r.stderr).toBe(0);
      const file = join(dir, `plantpulse-${kind}.service`);
      expect(r.stdout).toContain(`wrote ${file}`);
      expect(r.stdout).toContain(`systemctl daemon-reload && systemctl enable --now plantpulse-${kind}`);
      expect(r.stdout).toContain(
        `install -d -m 0700 -o plantpulse -g plantpulse /var/lib/plantpulse/${kind === 'agent' ? 'outbox' : 'spool'}`,
      );
      const unit = await readFile(file, 'utf8');
      expect(await verify(file)).toEqual({ code: 0, output: '' });

      expect(directives(unit, 'ExecStart')[0]).toBe(
        `${process.execPath} ${join(ROOT, 'bin', 'plantpulse.js')} ${kind} -c ${join(ROOT, 'config', 'examples', `${kind}.yaml`)} --watchdog 60s`,
      );
      for (const [key, value] of [
        ['User', 'plantpulse'],
        ['NoNewPrivileges', 'yes'],
        ['ProtectSystem', 'strict'],
        ['CapabilityBoundingSet', ''],
        // the example keeps its data in /var/lib/plantpulse/…: writable too, and created before the first start
        [
          'ReadWritePaths',
          `/var/lib/plantpulse-${kind} /var/lib/plantpulse/${kind === 'agent' ? 'outbox' : 'spool'}`,
        ],
        ['StateDirectoryMode', '0700'],
        ['UMask', '0077'],
        ['Restart', 'always'],
      ] as const)
        expect(directives(unit, key), key).toEqual([value]);
      // the --print output is the same unit
      const printed = await runCli([
        'install-service',
        kind,
        '-c',
        join(ROOT, 'config', 'examples', `${kind}.yaml`),
        '--print',
      ]);
      expect(printed.stdout).toBe(unit);
    });
  }

  it("bounds the agent's V8 heap through NODE_OPTIONS in its unit, and leaves the ingester's to V8", async () => {
    const [agentUnit, cloudUnit] = await Promise.all(
      (['agent', 'cloud'] as const).map(async (kind) => {
        const r = await runCli([
          'install-service',
          kind,
          '-c',
          join(ROOT, 'config', 'examples', `${kind}.yaml`),
          '--print',
        ]);
        expect(r.code, r.stderr).toBe(0);
        return r.stdout;
      }),
    );
    expect(directives(cloudUnit ?? '', 'Environment').join(' ')).not.toContain('NODE_OPTIONS');
    const env = directives(agentUnit ?? '', 'Environment');
    expect(env).toHaveLength(1);
    // systemd.exec(5): a quoted assignment keeps its spaces
    const m = /^"NODE_OPTIONS=([^"]+)"$/.exec(env[0] ?? '');
    expect(m, env[0]).not.toBeNull();
    // node accepts the options and the heap limit they give is the bounded one, not this 24 GB machine's default
    const { stdout } = await run(
      process.execPath,
      [
        '-e',
        'process.stdout.write(String(require("node:v8").getHeapStatistics().heap_size_limit / 2 ** 20))',
      ],
      { env: { ...process.env, NODE_OPTIONS: m?.[1] ?? '' } },
    );
    expect(Number(stdout)).toBeGreaterThan(100);
    expect(Number(stdout)).toBeLessThan(150);
  });

  it('loads a credential for every ${cred:NAME} in the config values, not for comments or literals', async () => {
    const config = join(dir, 'agent-creds.yaml');
    await writeFile(
      config,
      [
        '# ${cred:NAME} in a comment is not a reference',
        'site: s1',
        'node: n1',
        'mqtt: { url: "mqtts://broker.plant:8883", username: gw, password: "${cred:broker-password}" }',
        'outbox: { path: /srv/plantpulse/outbox }',
        'devices:',
        '  - id: d1',
        '    opcua: { endpoint: "opc.tcp://cnc:4840", user: { username: a, password: "${cred:opcua-password}" } }',
        '    subscribe: [{ name: x, node: "ns=2;s=X", type: "$${cred:literal}" }]',
        '',
      ].join('\n'),
    );
    const r = await runCli([
      'install-service',
      'agent',
      '-c',
      config,
      '--unit-dir',
      dir,
      '--credentials-dir',
      '/etc/pp/creds',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const unit = await readFile(join(dir, 'plantpulse-agent.service'), 'utf8');
    expect(directives(unit, 'LoadCredential')).toEqual([
      'broker-password:/etc/pp/creds/broker-password',
      'opcua-password:/etc/pp/creds/opcua-password',
    ]);
    // an absolute data path outside the state directory is writable too; nothing else is
    expect(directives(unit, 'ReadWritePaths')).toEqual(['/var/lib/plantpulse-agent /srv/plantpulse/outbox']);
    expect(r.stdout).toContain('/etc/pp/creds/broker-password');
    expect(await verify(join(dir, 'plantpulse-agent.service'))).toEqual({ code: 0, output: '' });
  });

  it('refuses a missing kind, a missing config and a bad user name (exit 2)', async () => {
    expect((await runCli(['install-service', '-c', 'x.yaml'])).code).toBe(2);
    const missing = await runCli(['install-service', 'agent', '-c', join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ENOENT');
    const badUser = await runCli([
      'install-service',
      'cloud',
      '-c',
      join(ROOT, 'config', 'examples', 'cloud.yaml'),
      '--user',
      'root; rm -rf /',
      '--print',
    ]);
    expect(badUser.code).toBe(2);
    expect(badUser.stdout).toBe('');
  });

  it('deploy/systemd/ holds what install-service writes for config/examples/ (npm run docs:config)', async () => {
    for (const [file, content] of Object.entries(unitExamples(ROOT)))
      expect(await readFile(join(ROOT, file), 'utf8'), `${file} is stale: run npm run docs:config`).toBe(
        content,
      );
  });
});
