/**
 * One retrofitted machine through the whole pipeline (issue 7): a lathe model drives the RTU IO module simulator on a
 * socat pty pair → `plantpulse agent` (Modbus RTU poll, derive: 4–20 mA current, state, part count, power, energy;
 * Sparkplug B over MQTT) → `plantpulse cloud` (embedded broker, host, InfluxDB writer) → InfluxDB. What arrives in
 * InfluxDB is scored against the model's ground truth. The machine runs in real time (the agent stamps samples with
 * its own clock), with short phases so a minute holds several states.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryInfluxQL } from '../../protocols/influx/index.js';
import { type ModbusSimulator, startModbusSimulator } from '../../simulators/modbus/modbus-simulator.js';
import { RetrofitIoModule } from '../../simulators/retrofit/io-module.js';
import { FAST_LATHE, MachineModel, type MachineProfile } from '../../simulators/retrofit/machine-model.js';
import { retrofitProfile } from '../../simulators/retrofit/retrofit-profile.js';
import { type CliProcess, spawnCli } from '../helpers/cli-process.js';
import { freshDatabase, influxUrl } from '../helpers/services.js';
import { openPtyPair, type PtyPair } from '../integration/derive/pty-pair.js';

const SITE = 'cq-plant1';
const NODE = 'line3-gw';
const DEVICE = 'lathe-03';
const BAUD = 38_400;
const POLL_MS = 100;
const MIN_DWELL_MS = 1_000;
const RUN_MS = 60_000;

/** FAST_LATHE with phases long enough that a 100 ms poll dates each change within a few % of a phase. */
const PROFILE: MachineProfile = {
  ...FAST_LATHE,
  cutMs: [3_000, 5_000],
  idleMs: [8_000, 12_000],
  offMs: [8_000, 12_000],
  microStopMs: [4_000, 6_000],
  offChance: 0.5,
};

type Row = Record<string, unknown>;

