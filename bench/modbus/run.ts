/**
 * npm run bench:modbus — N simulated TCP devices × M registers polled every interval, first by a raw modbus-serial
 * loop (the baseline), then by the agent (planner + line queue + decoding + runner), in the same run against the
 * same simulators. Prints values/s, poll lateness p50/p99, CPU and RSS, and the agent/raw ratio.
 *
 *   node dist/bench/modbus/run.js [--devices 20] [--registers 250] [--interval 100] [--duration 10] [--smoke]
 *                                 [--rtu-baud 19200]   (RTU over TCP, each answer paced as on a serial line)
 *                                 [--json]   (also print one JSON line with the figures, for bench/cases/modbus.ts)
 *
 * With --rtu-baud the table also shows the line's physical limit (agent/sources/modbus/README.md#the-lines-physical-limit:
 * characters × bits / baud + 2 × t3.5 per transaction, zero device turnaround), so both loops are compared
 * with what the wire allows.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runAgentLoop } from './agent-loop.js';
import { PhaseMeter, type PhaseResult } from './measure.js';
import { runRawLoop } from './raw-loop.js';
import { rtuLimitValuesPerSecond } from './rtu-limit.js';

const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '20' },
    registers: { type: 'string', default: '250' },
    interval: { type: 'string', default: '100' },
    duration: { type: 'string', default: '10' },
    smoke: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'rtu-baud': { type: 'string' },
  },
});
const devices = args.smoke ? 2 : Number(args.devices);
const registers = args.smoke ? 20 : Number(args.registers);
const intervalMs = args.smoke ? 100 : Number(args.interval);
const durationMs = (args.smoke ? 1 : Number(args.duration)) * 1000;
const rtuBaud = args['rtu-baud'] === undefined ? undefined : Number(args['rtu-baud']);
const hostArgs = [String(devices), String(registers), ...(rtuBaud ? ['rtu+tcp', String(rtuBaud)] : [])];

const host = spawn(process.execPath, [join(import.meta.dirname, 'sim-host.js'), ...hostArgs], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const urls = await new Promise<string[]>((resolve, reject) => {
  let out = '';
  host.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
    const line = out.split('\n').find((l) => l.startsWith('{'));
    if (line) resolve((JSON.parse(line) as { urls: string[] }).urls);
  });
  host.once('exit', (code) => reject(new Error(`simulator host exited ${code}`)));
});

try {
  const raw = new PhaseMeter('raw modbus-serial loop', durationMs);
  await runRawLoop(urls, registers, intervalMs, durationMs, raw);
  const rawResult = raw.finish();
  const agent = new PhaseMeter('plantpulse agent', durationMs);
  await runAgentLoop(urls, registers, intervalMs, durationMs, agent);
  const agentResult = agent.finish();
  print([rawResult, agentResult]);
  if (args.json) printJson(rawResult, agentResult);
} finally {
  host.stdin?.end();
}

function print(rows: PhaseResult[]): void {
  const demanded = (devices * registers * 1000) / intervalMs;
  const transport = rtuBaud ? `RTU over TCP paced at ${rtuBaud} baud` : 'TCP';
  console.log(
    `\nModbus ${transport}: ${devices} devices × ${registers} registers every ${intervalMs} ms ` +
      `(${Math.ceil(registers / 125)} reads per device per poll; ${demanded.toFixed(0)} values/s demanded), ` +
      `${(durationMs / 1000).toFixed(0)} s per phase, simulators in a separate process\n`,
  );
  const header = [
    'phase',
    'values/s',
    'lateness p50 ms',
    'lateness p99 ms',
    'CPU %',
    'peak RSS MiB',
    'failures',
  ];
  const table = rows.map((r) => [
    r.name,
    r.valuesPerSecond.toFixed(0),
    r.latenessP50Ms.toFixed(2),
    r.latenessP99Ms.toFixed(2),
    r.cpuPercent.toFixed(1),
    r.peakRssMiB.toFixed(1),
    String(r.failures),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log(line(header));
  for (const row of table) console.log(line(row));
  if (rtuBaud) {
    const limit = Math.min(demanded, devices * rtuLimitValuesPerSecond(rtuBaud, registers));
    console.log(line(['physical limit of the lines', limit.toFixed(0), '', '', '', '', '']));
  }
  const [raw, agent] = rows;
  if (raw && agent && raw.valuesPerSecond > 0) {
    const ratio = agent.valuesPerSecond / raw.valuesPerSecond;
    console.log(`\nagent / raw values/s = ${ratio.toFixed(3)}  (target ≥ 0.9)`);
  }
}

function printJson(raw: PhaseResult, agent: PhaseResult): void {
  const demanded = (devices * registers * 1000) / intervalMs;
  const limit = rtuBaud
    ? Math.min(demanded, devices * rtuLimitValuesPerSecond(rtuBaud, registers))
    : undefined;
  const out = { devices, registers, intervalMs, durationMs, rtuBaud, demanded, limit, raw, agent };
  console.log(JSON.stringify(out));
}
