import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LineRegistry } from '../../../agent/sources/modbus/line-registry.js';
import { createModbusSource, type ModbusSource } from '../../../agent/sources/modbus/modbus-source.js';
import type { Sample } from '../../../protocols/sample.js';
import { type ModbusSimulator, startModbusSimulator } from '../../../simulators/modbus/modbus-simulator.js';
import { agentPoints } from '../../../simulators/modbus/profile.js';
import { pressProfile } from '../../../simulators/modbus/profiles/press.js';
import { openPtyPair, type PtyPair } from '../../../simulators/modbus/pty-pair.js';
import { captureLogger, deviceConfig } from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const byName = (samples: Sample[]): Record<string, Sample> =>
  Object.fromEntries(samples.map((s) => [s.metric, s]));
const signal = () => AbortSignal.timeout(10_000);

async function pair(linkDir?: string): Promise<PtyPair> {
  const p = await openPtyPair(linkDir === undefined ? {} : { linkDir });
  cleanups.push(() => p.close());
  return p;
}

async function rtuSim(path: string, unitIds: number[]): Promise<ModbusSimulator> {
  const s = await startModbusSimulator({
    transport: 'rtu',
    serial: { path, baudRate: 19200 },
    units: unitIds.map((unitId) => pressProfile({ unitId })),
    animate: false,
  });
  cleanups.push(() => s.close());
  return s;
}

function rtuSource(
  url: string,
  unitId: number,
  lines: LineRegistry,
  timeout = '1s',
  extra: Parameters<typeof deviceConfig>[3] = {},
): ModbusSource {
  const { log } = captureLogger();
  const src = createModbusSource(
    deviceConfig(`press-${unitId}`, url, agentPoints(pressProfile()), { unitId, timeout, ...extra }),
    { log, lines },
  );
  cleanups.push(() => src.close());
  return src;
}

