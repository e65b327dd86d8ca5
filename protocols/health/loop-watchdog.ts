/**
 * A watchdog for a process whose event loop stops turning (an endless loop, a synchronous call that never
 * returns): a worker thread watches a heartbeat the main thread bumps, and when it has not moved for `stallMs` the
 * worker writes one JSON line to stderr and kills the whole process with SIGKILL, so the service manager restarts
 * it (`Restart=always`). It stands in for systemd's `WatchdogSec=`, which needs `sd_notify` on a datagram socket
 * that Node cannot open; a hung process that still turns its loop is seen on `/readyz` instead.
 * The worker does its own timekeeping, so a stalled main thread cannot delay the verdict.
 */
import { Worker } from 'node:worker_threads';

export interface LoopWatchdog {
  stop(): Promise<void>;
}

/** The worker's code (evaluated, CommonJS): checks the heartbeat every tick, kills the process after `stallMs`. */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const beat = new Int32Array(workerData.heartbeat);
const { stallMs, tickMs, name } = workerData;
let last = Atomics.load(beat, 0);
let since = Date.now();
setInterval(() => {
  const now = Date.now();
  const seen = Atomics.load(beat, 0);
  if (seen !== last) {
    last = seen;
    since = now;
    return;
  }
  if (now - since < stallMs) return;
  const line = { level: 60, time: now, name, code: 'EVENT_LOOP_STALLED', stalledMs: now - since,
    msg: 'event loop stalled: the watchdog kills the process so that the service manager restarts it' };
  try { writeSync(2, JSON.stringify(line) + '\\n'); } catch {}
  process.kill(process.pid, 'SIGKILL');
}, tickMs);
`;

/** Starts the watchdog: the process is killed when its event loop has not turned for `stallMs`. */
export function startLoopWatchdog(opts: {
  stallMs: number;
  name: string;
  /** the watchdog itself failed (the process runs on without it): log it */
  onError?: (err: Error) => void;
}): LoopWatchdog {
  const heartbeat = new SharedArrayBuffer(4);
  const beat = new Int32Array(heartbeat);
  const tickMs = Math.max(10, Math.min(1000, Math.floor(opts.stallMs / 4)));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // not the parent's flags: `--input-type=module` would make this CommonJS source an ES module
    execArgv: [],
    workerData: { heartbeat, stallMs: opts.stallMs, tickMs, name: opts.name },
    // a small worker: it holds one timer
    resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1 },
  });
  worker.on('error', (err) => opts.onError?.(err));
  worker.unref();
  const timer = setInterval(() => Atomics.add(beat, 0, 1), tickMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await worker.terminate();
    },
  };
}
