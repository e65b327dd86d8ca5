/**
 * `npm run bench:smoke` as CI runs it: the orchestrator in smoke mode (dist/bench/run.js --smoke, built by
 * `npm test`) produces every row of the benchmark table with a finite value. No timings are asserted: only that each
 * stage was measured.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const RUN = fileURLToPath(new URL('../../../dist/bench/run.js', import.meta.url));

/** Every row issue 11 asks for, by stable id. */
const EXPECTED_ROWS = [
  'modbus.values_per_s',
  'modbus.lateness_p50_ms',
  'modbus.lateness_p99_ms',
  'modbus.cpu_percent',
  'modbus.rss_mib',
  'modbus.rtu_values_per_s',
  's7.values_per_s',
  's7.cpu_per_1k_tags',
  'mc.values_per_s',
  'mc.cpu_per_1000_values_per_s',
  'opcua.notifications_per_s',
  'opcua.cpu_percent',
  'opcua.rss_mib',
  'payload.bytes_per_metric',
  'broker.qos1_msgs_per_s',
  'agent.cpu_per_1000_tags_per_s',
  'agent.cpu_us_per_tag',
  'agent.rss_mib',
  'agent.outbox_bytes_per_tag',
  'ingest.values_per_s',
  'ingest.values_per_s_sync_normal',
  'ingest.values_per_s_unpaced',
  'ingest.raw_grouped_values_per_s',
  'ingest.cpu_us_per_value',
  'latency.p50_ms',
  'latency.p99_ms',
  'scaleout.values_per_s',
  'peer.cpu_per_1000_tags_per_s',
  'peer.rss_mib',
];

interface Result {
  smoke: boolean;
  rows: {
    id: string;
    value: number;
    baseline?: { value: number };
    target?: { text: string; met: boolean };
  }[];
  failures: { case: string; error: string }[];
}

describe('bench smoke', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('produces every row of the table with a finite value', { timeout: 600_000 }, async () => {
    expect(existsSync(RUN), `${RUN} missing: npm run build first`).toBe(true);
    dir = await mkdtemp(join(tmpdir(), 'pp-bench-smoke-'));
    const out = join(dir, 'smoke.json');
    const child = spawn(process.execPath, [RUN, '--smoke', '--out', out], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code, `bench smoke failed:\n${stderr.slice(-4000)}`).toBe(0);
    const result = JSON.parse(await readFile(out, 'utf8')) as Result;
    expect(result.smoke).toBe(true);
    expect(result.failures).toEqual([]);
    const ids = result.rows.map((r) => r.id);
    expect(ids.sort()).toEqual([...EXPECTED_ROWS].sort());
    for (const r of result.rows) {
      expect(Number.isFinite(r.value), `${r.id} = ${r.value}`).toBe(true);
      if (r.baseline) expect(Number.isFinite(r.baseline.value), `${r.id} baseline`).toBe(true);
    }
    // the printed table has one line per row
    for (const id of EXPECTED_ROWS) expect(result.rows.find((r) => r.id === id)).toBeDefined();
    expect(stdout.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| stage')).length).toBe(
      EXPECTED_ROWS.length,
    );
  });
});