describe('Modbus RTU over a socat pty pair', () => {
  it('reads and decodes the press over a serial line', async () => {
    const p = await pair();
    const s = await rtuSim(p.b, [1]);
    s.set('part_count', 123_456);
    s.set('power_kw', 12.5);
    const src = rtuSource(
      `rtu://${p.a}?baud=19200&parity=none&dataBits=8&stopBits=1`,
      1,
      new LineRegistry(captureLogger().log),
    );
    await src.connect(signal());
    const r = await src.read(0, signal());
    expect(r.failures).toEqual([]);
    const got = byName(r.samples);
    expect(got.part_count?.value).toBe(123_456);
    expect(got.power_kw?.value).toBe(s.expected('power_kw'));
    expect(got.state_code?.value).toBe(1);
  });

  it('units on one line share one queue: one transaction at a time, every unit answered', async () => {
    const p = await pair();
    const s = await rtuSim(p.b, [1, 2, 3]);
    s.set('part_count', 11, 1);
    s.set('part_count', 22, 2);
    s.set('part_count', 33, 3);
    const lines = new LineRegistry(captureLogger().log);
    const url = `rtu://${p.a}?baud=19200`;
    const sources = [1, 2, 3].map((u) => rtuSource(url, u, lines));
    await Promise.all(sources.map((x) => x.connect(signal())));
    expect(lines.keys()).toEqual([`rtu:${p.a}`]);
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(sources.map((x) => x.read(0, signal())));
      results.forEach((r, i) => {
        expect(r.failures).toEqual([]);
        expect(byName(r.samples).part_count?.value).toBe((i + 1) * 11);
      });
    }
    expect(s.stats.requests).toBe(3 * 3 * 2);
    expect(s.stats.outstanding.max).toBe(1);
  });

  /** Three rounds over units 1–3 where unit 2 is configured but absent: its failure codes and the bus requests. */
  async function deadUnitRounds(extra: Parameters<typeof deviceConfig>[3] = {}) {
    const p = await pair();
    const s = await rtuSim(p.b, [1, 3]); // unit 2 is configured in the agent but absent from the bus
    const lines = new LineRegistry(captureLogger().log);
    const url = `rtu://${p.a}?baud=19200`;
    // a long unit backoff so the rounds below surely fall inside it, however loaded the machine is
    const [u1, u2, u3] = [1, 2, 3].map((u) =>
      rtuSource(url, u, lines, u === 2 ? '300ms' : '5s', {
        backoff: { initial: '60s', max: '60s' },
        ...extra,
      }),
    );
    if (!u1 || !u2 || !u3) throw new Error('sources');
    await Promise.all([u1, u2, u3].map((x) => x.connect(signal())));
    const codes: string[] = [];
    for (let round = 0; round < 3; round++) {
      const [r1, r2, r3] = await Promise.all([u1, u2, u3].map((x) => x.read(0, signal())));
      expect(r1?.failures).toEqual([]);
      expect(r3?.failures).toEqual([]);
      expect(r2?.samples.every((x) => x.quality === 'bad')).toBe(true);
      for (const f of r2?.failures ?? []) {
        codes.push(f.code);
        // the line works (units 1 and 3 answer): a silent unit is not a reason to reset everybody's connection
        expect(f.linkFault).toBe(false);
        // …but the device itself gave no answer: the runner reports it unreachable (Sparkplug DDEATH)
        expect(f.noAnswer).toBe(true);
      }
    }
    return { codes, requests: s.stats.requests };
  }

  it('a dead unit does not stall the others: bounded timeouts, then per-unit backoff', async () => {
    const { codes, requests } = await deadUnitRounds();
    expect(codes.slice(0, 2)).toEqual(['MODBUS_TIMEOUT', 'MODBUS_TIMEOUT']);
    expect(codes.slice(2).every((c) => c === 'MODBUS_UNIT_BACKOFF')).toBe(true);
    // unit 2 was asked exactly twice (the two timeouts, skipUnitAfterTimeouts' default); the simulator stayed silent
    expect(requests).toBe(3 * 2 * 2 + 2);
  });

  it('skipUnitAfterTimeouts: 1 skips a silent unit after its first timeout', async () => {
    const { codes, requests } = await deadUnitRounds({ skipUnitAfterTimeouts: 1 });
    expect(codes[0]).toBe('MODBUS_TIMEOUT');
    expect(codes.slice(1).every((c) => c === 'MODBUS_UNIT_BACKOFF')).toBe(true);
    expect(requests).toBe(3 * 2 * 2 + 1);
  });

  it('a CRC error or an exception marks only that request bad; the next poll is clean', async () => {
    const p = await pair();
    const s = await rtuSim(p.b, [1]);
    const src = rtuSource(`rtu://${p.a}?baud=19200`, 1, new LineRegistry(captureLogger().log));
    await src.connect(signal());
    s.inject({ kind: 'garbage', functionCode: 3, times: 1 });
    const r1 = await src.read(0, signal());
    expect(r1.failures).toEqual([expect.objectContaining({ code: 'MODBUS_CRC', linkFault: false })]);
    expect(byName(r1.samples).state_code?.quality).toBe('bad');
    expect(byName(r1.samples).power_kw?.quality).toBe('good');
    s.inject({ kind: 'exception', functionCode: 4, exceptionCode: 2, times: 1 });
    const r2 = await src.read(0, signal());
    expect(r2.failures).toEqual([
      expect.objectContaining({ code: 'MODBUS_EXCEPTION', detail: 2, linkFault: false }),
    ]);
    expect(byName(r2.samples).state_code?.quality).toBe('good');
    const r3 = await src.read(0, signal());
    expect(r3.failures).toEqual([]);
  });

  it('an unplugged adapter (the pty disappears) fails polls as link faults without crashing; replugged, it recovers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-pty-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const p1 = await openPtyPair({ linkDir: dir });
    const s1 = await startModbusSimulator({
      transport: 'rtu',
      serial: { path: p1.b, baudRate: 19200 },
      profile: pressProfile(),
      animate: false,
    });
    const src = rtuSource(`rtu://${p1.a}?baud=19200`, 1, new LineRegistry(captureLogger().log), '3s');
    await src.connect(signal());
    expect((await src.read(0, signal())).failures).toEqual([]);
    await p1.close(); // yank the cable
    await s1.close();
    const r = await src.read(0, signal());
    expect(r.failures.length).toBeGreaterThan(0);
    expect(r.failures.every((f) => f.linkFault)).toBe(true);
    expect(r.samples.every((x) => x.quality === 'bad')).toBe(true);
    await src.close();
    await expect(src.connect(signal())).rejects.toMatchObject({ code: 'MODBUS_CONNECT' });
    await src.close();
    const p2 = await pair(dir); // plug it back in: same paths
    const s2 = await rtuSim(p2.b, [1]);
    s2.set('state_code', 2);
    await src.connect(signal());
    const back = await src.read(0, signal());
    expect(back.failures).toEqual([]);
    expect(byName(back.samples).state_code?.value).toBe(2);
  });
});

