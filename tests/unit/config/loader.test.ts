import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../../agent/config/load-agent-config.js';
import { ConfigError } from '../../../config/errors.js';
import { loadCloudConfig, loadConfig } from '../../../config/load.js';
import { PlantpulseError } from '../../../protocols/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'pp-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function problemsOf(p: Promise<unknown>): Promise<ConfigError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

const AGENT = (extra: string) => `site: s1
node: n1
mqtt:
  url: mqtt://127.0.0.1:1883
${extra}devices:
  - id: d1
    modbus: { url: tcp://127.0.0.1:502 }
    poll: [ { every: 1s, points: [ { name: a, table: input, address: 0 } ] } ]
`;

describe('loadConfig', () => {
  it('throws one coded ConfigError listing every problem with file, line, column and key path', async () => {
    const file = write('multi.yaml', AGENT('  port: 1\nhttp: { port: x }\n').replace('id: d1', 'id: "d 1"'));
    const err = await problemsOf(loadAgentConfig(file));
    expect(err).toBeInstanceOf(PlantpulseError);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.retryable).toBe(false);
    expect(err.problems.map((p) => [p.line, p.column, p.path])).toEqual([
      [5, 3, 'mqtt.port'],
      [6, 15, 'http.port'],
      [8, 9, 'devices[0].id'],
    ]);
    expect(err.problems.every((p) => p.file === file)).toBe(true);
    expect(err.message.split('\n')[0]).toBe(
      `${file}:5:3 mqtt.port: unknown key (allowed: ${'url, username, password, ca, cert, key, clientId, protocolVersion, keepalive, format, primaryHost, maxInflight'})`,
    );
  });

  it('never echoes a referenced or secret value in a problem', async () => {
    const file = write('leak.yaml', AGENT(`  password: 42\nhttp: { port: \${env:PORT} }\n`));
    const err = await problemsOf(loadAgentConfig(file, { env: { PORT: 'hunter2-secret' } }));
    expect(err.problems.map((p) => p.path)).toEqual(['mqtt.password', 'http.port']);
    expect(err.message).not.toContain('hunter2');
    expect(err.message).not.toContain('42');
  });

  it('reports an unreadable file as a problem, not a crash', async () => {
    const err = await problemsOf(loadAgentConfig(join(dir, 'nope.yaml')));
    expect(err.problems).toEqual([
      {
        file: join(dir, 'nope.yaml'),
        line: 0,
        column: 0,
        path: '',
        message: 'cannot read config: no such file',
      },
    ]);
    expect(err.message).toBe(`${join(dir, 'nope.yaml')} cannot read config: no such file`);
  });

  it('reports an unreadable referenced file with its line and path', async () => {
    const secret = write('secret.txt', 'pw\n');
    chmodSync(secret, 0o000);
    const file = write('unreadable-ref.yaml', AGENT(`  password: \${file:secret.txt}\n`));
    const readable = process.getuid?.() === 0; // root reads anything: then the file resolves
    if (readable) {
      const { config } = await loadAgentConfig(file);
      expect(config.mqtt.password).toBe('pw');
    } else {
      const err = await problemsOf(loadAgentConfig(file));
      expect(err.problems).toMatchObject([{ line: 5, column: 13, path: 'mqtt.password' }]);
      expect(err.problems[0]?.message).toContain('permission denied');
    }
  });

  it('returns a deeply frozen config', async () => {
    const { config } = await loadAgentConfig(write('ok.yaml', AGENT('')));
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.devices[0]?.poll?.[0]?.points[0])).toBe(true);
  });

  it('runs a section’s checks where that section is schema-valid, even when another part is not', async () => {
    const text = AGENT('')
      .replace('points: [', 'points: [ { name: a, table: input, address: 1 },')
      .replace('node: n1', 'node: "n 1"');
    const err = await problemsOf(loadAgentConfig(write('dup.yaml', text)));
    expect(err.problems.map((p) => p.path)).toEqual(['node', 'devices[0].poll[0].points[1].name']);
  });

  it('a schema without checks attached runs none', async () => {
    const { Type } = await import('@sinclair/typebox');
    const file = write('plain.yaml', 'a: 1\n');
    await expect(loadConfig(file, Type.Object({ a: Type.Integer() }))).resolves.toMatchObject({
      config: { a: 1 },
    });
  });

  it('keeps a plain string that only looks like a number a string, and a literal number a type error', async () => {
    const file = write(
      'types.yaml',
      `broker: { port: 1884, users: [ { username: u, password: "\${env:PW}" } ] }\n` +
        `mqtt: { username: u, password: \${env:PW} }\n` +
        'influx: { url: "http://127.0.0.1:8086", database: "1234", batchSize: "500" }\n',
    );
    const err = await problemsOf(loadCloudConfig(file, { env: { PW: '1234' } }));
    expect(err.message).toBe(`${file}:3:70 influx.batchSize: must be an integer, got "500"`);
  });

  it('passes a shared value through an alias and reports problems at the alias target', async () => {
    const file = write('alias.yaml', AGENT('').replace('devices:', 'x-poll: &fast 1s\ndevices:'));
    const err = await problemsOf(loadAgentConfig(file));
    expect(err.problems).toMatchObject([
      { path: 'x-poll', line: 5, column: 1, message: expect.stringMatching(/^unknown key/) },
    ]);
  });
});
