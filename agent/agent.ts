import { join, resolve } from 'node:path';
import type { Logger } from '../config/logging.js';
import { ensurePrivateDir } from '../protocols/durable-queue/private-files.js';
import type { ComponentHealth } from '../protocols/health/component-health.js';
import { serveHealth } from '../protocols/health/health-server.js';
import type { MetricInfo } from '../protocols/metric.js';
import type { Sample } from '../protocols/sample.js';
import { agentMetrics } from './agent-metrics.js';
import type { AgentConfig } from './config/agent-spec.js';
import { createDeriver, type Deriver } from './derive/deriver.js';
import { OutboxDropLog } from './outbox/drop-log.js';
import { openOutbox } from './outbox/open-outbox.js';
import type { Outbox } from './outbox/outbox.js';
import { OutboxHealth } from './outbox/outbox-health.js';
import { EdgeNodeSession } from './publish/edge-node-session.js';
import { Publisher } from './publish/publisher.js';
import { Uplink } from './publish/uplink.js';
import { ReportByException } from './report/report-by-exception.js';
import { sourceHealth } from './runner/device-health.js';
import { PollRunner } from './runner/poll-runner.js';
import { SubscribeRunner } from './runner/subscribe-runner.js';
import { SharedResources } from './sources/component.js';
import { createSources, declaredMetrics } from './sources/registry.js';
import type { PollingSource, SubscribingSource } from './sources/source.js';
import { readState, writeState } from './state-file.js';

export interface RunningAgent {
  httpUrl: string | undefined;
  snapshot(): AgentSnapshot;
  stop(): Promise<void>;
}

export interface AgentSnapshot {
  uplink: ReturnType<Uplink['stats']>;
  outbox: ReturnType<Outbox['stats']>;
  publisher: ReturnType<Publisher['stats']>;
  /** every source, polling and subscribing */
  devices: ReturnType<PollRunner['health']>;
  suppressed: number;
  dropped: Record<string, number>;
  /** virtual-sensor counters per device (bad inputs, rollovers, signal faults, …) */
  derive: Record<string, Readonly<Record<string, number>>>;
  /** the health of every component: sources, uplink, Sparkplug session, outbox */
  components: ComponentHealth[];
}

/**
 * The edge agent: sources → derive → report by exception → outbox → Sparkplug edge node → MQTT.
 * Construction does no I/O beyond reading its small state file; `startAgent` connects everything in the background,
 * so a device or broker that is down at start never stops the others.
 */
export async function startAgent(cfg: AgentConfig, log: Logger): Promise<RunningAgent> {
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

  // Sources and derivers, per device.
  const shared = new SharedResources();
  const polling: PollingSource[] = [];
  const subscribing: SubscribingSource[] = [];
  const derivers = new Map<string, Deriver>();
  const deviceMetrics: { id: string; metrics: MetricInfo[]; tags?: Record<string, string> }[] = [];
  for (const d of cfg.devices) {
    const sources = await createSources(d, { log, shared, ...(stateDir === undefined ? {} : { stateDir }) });
    for (const s of sources) {
      if (s.kind === 'polling') polling.push(s);
      else subscribing.push(s);
    }
    const deriver = createDeriver(d, {
      log: log.child({ component: 'derive', device: d.id }),
      ...(stateDir === undefined ? {} : { stateDir }),
    });
    if (deriver) derivers.set(d.id, deriver);
    const metrics = [...sources.flatMap((s) => s.metrics), ...(deriver?.metrics ?? [])];
    deviceMetrics.push({ id: d.id, metrics, ...(d.tags === undefined ? {} : { tags: d.tags }) });
  }

  const deadbands = new Map<string, number>();
  // every component's points may carry a deadband (DeclaredMetric.deadband)
  for (const d of cfg.devices)
    for (const m of declaredMetrics(d))
      if (m.deadband !== undefined) deadbands.set(`${d.id}/${m.name}`, m.deadband);
  const report = new ReportByException({
    deadbands,
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

  // The Sparkplug session (births, deaths, commands, primary host) between the outbox and the MQTT uplink.
  const session = new EdgeNodeSession({
    site: cfg.site,
    node: cfg.node,
    devices: deviceMetrics,
    format: cfg.mqtt.format,
    initialBdSeq: state.nextBdSeq,
    ...(cfg.mqtt.primaryHost === undefined ? {} : { primaryHost: cfg.mqtt.primaryHost }),
    stateClockSkewMs: cfg.mqtt.stateClockSkew,
    log: log.child({ component: 'sparkplug' }),
    ...(statePath === undefined
      ? {}
      : { saveBdSeq: (next: number) => writeState(statePath, { nextBdSeq: next }) }),
    onDrop: countDrop,
    listener: {
      sessionStarted: () => publisher.onSessionStart(outbox.lastId()),
      born: (device) => {
        for (const id of device === undefined ? cfg.devices.map((d) => d.id) : [device])
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

  // The pipeline.
  const onSamples = (samples: Sample[]) => {
    const byDevice = new Map<string, Sample[]>();
    for (const s of samples) {
      const list = byDevice.get(s.device);
      if (list) list.push(s);
      else byDevice.set(s.device, [s]);
    }
    const now = Date.now();
    for (const [device, list] of byDevice) {
      const derived = derivers.get(device)?.process(list) ?? list;
      const reported = report.filter(derived);
      if (reported.length > 0 && !outbox.append(device, reported, now))
        countDrop('OUTBOX_WRITE_FAILED', reported.length);
    }
    publisher.kick();
  };
  const onReachability = (device: string, ok: boolean, reason: string) =>
    session.reachability(device, ok, reason);
  const runnerLog = log.child({ component: 'runner' });
  const pollRunner = new PollRunner({ sources: polling, log: runnerLog, onSamples, onReachability });
  const subRunner = new SubscribeRunner({ sources: subscribing, log: runnerLog, onSamples, onReachability });

  publisher.start();
  uplink.start();
  pollRunner.start();
  subRunner.start();

  const outboxHealth = new OutboxHealth(outbox.kind, Date.now());
  const snapshot = (): AgentSnapshot => {
    const now = Date.now();
    const devices = [...pollRunner.health(), ...subRunner.health()];
    const outboxStats = outbox.stats(now);
    return {
      uplink: uplink.stats(),
      outbox: outboxStats,
      publisher: publisher.stats(),
      devices,
      suppressed: report.suppressed,
      dropped: { ...dropped },
      derive: Object.fromEntries(
        [...derivers].map(([device, d]) => [
          device,
          d.stats() as unknown as Readonly<Record<string, number>>,
        ]),
      ),
      components: [
        ...devices.map(sourceHealth),
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
    metrics: () => agentMetrics(snapshot()),
  });

  return {
    httpUrl: http?.url,
    snapshot,
    async stop() {
      await pollRunner.stop();
      await subRunner.stop();
      for (const d of derivers.values()) await d.close();
      // Give what is already in the outbox a short chance to go out, then say goodbye.
      await publisher.stop();
      await uplink.stop(session.death());
      dropLog.flush();
      await outbox.close();
      await http?.close();
    },
  };
}
