/**
 * MC protocol polling, next to the Modbus row: the agent's MC source against a raw loop on the same simulator in the
 * same run. The simulator (`plantpulse sim mc`, built CLI) runs in its own process; both loops run in this one, one
 * after the other, each reading the same words back to back for the same time: the raw loop sends one precomputed 3E
 * batch read and counts the words of each answer, the agent plans, sends, decodes every point and builds Samples.
 * CPU is this process's (user + system) over the window, per 1,000 values/s.
 */
import net from 'node:net';
import pino from 'pino';
import { resolveDeviceFor } from '../../agent/config/load-agent-config.js';
import { mc } from '../../agent/sources/mc/index.js';
import { createMcSource } from '../../agent/sources/mc/mc-source.js';
import { encodeReadCommand } from '../../protocols/mc/commands.js';
import { encodeRequest, frameLength, LOCAL_ROUTE } from '../../protocols/mc/frame.js';
import type { BenchCase, BenchContext, BenchRow } from '../bench-types.js';
import { ratioRow } from '../bench-types.js';
import { spawnCliChild } from './cli-child.js';

interface Phase {
  valuesPerSecond: number;
  cpuPercent: number;
}

const cpuPer1000 = (p: Phase) => (p.valuesPerSecond > 0 ? p.cpuPercent / (p.valuesPerSecond / 1000) : 0);

interface Loop {
  run(until: number): Promise<number>;
  close(): Promise<void>;
}

/** Measures a loop that is already set up (connected, planned): only the reading is timed. */
async function measure(durationMs: number, loop: Loop): Promise<Phase> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const values = await loop.run(Date.now() + durationMs).finally(() => loop.close());
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { valuesPerSecond: values / wall, cpuPercent: ((cpu.user + cpu.system) / 1e6 / wall) * 100 };
}

/** A connected raw loop: one precomputed batch read, back to back, counting the words of each answer. */
async function rawLoop(host: string, port: number, words: number): Promise<Loop> {
  const req = encodeRequest(
    {
      route: LOCAL_ROUTE,
      timer: 4,
      ...encodeReadCommand(
        { kind: 'batch', unit: 'word', head: { device: 'D', number: 0 }, count: words },
        'binary',
        'iQ-F',
      ),
    },
    'binary',
    'iQ-F',
  );
  const socket = net.connect({ host, port });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let failed: Error | undefined;
  socket.on('error', (err) => {
    failed = err;
  });
  let buf = new Uint8Array(0);
  let answered: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    buf = buf.length === 0 ? new Uint8Array(chunk) : Buffer.concat([buf, chunk]);
    const n = frameLength(buf, 'binary', 'iQ-F');
    if (n === undefined || buf.length < n) return;
    buf = buf.subarray(n);
    answered?.();
  });
  return {
    async run(until) {
      let values = 0;
      while (Date.now() < until) {
        if (failed) throw failed;
        await new Promise<void>((resolve) => {
          answered = resolve;
          socket.write(req);
        });
        values += words;
      }
      return values;
    },
    close: async () => {
      socket.destroy();
    },
  };
}

/** The agent's MC source, planned and connected: reads its one group back to back, counting good samples. */
async function agentLoop(url: string, words: number): Promise<Loop> {
  const device = resolveDeviceFor(mc, {
    id: 'bench',
    mc: { url, series: 'iQ-F', timeout: '2s' },
    mcPoll: [
      {
        every: '100ms',
        points: Array.from({ length: words }, (_, i) => ({ name: `d${i}`, device: `D${i}` })),
      },
    ],
  });
  const source = createMcSource(device, { log: pino({ level: 'silent' }) });
  await source.connect(AbortSignal.timeout(10_000));
  return {
    async run(until) {
      let values = 0;
      while (Date.now() < until) {
        const r = await source.read(0, AbortSignal.timeout(10_000));
        values += r.samples.filter((s) => s.quality === 'good').length;
      }
      return values;
    },
    close: () => source.close(),
  };
}

async function runCase(ctx: BenchContext): Promise<BenchRow[]> {
  const words = 480;
  const durationMs = ctx.smoke ? 1_000 : 10_000;
  const sim = spawnCliChild(['sim', 'mc', '--profile', 'cnc', '--series', 'iQ-F', '--port', '0']);
  try {
    const listening = await sim.waitFor((l) => l['event'] === 'listening', 30_000);
    const url = String(listening['url']);
    const { hostname, port } = new URL(url);
    ctx.progress(`mc: raw loop, ${words} words per read, ${durationMs} ms`);
    const raw = await measure(durationMs, await rawLoop(hostname, Number(port), words));
    ctx.progress('mc: agent source');
    const agent = await measure(durationMs, await agentLoop(url, words));
    const shape = `${words} words per batch read, back to back, 3E binary over TCP`;
    return [
      ratioRow({
        id: 'mc.values_per_s',
        stage: 'mc',
        what: `values/s, ${shape} (plan → decode → Samples)`,
        value: agent.valuesPerSecond,
        unit: 'values/s',
        baseline: { name: 'raw 3E loop (no decoding)', value: raw.valuesPerSecond, unit: 'values/s' },
        note: 'a ceiling, not a working point: both loops read back to back, so the ratio is the cost of decoding each point into a Sample; a PLC answers one request per scan (milliseconds)',
      }),
      {
        id: 'mc.cpu_per_1000_values_per_s',
        stage: 'mc',
        what: `CPU of the polling process per 1,000 values/s, ${shape}`,
        value: cpuPer1000(agent),
        unit: '% core',
        baseline: { name: 'raw 3E loop', value: cpuPer1000(raw), unit: '% core' },
        ratio: cpuPer1000(raw) > 0 ? cpuPer1000(agent) / cpuPer1000(raw) : 0,
        note: `agent ${agent.cpuPercent.toFixed(0)} % core at ${agent.valuesPerSecond.toFixed(0)} values/s; the simulator runs in its own process`,
      },
    ];
  } finally {
    await sim.stop();
  }
}

export const mcCase: BenchCase = {
  title: 'MC protocol polling: agent vs a raw 3E loop on the same simulator',
  run: runCase,
};
