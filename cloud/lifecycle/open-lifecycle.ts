/**
 * The ingester's data lifecycle (README "Data lifecycle"): a sink that sends telemetry to the `raw` policy, the
 * retention policies ensured at start (and retried until InfluxDB answers), and the roll-ups run on a timer.
 */
import type { Logger } from '../../config/logging.js';
import type { InfluxTarget } from '../../config/schemas/influx.js';
import type { LifecycleConfig } from '../../config/schemas/lifecycle.js';
import { Backoff } from '../../protocols/backoff.js';
import { type InfluxAuth, queryInfluxQL } from '../../protocols/influx/index.js';
import { createInfluxSink, type InfluxSink } from '../sink/index.js';
import type { LineBlock } from '../sink/line-block.js';
import { createRoutingSink } from '../sink/routing-sink.js';
import { RAW_POLICY } from './policies.js';
import { ensureRetention, type PolicyOutcome } from './retention.js';
import { RECOMPUTE_ON_START_MS, type RollupStats, Rollups } from './rollups.js';

export interface LifecycleStats {
  policies: PolicyOutcome[] | null;
  policyError: string | null;
  /** null until the server is known to run `SELECT … INTO` (InfluxDB 1.x) */
  rollups: RollupStats | null;
}

export interface RunningLifecycle {
  /** the sink the spool drains into */
  readonly sink: InfluxSink;
  /** give this to the spool pipeline */
  onWritten(blocks: readonly LineBlock[]): void;
  /** ensures the policies (retrying in the background), then runs the roll-ups */
  start(): void;
  /** resolves once the policies are in place (tests, and the start-up log) */
  readonly ready: Promise<PolicyOutcome[]>;
  /** computes every due roll-up now */
  runRollups(): Promise<void>;
  stats(): LifecycleStats;
  stop(): Promise<void>;
}

export function openLifecycle(o: {
  target: InfluxTarget;
  lifecycle: LifecycleConfig;
  auth?: InfluxAuth;
  log: Logger;
  clock?: () => number;
}): RunningLifecycle {
  const log = o.log.child({ component: 'lifecycle' });
  const clock = o.clock ?? Date.now;
  const sinkLog = o.log.child({ component: 'sink' });
  const fallback = createInfluxSink(o.target, sinkLog);
  const raw = createInfluxSink({ ...o.target, retentionPolicy: RAW_POLICY }, sinkLog);
  const sink = createRoutingSink(fallback, { prefix: 'telemetry,', sink: raw });
  const rollups = new Rollups({
    database: o.target.database,
    delayMs: o.lifecycle.rollupDelay,
    rawMs: o.lifecycle.raw,
    clock,
    log,
    query: (q, signal) =>
      queryInfluxQL(o.target.url, {
        q,
        db: o.target.database,
        timeoutMs: 60_000,
        ...(o.auth ? { auth: o.auth } : {}),
        ...(signal ? { signal } : {}),
      }),
  });
  const stop = new AbortController();
  let policies: PolicyOutcome[] | null = null;
  let policyError: string | null = null;
  let rollupsOn = false;
  let timer: NodeJS.Timeout | undefined;
  let resolveReady!: (p: PolicyOutcome[]) => void;
  const ready = new Promise<PolicyOutcome[]>((r) => {
    resolveReady = r;
  });

  async function ensure(): Promise<void> {
    const backoff = new Backoff({ initialMs: 1000, maxMs: 30_000 });
    while (!stop.signal.aborted) {
      try {
        const flavour = await fallback.flavour(stop.signal);
        await fallback.ensureDatabase(stop.signal);
        policies = await ensureRetention({
          target: o.target,
          lifecycle: o.lifecycle,
          flavour,
          log,
          signal: stop.signal,
          ...(o.auth ? { auth: o.auth } : {}),
        });
        policyError = null;
        for (const p of policies.filter((x) => x.action !== 'kept'))
          log.info(
            { policy: p.name, durationMs: p.durationMs, previousMs: p.previousMs },
            `retention ${p.action}`,
          );
        rollupsOn = flavour === 'v1';
        if (!rollupsOn)
          log.warn(
            { flavour },
            'telemetry roll-ups need InfluxDB 1.x (SELECT … INTO); the API reads raw data only',
          );
        resolveReady(policies);
        return;
      } catch (err) {
        if (stop.signal.aborted) return;
        policyError = (err as Error).message;
        const retryInMs = backoff.next();
        log.warn({ err: policyError, retryInMs }, 'retention policies not ensured yet; retrying');
        await new Promise((r) => setTimeout(r, retryInMs).unref());
      }
    }
  }

  return {
    sink,
    ready,
    onWritten: (blocks) => rollups.noteWritten(blocks),
    start() {
      const now = clock();
      rollups.markRange(now - RECOMPUTE_ON_START_MS, now);
      void ensure().then(() => {
        if (stop.signal.aborted || !rollupsOn) return;
        timer = setInterval(() => void rollups.run(stop.signal), Math.min(o.lifecycle.rollupDelay, 5_000));
      });
    },
    runRollups: () => (rollupsOn ? rollups.run(stop.signal) : Promise.resolve()),
    stats: () => ({ policies, policyError, rollups: rollupsOn ? rollups.stats() : null }),
    async stop() {
      stop.abort(new Error('stopping'));
      if (timer) clearInterval(timer);
      await rollups.run(stop.signal).catch(() => undefined);
    },
  };
}