describe('Modbus RTU over TCP (a serial gateway)', () => {
  it('reads units behind one gateway connection', async () => {
    const s = await startModbusSimulator({
      transport: 'rtu+tcp',
      port: 0,
      host: '127.0.0.1',
      units: [pressProfile({ unitId: 4 }), pressProfile({ unitId: 5 })],
      animate: false,
    });
    cleanups.push(() => s.close());
    expect(s.url).toMatch(/^rtu\+tcp:\/\/127\.0\.0\.1:\d+$/);
    s.set('state_code', 3, 5);
    const lines = new LineRegistry(captureLogger().log);
    const a = rtuSource(s.url, 4, lines);
    const b = rtuSource(s.url, 5, lines);
    await Promise.all([a.connect(signal()), b.connect(signal())]);
    const [ra, rb] = await Promise.all([a.read(0, signal()), b.read(0, signal())]);
    expect(ra.failures).toEqual([]);
    expect(rb.failures).toEqual([]);
    expect(byName(ra.samples).state_code?.value).toBe(1);
    expect(byName(rb.samples).state_code?.value).toBe(3);
    expect(s.stats.connections).toBe(1);
    expect(s.stats.outstanding.max).toBe(1);
  });

  it('paced at a baud rate, an answer cannot come faster than the line could carry it', async () => {
    // 125 registers: 8 + 255 characters; at 1200 baud (10-bit characters) that is ≥ 2.19 s on the wire
    const s = await startModbusSimulator({
      transport: 'rtu+tcp',
      port: 0,
      host: '127.0.0.1',
      profile: {
        name: 'wide',
        points: [{ name: 'w', table: 'holding', address: 0, type: 'string', length: 125, initial: 'x' }],
      },
      animate: false,
      paceBaud: 1200,
    });
    cleanups.push(() => s.close());
    const { log } = captureLogger();
    const points = [
      { name: 'w', table: 'holding' as const, address: 0, type: 'string' as const, length: 125 },
    ];
    const fast = createModbusSource(deviceConfig('fast', s.url, points, { timeout: '500ms' }), { log });
    cleanups.push(() => fast.close());
    await fast.connect(signal());
    expect((await fast.read(0, signal())).failures).toEqual([
      expect.objectContaining({ code: 'MODBUS_TIMEOUT' }),
    ]);
    await fast.close();
    const patient = createModbusSource(deviceConfig('patient', s.url, points, { timeout: '10s' }), { log });
    cleanups.push(() => patient.close());
    await patient.connect(signal());
    const r = await patient.read(0, AbortSignal.timeout(20_000));
    expect(r.failures).toEqual([]);
    expect(r.samples[0]?.value).toBe('x');
  });
});
