/**
 * Row 1, Modbus polling: runs bench/modbus (`npm run bench:modbus`, the Modbus engineer's harness) as child processes
 * with `--json` and turns its figures into rows. TCP: the agent against a raw modbus-serial loop on the same
 * simulators in the same run. RTU: frames paced by the simulator at a configured baud, against the line's physical
 * limit (agent/sources/modbus/README.md#the-lines-physical-limit).
 */
import { join } from 'node:path';
import type { BenchCase, BenchContext, BenchRow } from '../bench-types.js';
import { ratioRow } from '../bench-types.js';
import type { PhaseResult } from '../modbus/measure.js';
import { runJsonScript } from './child-json.js';

interface ModbusBenchJson {
  devices: number;
  registers: number;
  intervalMs: number;
  durationMs: number;
  rtuBaud?: number;
  demanded: number;
  limit?: number;
  raw: PhaseResult;
  agent: PhaseResult;
}

const SCRIPT = join(import.meta.dirname, '..', 'modbus', 'run.js');

export function modbusArgs(smoke: boolean, rtu: boolean): string[] {
  // RTU: each simulator is its own line; 125 registers every 100 ms asks for more than 19200 baud carries
  const shape = rtu
    ? { devices: smoke ? 2 : 4, registers: 125, interval: 100, duration: smoke ? 1 : 10 }
    : { devices: smoke ? 4 : 20, registers: smoke ? 125 : 250, interval: 100, duration: smoke ? 1 : 10 };
  return [
    ...Object.entries(shape).flatMap(([k, v]) => [`--${k}`, String(v)]),
    ...(rtu ? ['--rtu-baud', '19200'] : []),
  ];
}

async function run(ctx: BenchContext, rtu: boolean): Promise<ModbusBenchJson> {
  return runJsonScript<ModbusBenchJson>(SCRIPT, [...modbusArgs(ctx.smoke, rtu), '--json'], {
    timeoutMs: 180_000,
    progress: ctx.progress,
  });
}

export const modbusCase: BenchCase = {
  title: 'Modbus polling: agent vs raw modbus-serial loop (TCP); RTU vs the physical limit of the line',
  async run(ctx) {
    const tcp = await run(ctx, false);
    const shape = `${tcp.devices} dev × ${tcp.registers} regs @ ${tcp.intervalMs} ms, TCP`;
    const rows: BenchRow[] = [
      ratioRow(
        {
          id: 'modbus.values_per_s',
          stage: 'modbus',
          what: `values/s, ${shape} (plan → decode → Samples)`,
          value: tcp.agent.valuesPerSecond,
          unit: 'values/s',
          baseline: { name: 'raw modbus-serial loop', value: tcp.raw.valuesPerSecond, unit: 'values/s' },
          note: `demanded ${tcp.demanded.toFixed(0)} values/s; agent failures ${tcp.agent.failures}`,
        },
        { text: '≥ 0.9 × raw loop', atLeast: 0.9 },
      ),
      {
        id: 'modbus.lateness_p50_ms',
        stage: 'modbus',
        what: `poll lateness p50, ${shape}`,
        value: tcp.agent.latenessP50Ms,
        unit: 'ms',
        baseline: { name: 'raw loop', value: tcp.raw.latenessP50Ms, unit: 'ms' },
      },
      {
        id: 'modbus.lateness_p99_ms',
        stage: 'modbus',
        what: `poll lateness p99, ${shape}`,
        value: tcp.agent.latenessP99Ms,
        unit: 'ms',
        baseline: { name: 'raw loop', value: tcp.raw.latenessP99Ms, unit: 'ms' },
      },
      {
        id: 'modbus.cpu_percent',
        stage: 'modbus',
        what: `CPU of the polling process, ${shape}`,
        value: tcp.agent.cpuPercent,
        unit: '% core',
        baseline: { name: 'raw loop', value: tcp.raw.cpuPercent, unit: '% core' },
        ratio: tcp.raw.cpuPercent > 0 ? tcp.agent.cpuPercent / tcp.raw.cpuPercent : 0,
      },
      {
        id: 'modbus.rss_mib',
        stage: 'modbus',
        what: `peak RSS of the polling process, ${shape}`,
        value: tcp.agent.peakRssMiB,
        unit: 'MiB',
        baseline: { name: 'raw loop', value: tcp.raw.peakRssMiB, unit: 'MiB' },
        note: 'both loops run in one process, one after the other: the agent figure includes what the raw loop left',
      },
    ];
    const rtu = await run(ctx, true);
    const limit = rtu.limit ?? 0;
    rows.push(
      ratioRow(
        {
          id: 'modbus.rtu_values_per_s',
          stage: 'modbus',
          what: `RTU values/s, ${rtu.devices} lines × ${rtu.registers} regs @ ${rtu.intervalMs} ms, paced at ${rtu.rtuBaud} baud`,
          value: rtu.agent.valuesPerSecond,
          unit: 'values/s',
          baseline: { name: 'physical limit (8N1, zero turnaround)', value: limit, unit: 'values/s' },
          note: `raw modbus-serial loop on the same lines: ${rtu.raw.valuesPerSecond.toFixed(0)} values/s (${(rtu.raw.valuesPerSecond / Math.max(1, limit)).toFixed(2)} × limit). RTU frames over TCP, the simulator holding each answer for its time on the wire`,
        },
        { text: '≥ 0.9 × physical limit', atLeast: 0.9 },
      ),
    );
    return rows;
  },
};
