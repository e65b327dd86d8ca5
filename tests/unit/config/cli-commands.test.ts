import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { runCheck } from '../../../cli/commands/check.js';
import { runHashPassword } from '../../../cli/commands/hash-password.js';
import { verifySecret } from '../../../config/password-hash.js';

const EXAMPLES = join(import.meta.dirname, '../../../config/examples');
const dir = mkdtempSync(join(tmpdir(), 'pp-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.unstubAllEnvs();
});

function capture() {
  const out = { stdout: '', stderr: '' };
  const sink = (k: 'stdout' | 'stderr') =>
    new Writable({
      write(chunk, _enc, cb) {
        out[k] += String(chunk);
        cb();
      },
    });
  return { io: { stdout: sink('stdout'), stderr: sink('stderr') }, out };
}

const SECRETS = {
  MQTT_PASSWORD: 'mqtt-pw-do-not-print',
  PLANTPULSE_INGEST_PASSWORD: 'ingest-pw-do-not-print',
  INFLUX_TOKEN: 'influx-token-do-not-print',
};

function stubSecrets(): void {
  for (const [k, v] of Object.entries(SECRETS)) vi.stubEnv(k, v);
  const creds = mkdtempSync(join(dir, 'creds-'));
  writeFileSync(join(creds, 'opcua-password'), 'opcua-pw-do-not-print\n');
  vi.stubEnv('CREDENTIALS_DIRECTORY', creds);
}

describe('plantpulse check', () => {
  it('prints the resolved agent config with every secret redacted, exit 0', async () => {
    stubSecrets();
    const { io, out } = capture();
    const code = await runCheck(['-c', join(EXAMPLES, 'agent.yaml')], io);
    expect(out.stderr).toBe('');
    expect(code).toBe(0);
    expect(out.stdout).toMatch(/^# agent config .*agent\.yaml is valid/);
    for (const secret of [...Object.values(SECRETS), 'opcua-pw-do-not-print'])
      expect(out.stdout).not.toContain(secret);
    const printed = parse(out.stdout);
    expect(printed.mqtt.password).toBe('[redacted]');
    expect(printed.devices[1].opcua.user).toEqual({ username: 'agent', password: '[redacted]' });
    // resolved: every default filled in, durations and sizes written as in a file
    expect(printed.devices[0].modbus).toMatchObject({
      unitId: 1,
      timeout: '1s',
      backoff: { initial: '500ms' },
    });
    expect(printed.outbox).toMatchObject({ maxBytes: '1GiB', replayRate: 200, sync: 'full' });
    expect(printed.devices[0].poll[0].points[1]).toEqual({
      name: 'part_count',
      table: 'holding',
      address: 102,
      type: 'uint32',
      order: 'CDAB',
    });
  });

  it('detects a cloud config and redacts references, passwords, keys and token hashes', async () => {
    stubSecrets();
    const { io, out } = capture();
    expect(await runCheck(['--config', join(EXAMPLES, 'cloud.yaml')], io)).toBe(0);
    for (const secret of Object.values(SECRETS)) expect(out.stdout).not.toContain(secret);
    expect(out.stdout).not.toContain('scrypt$');
    const printed = parse(out.stdout);
    expect(printed.broker.users[2].password).toBe('[redacted]');
    expect(printed.broker.tls.key).toBe('[redacted]');
    expect(printed.api.tokens[0].tokenHash).toBe('[redacted]');
    expect(printed.influx).toMatchObject({ url: 'http://127.0.0.1:8086', token: '[redacted]' });
  });

  it('lists every problem and exits 2 for an invalid config', async () => {
    const file = join(dir, 'bad-agent.yaml');
    writeFileSync(
      file,
      `site: s1\nnode: n1\nmqtt: { url: "mqtt://h", password: "\${env:NOT_SET_ANYWHERE}" }\ndevices:\n  - id: x\n    modbus: { url: tcp://h }\n    poll: [ { every: 1ms, points: [ { name: a, table: coil, address: 0, type: uint16 } ] } ]\n`,
    );
    const { io, out } = capture();
    expect(await runCheck(['-c', file], io)).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe(
      [
        `${file}:3:36 mqtt.password: \${env:NOT_SET_ANYWHERE}: environment variable NOT_SET_ANYWHERE is not set`,
        `${file}:7:22 devices[0].poll[0].every: must be at least 10ms`,
        `${file}:7:79 devices[0].poll[0].points[0].type: a coil holds one bit: type must be bool, not uint16`,
        `3 problems in ${file}`,
        '',
      ].join('\n'),
    );
  });

  it('exits 2 when the file does not exist', async () => {
    const { io, out } = capture();
    expect(await runCheck(['-c', join(dir, 'missing.yaml')], io)).toBe(2);
    expect(out.stderr).toContain('cannot read config: no such file');
  });

  it('asks for --kind when it cannot tell the kind, and honours it', async () => {
    const file = join(dir, 'neither.yaml');
    writeFileSync(file, 'site: s1\n');
    const first = capture();
    expect(await runCheck(['-c', file], first.io)).toBe(2);
    expect(first.out.stderr).toContain('use --kind agent|cloud');
    const second = capture();
    expect(await runCheck(['-c', file, '--kind', 'agent'], second.io)).toBe(2);
    expect(second.out.stderr).toContain(`${file}:1:1 node: is required`);
  });

  it.each([
    [[], 'missing -c FILE'],
    [['-c'], 'argument missing'],
    [['-c', 'a.yaml', '--kind', 'edge'], '--kind must be agent or cloud'],
    [['-c', 'a.yaml', '--verbose'], "Unknown option '--verbose'"],
    [['-c', 'a.yaml', 'b.yaml'], 'unexpected argument "b.yaml"'],
  ])('usage error %j exits 2', async (argv, message) => {
    const { io, out } = capture();
    expect(await runCheck(argv, io)).toBe(2);
    expect(out.stderr).toContain(message);
    expect(out.stderr).toContain('Usage: plantpulse check');
  });

  it('prints help and exits 0', async () => {
    const { io, out } = capture();
    expect(await runCheck(['--help'], io)).toBe(0);
    expect(out.stdout).toContain('Usage: plantpulse check -c FILE');
  });
});

describe('plantpulse hash-password', () => {
  const run = async (input: string[], argv: string[] = []) => {
    const { io, out } = capture();
    const code = await runHashPassword(argv, { ...io, stdin: Readable.from(input) });
    return { code, ...out };
  };

  it('prints a scrypt hash of the password on stdin (trailing newline dropped)', async () => {
    const r = await run(['s3cret ', 'pass\n']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const hash = r.stdout.trim();
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(verifySecret('s3cret pass', hash)).toBe(true);
    expect(verifySecret('s3cret pass\n', hash)).toBe(false);
  });

  it('refuses an empty, multi-line or oversized password, or one given as an argument', async () => {
    expect((await run(['\n'])).stderr).toContain('no password on stdin');
    expect((await run(['a\nb\n'])).stderr).toContain('must be one line');
    expect((await run(['x'.repeat(5000)])).stderr).toContain('longer than 4096 bytes');
    const arg = await run([], ['hunter2']);
    expect(arg.code).toBe(2);
    expect(arg.stderr).toContain('read from stdin, not from arguments');
    expect(arg.stdout).toBe('');
  });
});
