/**
 * The S7 benchmark: one PLC (node-snap7's server, in its own process) with N REAL tags polled every interval, first
 * by a raw @st-one-io/nodes7 loop (the baseline), then by the agent (planner + nodes7 + decoding + runner), in the
 * same run against the same PLC. Prints values/s, lateness, CPU and CPU per 1,000 tags/s.
 *
 *   node dist/bench/s7/run.js [--tags 2000] [--interval 100] [--duration 10] [--pdu 960] [--smoke] [--json]
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { resolveDeviceFor } from '../../agent/config/load-agent-config.js';
import { s7 } from '../../agent/sources/s7/index.js';
import { createS7Source } from '../../agent/sources/s7/s7-source.js';
import { PhaseMeter, type PhaseResult } from '../modbus/measure.js';
import { runSourcesMetered } from '../runner-loop.js';
import { benchS7Points } from './bench-s7-profile.js';
import { runS7RawLoop } from './raw-loop.js';

const { values: args } = parseArgs({
  options: {
    tags: { type: 'string', default: '2000' },
    interval: { type: 'string', default: '100' },
    duration: { type: 'string', default: '10' },
    pdu: { type: 'string', default: '960' },
    smoke: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const tags = args.smoke ? 200 : Number(args.tags);
const intervalMs = args.smoke ? 100 : Number(args.interval);
const durationMs = (args.smoke ? 1 : Number(args.duration)) * 1000;
const pduSize = Number(args.pdu);

const host = spawn(
  process.execPath,
  [join(import.meta.dirname, 'sim-host.js'), String(tags), String(pduSize)],
  {
    stdio: ['pipe', 'pipe', 'inherit'],
  },
);
const target = await new Promise<{ host: string; port: number }>((resolve, reject) => {
  let out = '';
  host.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
    const line = out.split('\n').find((l) => l.startsWith('{'));
    if (line) resolve(JSON.parse(line) as { host: string; port: number });
  });
  host.once('exit', (code) => reject(new Error(`S7 simulator host exited ${code}`)));
});

/** % of one core per 1,000 values/s */
const cpuPer1k = (r: PhaseResult) => (r.valuesPerSecond > 0 ? r.cpuPercent / (r.valuesPerSecond / 1000) : 0);

try {
  const raw = new PhaseMeter('raw nodes7 loop', durationMs);
  await runS7RawLoop(target, tags, intervalMs, durationMs, raw);
  const rawResult = raw.finish();
  const agent = new PhaseMeter('plantpulse agent', durationMs);
  const log = pino({ level: 'warn' });
  const device = resolveDeviceFor(s7, {
    id: 'bench-s7',
    s7: { host: target.host, port: target.port, pduSize, timeout: '10s' },
    variables: [{ every: intervalMs, points: benchS7Points(tags) }],
  });
  await runSourcesMetered([createS7Source(device, { log })], log, durationMs, agent);
  const agentResult = agent.finish();
  const demanded = (tags * 1000) / intervalMs;
  console.log(
    `\nS7: 1 PLC × ${tags} REAL tags every ${intervalMs} ms (${demanded.toFixed(0)} values/s demanded, PDU ${pduSize}), ` +
      `${(durationMs / 1000).toFixed(0)} s per phase, the PLC in a separate process\n`,
  );
  for (const r of [rawResult, agentResult]) {
    console.log(
      `${r.name.padEnd(18)} ${r.valuesPerSecond.toFixed(0).padStart(8)} values/s  lateness p50 ${r.latenessP50Ms.toFixed(2)} ms  p99 ${r.latenessP99Ms.toFixed(2)} ms  CPU ${r.cpuPercent.toFixed(1)} %  = ${cpuPer1k(r).toFixed(2)} % per 1,000 tags/s  failures ${r.failures}`,
    );
  }
  if (rawResult.valuesPerSecond > 0)
    console.log(
      `\nagent / raw values/s = ${(agentResult.valuesPerSecond / rawResult.valuesPerSecond).toFixed(3)}`,
    );
  if (args.json) {
    const out = {
      tags,
      intervalMs,
      durationMs,
      pduSize,
      demanded,
      raw: rawResult,
      agent: agentResult,
      rawCpuPer1k: cpuPer1k(rawResult),
      agentCpuPer1k: cpuPer1k(agentResult),
    };
    console.log(JSON.stringify(out));
  }
} finally {
  host.stdin?.end();
}
