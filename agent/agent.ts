import { join, resolve } from 'node:path';
import type { Logger } from '../config/logging.js';
import { ensurePrivateDir } from '../protocols/durable-queue/private-files.js';
import type { ComponentHealth } from '../protocols/health/component-health.js';
import { serveHealth } from '../protocols/health/health-server.js';
import { packageVersion } from '../protocols/package-version.js';
import type { Sample } from '../protocols/sample.js';
import { outboxNodeMetrics } from '../protocols/sparkplug/outbox-metrics.js';
import { AgentDevices, type BuiltDevice, STOP_DRAIN_MS } from './agent-devices.js';
import { agentMetrics } from './agent-metrics.js';
import type { AgentConfig } from './config/agent-spec.js';
import { OutboxDropLog } from './outbox/drop-log.js';
import { openOutbox } from './outbox/open-outbox.js';
import type { Outbox } from './outbox/outbox.js';
import { OutboxHealth } from './outbox/outbox-health.js';
import { EdgeNodeSession } from './publish/edge-node-session.js';
import { Publisher } from './publish/publisher.js';
import { Uplink } from './publish/uplink.js';
import {
  AgentReloader,
  CONFIG_HASH_PROPERTY,
  type ReloadOutcome,
  type ReloadStats,
} from './reload/agent-reload.js';
import { configHash } from './reload/config-hash.js';
import { ReportByException } from './report/report-by-exception.js';
import { sourceHealth } from './runner/device-health.js';
import { PollRunner } from './runner/poll-runner.js';
import { SubscribeRunner } from './runner/subscribe-runner.js';
import { SharedResources } from './sources/component.js';
import { readState, writeState } from './state-file.js';

export interface RunningAgent {
  httpUrl: string | undefined;
  snapshot(): AgentSnapshot;
  /** applies a validated configuration (agent/reload/agent-reload.ts); `hash` defaults to `configHash(next)` */
  reload(next: AgentConfig, hash?: string): Promise<ReloadOutcome>;
  /** a new config file was refused for its problems before `reload` (counted as a refused reload) */
  reloadRefused(): void;
  stop(): Promise<void>;
}

export interface AgentSnapshot {
  uplink: ReturnType<Uplink['stats']>;
  outbox: ReturnType<Outbox['stats']>;
  publisher: ReturnType<Publisher['stats']>;
  /** every source, polling and subscribing */
  devices: ReturnType<PollRunner['health']>;
  suppressed: number;
  /** the configuration's hash and the reloads so far */
  config: ReloadStats;
  dropped: Record<string, number>;
  /** virtual-sensor counters per device (bad inputs, rollovers, signal faults, …) */
  derive: Record<string, Readonly<Record<string, number>>>;
  /** the health of every component: sources, uplink, Sparkplug session, outbox */
  components: ComponentHealth[];
}

/**
 * How often the agent publishes its outbox state (NDATA of its `outbox_*` node metrics, README "Fleet view"), live,
 * whatever the outbox holds, counted from each NBIRTH (which carries them too): the fleet view sees a backlog drain
 * within this much.
 */
export const OUTBOX_STATUS_INTERVAL_MS = 10_000;

/**
 * The edge agent: sources → derive → report by exception → outbox → Sparkplug edge node → MQTT.
 * Construction does no I/O beyond reading its small state file; `startAgent` connects everything in the background,
 * so a device or broker that is down at start never stops the others.
 */
