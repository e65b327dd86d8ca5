/**
 * npm run bench — every stage against a baseline measured in the same run; prints a table and writes
 * bench/results/latest.json. `--smoke` (CI) runs each case briefly and checks only that every row is produced.
 *   node dist/bench/run.js [--smoke] [--only payload,modbus] [--out file.json]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { killAllTrackedSync } from '../scripts/services/index.js';
import type { BenchCase, BenchRow } from './bench-types.js';
import { agentE2eCase } from './cases/agent-e2e.js';
import { brokerCase } from './cases/broker.js';
import { killBenchChildrenSync } from './cases/cli-child.js';
import { ingestCase } from './cases/ingest.js';
import { latencyCase } from './cases/latency.js';
import { mcCase } from './cases/mc.js';
import { modbusCase } from './cases/modbus.js';
import { nodeRedCase } from './cases/node-red.js';
import { opcuaCase } from './cases/opcua.js';
import { payloadCase } from './cases/payload.js';
import { s7Case } from './cases/s7.js';
import { scaleOutCase } from './cases/scale-out.js';
import { stopBenchServices } from './cases/services.js';

/** The benchmark cases, by name: an explicit registry. */
export const benchCases = {
  modbus: modbusCase,
  s7: s7Case,
  mc: mcCase,
  opcua: opcuaCase,
  payload: payloadCase,
  broker: brokerCase,
  agent: agentE2eCase,
  ingest: ingestCase,
  latency: latencyCase,
  scaleout: scaleOutCase,
  peer: nodeRedCase,
} satisfies Record<string, BenchCase>;

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    only: { type: 'string' },
    /** where to write the JSON (default bench/results/latest.json, or smoke.json with --smoke) */
    out: { type: 'string' },
  },
});
const smoke = values.smoke === true;
const only = values.only?.split(',');

// scripts/services stops a service by awaiting its (unref'd) child's exit with an unref'd timer: with nothing else
// pending, Node would end this run in the middle of such an await (exit 13). Hold the loop open until the end.
const loadAtStart = loadavg();
const keepAlive = setInterval(() => undefined, 60_000);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    killBenchChildrenSync();
    killAllTrackedSync();
    process.exit(130);
  });
}
const rows: BenchRow[] = [];
const failures: { case: string; error: string }[] = [];
for (const [name, c] of Object.entries(benchCases)) {
  if (only && !only.includes(name)) continue;
  process.stderr.write(`▶ ${c.title}\n`);
  try {
    rows.push(...(await c.run({ smoke, progress: (m) => process.stderr.write(`  ${m}\n`) })));
  } catch (err) {
    failures.push({ case: name, error: err instanceof Error ? err.message : String(err) });
    process.stderr.write(`  ✗ ${name}: ${String(err)}\n`);
  }
}

await stopBenchServices();
clearInterval(keepAlive);

const fmt = (n: number) =>
  Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
const table = [
  '| stage | what | value | baseline (same run) | ratio | target | met |',
  '|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.stage} | ${r.what} | ${fmt(r.value)} ${r.unit} | ${r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value)} ${r.baseline.unit}` : '—'} | ${r.ratio === undefined ? '—' : fmt(r.ratio)} | ${r.target?.text ?? '—'} | ${r.target ? (r.target.met ? 'yes' : 'NO') : '—'} |`,
  ),
];
const machine = {
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  memGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  loadAvgAtStart: loadAtStart,
};
const notes = rows.filter((r) => r.note).map((r) => `- \`${r.id}\`: ${r.note}`);
process.stdout.write(
  `${table.join('\n')}\n\n${machine.cpus} × ${machine.cpu}, ${machine.memGiB} GiB, Node ${machine.node}, ` +
    `load average at start ${loadAtStart.map((l) => l.toFixed(1)).join(' / ')}\n` +
    (notes.length > 0 ? `\nNotes:\n${notes.join('\n')}\n` : ''),
);
const resultsDir = join(import.meta.dirname, '..', '..', 'bench', 'results');
const outFile = values.out ?? join(resultsDir, smoke ? 'smoke.json' : 'latest.json');
await mkdir(dirname(outFile), { recursive: true });
await writeFile(
  outFile,
  `${JSON.stringify({ at: new Date().toISOString(), smoke, machine, rows, failures }, null, 2)}\n`,
);
if (failures.length > 0) {
  process.stderr.write(
    `${failures.length} case(s) produced no rows: ${failures.map((f) => f.case).join(', ')}\n`,
  );
  process.exitCode = 1;
}
// everything is written: end here even if a failed case left a handle open (a client, a timer)
process.exit(process.exitCode ?? 0);