describe('retrofitted lathe: IO module (RTU) → agent derive → MQTT → cloud → InfluxDB', () => {
  let dir: string;
  let db: string;
  let pty: PtyPair;
  let sim: ModbusSimulator;
  let cloud: CliProcess;
  let agent: CliProcess;
  let simStart = 0;
  const model = new MachineModel(PROFILE, 21);
  const io = new RetrofitIoModule(model, { ctRangeA: 50 });
  const env = { AGENT_MQTT_PASSWORD: 'agent-secret-1', INGEST_MQTT_PASSWORD: 'ingest-secret-2' };
  const query = (q: string) => queryInfluxQL(influxUrl(), { db, q });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pp-retrofit-'));
    db = await freshDatabase('e2e_retrofit');
    pty = await openPtyPair();

    await writeFile(
      join(dir, 'cloud.yaml'),
      [
        'broker:',
        '  port: 0',
        '  users:',
        `    - { username: ${NODE}, password: "\${env:AGENT_MQTT_PASSWORD}" }`,
        '    - { username: ingest, password: "${env:INGEST_MQTT_PASSWORD}" }',
        'mqtt:',
        '  username: ingest',
        '  password: ${env:INGEST_MQTT_PASSWORD}',
        '  clientId: e2e-retrofit-ingest',
        'influx:',
        `  url: ${influxUrl()}`,
        `  database: ${db}`,
        `spool: { path: ${join(dir, 'cloud-data')} }`,
      ].join('\n'),
    );
    cloud = spawnCli(['cloud', '-c', join(dir, 'cloud.yaml')], { env });
    const brokerUp = await cloud.waitFor(
      (l) => typeof l['msg'] === 'string' && l['msg'].startsWith('embedded MQTT broker listening'),
    );

    await writeFile(
      join(dir, 'agent.yaml'),
      [
        `site: ${SITE}`,
        `node: ${NODE}`,
        'mqtt:',
        `  url: ${String(brokerUp['url'])}`,
        `  username: ${NODE}`,
        '  password: ${env:AGENT_MQTT_PASSWORD}',
        `outbox: { path: ${join(dir, 'agent-data')} }`,
        'devices:',
        `  - id: ${DEVICE}`,
        '    tags: { line: line3, kind: lathe }',
        `    modbus: { url: "rtu://${pty.b}?baud=${BAUD}", unitId: 5, timeout: 1s }`,
        '    poll:',
        `      - every: ${POLL_MS}ms`,
        '        points:',
        '          - { name: clamp_ma, table: input, address: 0, type: uint16, scale: 0.001, unit: mA }',
        '          - { name: pulses, table: input, address: 2, type: uint32 }',
        '          - { name: ai0_broken, table: input, address: 4, type: bool, bit: 0 }',
        '    derive:',
        '      signals:',
        '        current_a: { from: clamp_ma, type: 4-20mA, min: 0, max: 50, unit: A, fault: ai0_broken }',
        `      state: { from: current_a, off: 1.0, running: 6.0, hysteresis: 0.5, minDwell: ${MIN_DWELL_MS}ms }`,
        '      part_count: { from: pulses, counter: true }',
        '      power_kw: { threePhase: { current: current_a, voltage: 380, powerFactor: 0.85 } }',
      ].join('\n'),
    );

    // The model starts with ≥ 8 s of idle: the agent's first poll (its counter baseline) falls in it.
    simStart = Date.now();
    sim = await startModbusSimulator({
      transport: 'rtu',
      serial: { path: pty.a, baudRate: BAUD },
      profile: retrofitProfile(io, { unitId: 5, tickMs: 20 }),
    });
    agent = spawnCli(['agent', '-c', join(dir, 'agent.yaml')], { env });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([agent?.stop(), cloud?.stop()]);
    await sim?.close();
    await pty?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stores state, part count, current, power and energy that match the machine', async () => {
    // Run a minute of machine time, then stop where no part is near the photo-eye and wait for the last change.
    const settledAt = (t: number) => model.partsUntil(t - 1_000) === model.partsUntil(t + 1_000);
    const deadline = Date.now() + RUN_MS + 60_000;
    let end = 0;
    for (;;) {
      const t = Date.now() - simStart;
      if (t >= RUN_MS && settledAt(t)) {
        end = t;
        break;
      }
      if (Date.now() > deadline) throw new Error('no settled moment to stop at');
      if (agent.child.exitCode !== null) throw new Error(`the agent exited: ${agent.stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const expectParts = (first: number) => model.partsUntil(end) - model.partsUntil(first - simStart);

    let rows: Row[] = [];
    let parts: Row[] = [];
    for (;;) {
      rows = await query(`SELECT * FROM telemetry WHERE device = '${DEVICE}'`);
      parts = await query(`SELECT part_count FROM telemetry WHERE device = '${DEVICE}' AND part_count >= 0`);
      const first = Number(parts[0]?.['time']);
      const caughtUp = Number(rows.at(-1)?.['time'] ?? 0) - simStart >= end;
      if (caughtUp && parts.length > 0 && Number(parts.at(-1)?.['part_count']) === expectParts(first)) break;
      if (Date.now() > deadline || agent.child.exitCode !== null || cloud.child.exitCode !== null) {
        throw new Error(
          `InfluxDB did not get the derived metrics in time: ${rows.length} rows, parts ${JSON.stringify(parts.slice(-3))}, expected ${expectParts(first)}\nagent: ${agent.stderr()}${JSON.stringify(agent.lines.slice(-8))}\ncloud: ${JSON.stringify(cloud.lines.slice(-8))}`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }

    // part count: exact, counted from the agent's first poll
    expect(Number(parts.at(-1)?.['part_count'])).toBeGreaterThan(0);
    expect(Number(parts[0]?.['part_count'])).toBe(0);

    // state: the stored changes, scored against the true timeline up to `end`
    const states = rows
      .filter((r) => r['state'] != null)
      .map((r) => ({ t: Number(r['time']) - simStart, v: r['state'] }));
    expect(states.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < states.length; i++) {
      expect((states[i]?.t ?? 0) - (states[i - 1]?.t ?? 0)).toBeGreaterThanOrEqual(MIN_DWELL_MS);
    }
    const from = states[0]?.t ?? 0;
    const truth = model.truth(from, end);
    expect(new Set(truth.map((s) => s.state))).toContain('running');
    // A read is dated when its answer is handled, which is after the IO module sampled the input: a few ms on a quiet
    // machine, hundreds when the cores are busy and the answer waits for the event loop. So the first read dated after
    // a true change may still carry the old state; the read after it was sent after that answer, so it sees the
    // change. From each true change to that second read is not scored; every other moment must agree: a wrong state,
    // or a change dated later than the read that must have seen it, counts against.
    const polls = [...new Set(rows.map((r) => Number(r['time']) - simStart))].sort((a, b) => a - b);
    const blind = truth.slice(1).map((seg) => {
      const first = polls.findIndex((p) => p >= seg.start);
      const surely = first < 0 ? end : (polls[first + 1] ?? end);
      return { start: seg.start, end: Math.min(surely, end) };
    });
    const overlap = (a0: number, a1: number, b0: number, b1: number) =>
      Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
    const blindIn = (t0: number, t1: number) =>
      blind.reduce((s, b) => s + overlap(t0, t1, b.start, b.end), 0);
    let agree = 0;
    states.forEach((c, i) => {
      const until = Math.min(states[i + 1]?.t ?? end, end);
      for (const seg of truth) {
        if (seg.state !== c.v) continue;
        const t0 = Math.max(c.t, seg.start);
        const t1 = Math.min(until, seg.end);
        if (t1 > t0) agree += t1 - t0 - blindIn(t0, t1);
      }
    });
    const scored = end - from - blindIn(from, end);
    expect(agree / scored).toBeGreaterThanOrEqual(0.98);

    // current, power and energy: plausible values from the model, energy never decreasing
    const currents = rows.filter((r) => r['current_a'] != null).map((r) => Number(r['current_a']));
    expect(Math.max(...currents)).toBeGreaterThan(10);
    expect(Math.min(...currents)).toBeGreaterThanOrEqual(0);
    const energyRows = rows.filter((r) => r['energy_kwh'] != null);
    const energy = energyRows.map((r) => Number(r['energy_kwh']));
    for (let i = 1; i < energy.length; i++) expect(energy[i]).toBeGreaterThanOrEqual(energy[i - 1] ?? 0);
    const e0 = Number(energyRows[0]?.['time']) - simStart;
    const e1 = Number(energyRows.at(-1)?.['time']) - simStart;
    const trueKwh = model.integrate(e0, e1, (a) => (Math.sqrt(3) * a * 380 * 0.85) / 1000, 20) / 3_600_000;
    const storedKwh = (energy.at(-1) ?? 0) - (energy[0] ?? 0);
    expect(Math.abs(storedKwh - trueKwh) / trueKwh).toBeLessThan(0.05);

    const fields = await query('SHOW FIELD KEYS FROM telemetry');
    const typeOf = (k: string) => fields.find((f) => f['fieldKey'] === k)?.['fieldType'];
    expect(typeOf('state')).toBe('string');
    expect(typeOf('part_count')).toBe('integer');
    expect(typeOf('energy_kwh')).toBe('float');
  }, 240_000);
});