export async function startAgent(
  cfg: AgentConfig,
  log: Logger,
  opts: { configHash?: string } = {},
): Promise<RunningAgent> {
  // `outbox.path: ':memory:'` (tests, throwaway runs) keeps nothing on disk: no outbox file, no bdSeq, no totals.
  const inMemory = cfg.outbox.path === ':memory:';
  const stateDir = inMemory ? undefined : resolve(cfg.outbox.path);
  const statePath = stateDir === undefined ? undefined : join(stateDir, 'edge-state.json');
  if (stateDir !== undefined) ensurePrivateDir(stateDir); // outbox, bdSeq, derive state: 0700
  const state = statePath === undefined ? { nextBdSeq: 0 } : readState(statePath, { nextBdSeq: 0 });
  // every reason a sample is dropped, from 0: a scraper sees the series before the first drop
  const dropped: Record<string, number> = { OUTBOX_WRITE_FAILED: 0, SAMPLE_UNPUBLISHABLE: 0 };
  const countDrop = (code: string, n = 1) => {
    dropped[code] = (dropped[code] ?? 0) + n;
  };

  const report = new ReportByException({
    ...(cfg.heartbeat === undefined ? {} : { heartbeatMs: cfg.heartbeat }),
  });

  const outboxLog = log.child({ component: 'outbox' });
  const dropLog = new OutboxDropLog(outboxLog);
  // Durable by default (SQLite WAL in the state directory); `outbox.path: ':memory:'` asks for a non-durable one.
  const outbox: Outbox = openOutbox({
    path: stateDir ?? ':memory:',
    maxBytes: cfg.outbox.maxBytes,
    log: outboxLog,
    onDrop: (d) => dropLog.note(d),
    sync: cfg.outbox.sync,
  });

  // The runners (devices are handed to them below), and the devices built from the configuration.
  const onSamples = (samples: Sample[]) => {
    const byDevice = new Map<string, Sample[]>();
    for (const s of samples) {
      const list = byDevice.get(s.device);
      if (list) list.push(s);
      else byDevice.set(s.device, [s]);
    }
    const now = Date.now();
    for (const [device, list] of byDevice) {
      const derived = devices.deriver(device)?.process(list) ?? list;
      const reported = report.filter(derived);
      if (reported.length > 0 && !outbox.append(device, reported, now))
        countDrop('OUTBOX_WRITE_FAILED', reported.length);
    }
    publisher.kick();
  };
  const onReachability = (device: string, ok: boolean, reason: string) =>
    session.reachability(device, ok, reason);
  const runnerLog = log.child({ component: 'runner' });
  const pollRunner = new PollRunner({ sources: [], log: runnerLog, onSamples, onReachability });
  const subRunner = new SubscribeRunner({ sources: [], log: runnerLog, onSamples, onReachability });
  const shared = new SharedResources();
  const devices = new AgentDevices({
    log,
    shared,
    stateDir,
    poll: pollRunner,
    subscribe: subRunner,
  });
  const built: BuiltDevice[] = [];
  for (const d of cfg.devices) built.push(await devices.build(d));
  for (const b of built) report.setDeadbands(b.spec.id, b.deadbands);
  const hash = opts.configHash ?? configHash(cfg);
  // the fleet view's facts (README "Fleet view"): what runs here, and since when; a reload keeps them
  const nodeFacts = { Version: packageVersion(), Started: new Date().toISOString() };

  // The Sparkplug session (births, deaths, commands, primary host) between the outbox and the MQTT uplink.
  const session = new EdgeNodeSession({
    site: cfg.site,
    node: cfg.node,
    devices: built.map((b) => b.spec),
    properties: { ...nodeFacts, [CONFIG_HASH_PROPERTY]: hash },
    // the fleet view's outbox columns: in every NBIRTH, then NDATA every OUTBOX_STATUS_INTERVAL_MS
    nodeMetrics: () => outboxNodeMetrics(outbox.stats(Date.now())),
    nodeMetricsIntervalMs: OUTBOX_STATUS_INTERVAL_MS,
    format: cfg.mqtt.format,
    initialBdSeq: state.nextBdSeq,
    ...(cfg.mqtt.primaryHost === undefined ? {} : { primaryHost: cfg.mqtt.primaryHost }),
    stateClockSkewMs: cfg.mqtt.stateClockSkew,
    log: log.child({ component: 'sparkplug' }),
    ...(statePath === undefined
      ? {}
      : { saveBdSeq: (next: number) => writeState(statePath, { version: 1, nextBdSeq: next }) }),
    onDrop: countDrop,
    listener: {
      sessionStarted: () => publisher.onSessionStart(outbox.lastId()),
      born: (device) => {
        for (const id of device === undefined ? [...devices.ids(), ...reloader.retiringIds()] : [device])
          publisher.onDeviceBorn(id);
        report.reset(device);
      },
      wake: () => publisher.kick(),
    },
  });
  const uplink = new Uplink(
    cfg.mqtt,
    cfg.mqtt.clientId ?? `plantpulse-${cfg.site}-${cfg.node}`,
    session.hooks,
    log.child({ component: 'uplink' }),
  );
  session.attach(uplink);
  const publisher = new Publisher({
    outbox,
    uplink,
    encoder: session,
    log: log.child({ component: 'publisher' }),
    maxInflight: cfg.mqtt.maxInflight,
    replayRate: cfg.outbox.replayRate,
  });

  for (const b of built) devices.start(b);
  const reloader = new AgentReloader({
    config: cfg,
    hash,
    nodeFacts,
    devices,
    session,
    report,
    outbox,
    log: log.child({ component: 'reload' }),
  });

  publisher.start();
  uplink.start();
  pollRunner.start();
  subRunner.start();

  const outboxHealth = new OutboxHealth(outbox.kind, Date.now());
  const snapshot = (): AgentSnapshot => {
    const now = Date.now();
    const health = [...pollRunner.health(), ...subRunner.health()];
    const outboxStats = outbox.stats(now);
    return {
      uplink: uplink.stats(),
      outbox: outboxStats,
      publisher: publisher.stats(),
      devices: health,
      suppressed: report.suppressed,
      dropped: { ...dropped },
      config: reloader.stats(),
      derive: Object.fromEntries(
        [...devices.derivers()].map(([device, d]) => [
          device,
          d.stats() as unknown as Readonly<Record<string, number>>,
        ]),
      ),
      components: [
        ...health.map(sourceHealth),
        uplink.health(now),
        session.health(now),
        outboxHealth.report(outboxStats, now),
      ],
    };
  };

  // Ready: connected to the broker and at least one device answering, whatever its protocol.
  const http = await serveHealth(cfg.http, {
    log,
    report: () => {
      const { components } = snapshot();
      const up = (c: ComponentHealth) => c.status !== 'down';
      return {
        live: true,
        ready:
          components.some((c) => c.component === 'uplink' && up(c)) &&
          components.some((c) => (c.component === 'poll' || c.component === 'subscribe') && up(c)),
        components,
      };
    },
    // then the counters of things devices share (HJ 212 listeners), present once such a device exists
    metrics: () => [...agentMetrics(snapshot()), ...shared.metricFamilies()],
  });

  return {
    httpUrl: http?.url,
    snapshot,
    reload: (next, nextHash) => reloader.reload(next, nextHash ?? configHash(next)),
    reloadRefused: () => reloader.refusedFile(),
    async stop() {
      reloader.close();
      session.close();
      // reads in progress deliver their samples: a restart for an upgrade loses nothing
      await pollRunner.stop(STOP_DRAIN_MS);
      await subRunner.stop();
      await devices.closeDerivers();
      // Give what is already in the outbox a short chance to go out, then say goodbye.
      await publisher.stop();
      await uplink.stop(session.death());
      dropLog.flush();
      await outbox.close();
      await http?.close();
    },
  };
}
