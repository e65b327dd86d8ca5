import { afterEach, describe, expect, it } from 'vitest';
import { createMcSource, type McSource } from '../../../agent/sources/mc/mc-source.js';
import type { McPoint } from '../../../agent/sources/mc/spec.js';
import type { McSeries } from '../../../protocols/mc/devices.js';
import type { McFormat } from '../../../protocols/mc/frame.js';
import type { Sample } from '../../../protocols/sample.js';
import { type McSimulator, startMcSimulator } from '../../../simulators/mc/mc-simulator.js';
import { captureLogger } from '../modbus/helpers.js';
import { mcDevice } from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const signal = () => AbortSignal.timeout(15_000);
const values = (samples: Sample[]) => Object.fromEntries(samples.map((s) => [s.metric, s.value]));

async function setup(
  series: McSeries,
  format: McFormat,
  transport: 'tcp' | 'udp',
  points: McPoint[],
  extra: Record<string, unknown> = {},
): Promise<{ sim: McSimulator; source: McSource }> {
  const sim = await startMcSimulator({ series, format, transport });
  cleanups.push(() => sim.close());
  const { log } = captureLogger();
  const source = createMcSource(
    mcDevice({
      id: 'plc',
      mc: { url: sim.url, series, format, timeout: '2s', ...extra },
      mcPoll: [{ every: '1s', points }],
    }),
    { log },
  );
  cleanups.push(() => source.close());
  return { sim, source };
}

// every device kind the issue names and every type, on one CPU
const EVERY: (McPoint & { value: unknown })[] = [
  { name: 'd_int16', device: 'D0', value: -1234 },
  { name: 'd_uint16', device: 'D1', type: 'uint16', value: 65000 },
  { name: 'd_int32', device: 'D10', type: 'int32', value: -7_000_000 },
  { name: 'd_uint32', device: 'D12', type: 'uint32', value: 4_000_000_000 },
  { name: 'd_float32', device: 'D14', type: 'float32', value: 12.5 },
  { name: 'd_float64', device: 'D20', type: 'float64', value: 1234.5678901 },
  { name: 'd_int64', device: 'D30', type: 'int64', value: -9_000_000_000n },
  { name: 'd_string', device: 'D40', type: 'string', length: 5, value: 'PRESS-07' },
  { name: 'd_scaled', device: 'D50', scale: 0.1, value: 23.4 },
  { name: 'w_word', device: 'W1A', type: 'uint16', value: 0xbeef },
  { name: 'r_word', device: 'R100', value: 77 },
  { name: 'zr_dword', device: 'ZR20000', type: 'uint32', value: 123_456 },
  { name: 'tn_timer', device: 'TN3', value: 250 },
  { name: 'cn_counter', device: 'CN7', value: 9 },
  { name: 'sd_special', device: 'SD210', value: 2026 },
  { name: 'm_bit', device: 'M100', value: true },
  { name: 'm_bit_off', device: 'M101', value: false },
  { name: 'x_bit', device: 'X1F', value: true },
  { name: 'y_bit', device: 'Y20', value: true },
  { name: 'b_bit', device: 'B2F', value: true },
  { name: 'l_bit', device: 'L5', value: true },
  { name: 'sm_bit', device: 'SM400', value: true },
];

describe('MC source against the simulator: every device kind and type', () => {
  for (const format of ['binary', 'ascii'] as const) {
    for (const transport of ['tcp', 'udp'] as const) {
      it(`reads them all, ${format} over ${transport} (Q series)`, async () => {
        const points = EVERY.map(({ value: _v, ...p }) => p);
        const { sim, source } = await setup('Q', format, transport, points);
        for (const p of EVERY) sim.memory.set(p, p.value as number | bigint | string | boolean);
        await source.connect(signal());
        const r = await source.read(0, signal());
        expect(r.failures).toEqual([]);
        const got = values(r.samples);
        for (const p of EVERY) {
          if (p.type === 'float32') expect(got[p.name]).toBeCloseTo(p.value as number, 5);
          else if (p.scale !== undefined) expect(got[p.name]).toBeCloseTo(p.value as number, 9);
          else expect(got[p.name], p.name).toEqual(p.value);
        }
        expect(r.samples.every((s) => s.quality === 'good')).toBe(true);
      });
    }
  }

  it('merges neighbours into batch reads and gathers scattered words into one random read', async () => {
    const points: McPoint[] = [
      { name: 'a', device: 'D100' },
      { name: 'b', device: 'D102', type: 'uint32' },
      { name: 'far1', device: 'D5000' },
      { name: 'far2', device: 'R20', type: 'float32' },
      { name: 'far3', device: 'TN9' },
    ];
    const { sim, source } = await setup('Q', 'binary', 'tcp', points);
    sim.memory.put('D5000', 'int16', -5);
    sim.memory.put('R20', 'float32', 2.5);
    sim.memory.put('TN9', 'int16', 31);
    sim.memory.put('D102', 'uint32', 70_000);
    expect(source.plan[0]?.map((r) => r.command.kind)).toEqual(['batch', 'random']);
    await source.connect(signal());
    const r = await source.read(0, signal());
    expect(values(r.samples)).toEqual({ a: 0, b: 70_000, far1: -5, far2: 2.5, far3: 31 });
    expect(sim.stats.requests).toBe(2);
  });

  it('stores 32-bit values low word first (D102 = low, D103 = high), as GX Works shows a double word', async () => {
    const { sim, source } = await setup('Q', 'ascii', 'tcp', [{ name: 'n', device: 'D102', type: 'int32' }]);
    sim.memory.setWord({ device: 'D', number: 102 }, 0x5678);
    sim.memory.setWord({ device: 'D', number: 103 }, 0x1234);
    await source.connect(signal());
    expect(values((await source.read(0, signal())).samples)).toEqual({ n: 0x12345678 });
  });
});

describe('X/Y numbering per series', () => {
  it('iQ-F (FX5U): X17 is the 16th input and X20 the 17th (octal)', async () => {
    const { sim, source } = await setup('iQ-F', 'ascii', 'tcp', [
      { name: 'x17', device: 'X17' },
      { name: 'x20', device: 'X20' },
    ]);
    sim.memory.setBit({ device: 'X', number: 15 }, true);
    await source.connect(signal());
    expect(values((await source.read(0, signal())).samples)).toEqual({ x17: true, x20: false });
  });

  it('iQ-R and Q: X1F is the 32nd input (hexadecimal)', async () => {
    for (const series of ['iQ-R', 'Q'] as const) {
      const { sim, source } = await setup(series, 'binary', 'tcp', [{ name: 'x1f', device: 'X1F' }]);
      sim.memory.setBit({ device: 'X', number: 31 }, true);
      await source.connect(signal());
      expect(values((await source.read(0, signal())).samples)).toEqual({ x1f: true });
    }
  });
});
