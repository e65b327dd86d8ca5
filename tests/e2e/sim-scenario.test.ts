/**
 * `plantpulse sim -s scenario.yaml`: every device of the bundled plant comes up on its protocol, the printed URLs
 * answer with plausible values, and `--agent-config` writes an agent `devices:` section the agent's own loader
 * accepts. A malformed scenario is a usage error with file, line and key path.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadAgentConfig, resolveDeviceFor } from '../../agent/config/load-agent-config.js';
import { mc } from '../../agent/sources/mc/index.js';
import { createMcSource } from '../../agent/sources/mc/mc-source.js';
import { bundledScenarioPath } from '../../simulators/scenario/load-scenario.js';
import { type CliProcess, spawnCli } from '../helpers/cli-process.js';

/** One Modbus TCP read (function 3 holding or 4 input), by hand: the registers' bytes. */
function readRegisters(url: string, fc: 3 | 4, address: number, count: number): Promise<Buffer> {
  const { hostname, port } = new URL(url.replace(/^tcp:/, 'http:'));
  return new Promise((resolve, reject) => {
    const req = Buffer.alloc(12);
    req.writeUInt16BE(1, 0); // transaction
    req.writeUInt16BE(0, 2); // protocol
    req.writeUInt16BE(6, 4); // length
    req.writeUInt8(1, 6); // unit
    req.writeUInt8(fc, 7);
    req.writeUInt16BE(address, 8);
    req.writeUInt16BE(count, 10);
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.write(req));
    let buf = Buffer.alloc(0);
    socket.setTimeout(5000, () => socket.destroy(new Error('no Modbus answer')));
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 9 && buf.length >= 9 + (buf[8] ?? 0)) {
        socket.end();
        if (buf[7] !== fc) reject(new Error(`Modbus exception ${buf[8]}`));
        else resolve(buf.subarray(9, 9 + (buf[8] ?? 0)));
      }
    });
  });
}

describe('plantpulse sim -s', () => {
  let dir: string;
  let sim: CliProcess;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pp-sim-scenario-'));
    sim = spawnCli([
      'sim',
      '-s',
      bundledScenarioPath(),
      '--seed',
      '11',
      '--speed',
      '30',
      '--agent-config',
      join(dir, 'devices.yaml'),
    ]);
    await sim.waitFor((l) => l['event'] === 'agent-config', 90_000);
  }, 120_000);

  afterAll(async () => {
    await sim?.stop('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves every device and writes an agent config that reads them', async () => {
    const scenario = sim.lines.find((l) => l['event'] === 'scenario');
    expect(scenario).toMatchObject({ site: 'cq-autoparts', seed: 11, speed: 30 });
    const listening = sim.lines.filter((l) => l['event'] === 'listening');
    const byId = new Map(listening.map((l) => [String(l['id']), l]));
    expect([...byId.keys()].sort()).toEqual(
      [
        'boiler-01',
        'boiler-01-gas',
        'boiler-01-stack',
        'boiler-01-cems',
        'ww-outlet-01',
        'cnc-01',
        'cnc-02',
        'compressor-01',
        'imm-01',
        'lathe-01',
        'meter-main',
        'press-01',
        'dtu-incomer',
        'ws-stamping',
        'ws-machining',
        'ws-moulding',
        'press-02',
      ].sort(),
    );
    // the DL/T 645 meters share one bus behind one TCP DTU, each by its address
    expect(byId.get('dtu-incomer')).toMatchObject({ protocol: 'dlt645', address: '000000001001' });
    expect(byId.get('ws-stamping')?.['url']).toBe(byId.get('dtu-incomer')?.['url']);
    expect(byId.get('cnc-01')?.['url']).toMatch(/^opc\.tcp:\/\/127\.0\.0\.1:\d+\//);
    expect(byId.get('lathe-01')?.['url']).toMatch(/^rtu:\/\/\/dev\/pts\/\d+\?baud=9600$/);
    // the S7-1200 press (node-snap7's server, an independent S7 implementation)
    expect(byId.get('press-02')).toMatchObject({
      protocol: 's7',
      url: expect.stringMatching(/^s7:\/\/127\.0\.0\.1:\d+$/),
    });

    // the press is a Mitsubishi FX5U answering the MC protocol with a known state code; the main meter always sees
    // the base load
    expect(byId.get('press-01')?.['url']).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const press = createMcSource(
      resolveDeviceFor(mc, {
        id: 'press-01',
        mc: { url: String(byId.get('press-01')?.['url']), series: 'iQ-F' },
        mcPoll: [{ every: '1s', points: [{ name: 'state_code', device: 'D100', type: 'uint16' }] }],
      }),
      { log: pino({ level: 'silent' }) },
    );
    await press.connect(AbortSignal.timeout(10_000));
    const read = await press.read(0, AbortSignal.timeout(10_000));
    await press.close();
    expect([0, 1, 2, 3, 4]).toContain(read.samples[0]?.value);
    const kw = await readRegisters(String(byId.get('meter-main')?.['url']), 4, 4, 2);
    expect(kw.readFloatBE(0)).toBeGreaterThan(20);

    // the written devices: section, wrapped in a minimal agent config, passes the agent's loader
    const devices = parse(await readFile(join(dir, 'devices.yaml'), 'utf8')) as { devices: unknown[] };
    expect(devices.devices).toHaveLength(17);
    const agentFile = join(dir, 'agent.yaml');
    await writeFile(
      agentFile,
      `site: cq-autoparts\nnode: gw1\nmqtt: { url: "mqtt://127.0.0.1:1883" }\n${await readFile(join(dir, 'devices.yaml'), 'utf8')}`,
    );
    const loaded = await loadAgentConfig(agentFile);
    expect(loaded.config.devices.map((d) => d.id).sort()).toEqual([...byId.keys()].sort());
  });

  it('stops on SIGTERM', async () => {
    expect(await sim.stop('SIGTERM')).toBe(0);
  });

  it('reports a broken scenario with file, line and key path (exit 2)', async () => {
    const text = (await readFile(bundledScenarioPath(), 'utf8')).replace('kind: press', 'kind: forge');
    const file = join(dir, 'broken.yaml');
    await writeFile(file, text);
    const bad = spawnCli(['sim', '-s', file]);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toMatch(/broken\.yaml:\d+:\d+ devices\[0\]/);
  });
});
