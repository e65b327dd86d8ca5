import { join, resolve } from 'node:path';
import type { Logger } from '../config/logging.js';
import type { MetricInfo } from '../protocols/metric.js';
import type { Sample } from '../protocols/sample.js';
import { agentMetrics } from './agent-metrics.js';
import type { AgentConfig } from './config/agent-spec.js';
import { createDeriver, type Deriver } from './derive/deriver.js';
import { startHttpServer } from './http-server.js';
import { OutboxDropLog } from './outbox/drop-log.js';
import { openOutbox } from './outbox/open-outbox.js';
import type { Outbox } from './outbox/outbox.js';
import { EdgeNode } from './publish/edge-node.js';
import type { DataRefusal, EdgeEvent, OutMsg } from './publish/edge-node-types.js';
import { Publisher } from './publish/publisher.js';
import { Uplink } from './publish/uplink.js';
import { ReportByException } from './report/report-by-exception.js';
import { PollRunner } from './runner/poll-runner.js';
import { SubscribeRunner } from './runner/subscribe-runner.js';
import { SharedResources } from './sources/component.js';
import { createSources } from './sources/registry.js';
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
  devices: ReturnType<PollRunner['health']>;
  suppressed: number;
  dropped: Record<string, number>;
  /** virtual-sensor counters per device (bad inputs, rollovers, signal faults, …) */
  derive: Record<string, Readonly<Record<string, number>>>;
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
  const state = statePath === undefined ? { nextBdSeq: 0 } : readState(statePath, { nextBdSeq: 0 });
  const dropped: Record<string, number> = {};
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
  for (const d of cfg.devices) {
    for (const g of d.poll ?? [])
      for (const p of g.points) if (p.deadband !== undefined) deadbands.set(`${d.id}/${p.name}`, p.deadband);
  }
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

  const edge = new EdgeNode({
    site: cfg.site,
    node: cfg.node,
    devices: deviceMetrics,
    format: cfg.mqtt.format,
    initialBdSeq: state.nextBdSeq,
    ...(cfg.mqtt.primaryHost === undefined ? {} : { primaryHost: cfg.mqtt.primaryHost }),
  });
  const edgeLog = log.child({ component: 'sparkplug' });
  const lastRefusal = new Map<string, DataRefusal>();
  const handleEvents = (events: EdgeEvent[]) => {
    for (const e of events) {
      switch (e.type) {
        case 'data-refused':
          lastRefusal.set(e.device, e.reason);
          break;
        case 'sample-dropped':
          countDrop('SAMPLE_UNPUBLISHABLE');
          edgeLog.warn(
            { device: e.device, metric: e.metric, reason: e.reason },
            'sample cannot be published; dropped',
          );
          break;
        case 'command-refused':
          edgeLog.warn({ topic: e.topic, device: e.device, reason: e.reason }, 'command refused');
          break;
        case 'message-ignored':
          edgeLog.debug({ topic: e.topic, reason: e.reason }, 'message ignored');
          break;
        default:
          edgeLog.info(e, e.type);
      }
    }
  };

  const reachable = new Map<string, boolean>();
  let uplink: Uplink;
  const send = (msgs: OutMsg[]) => {
    for (const m of msgs) {
      uplink
        .publish(m)
        .catch((err: unknown) => edgeLog.warn({ err, topic: m.topic }, 'control message not sent'));
    }
  };
  const publisher = new Publisher({
    outbox,
    uplink: {
      get connected() {
        return uplink.connected;
      },
      publish: (m) => uplink.publish(m),
    },
    encoder: {
      canPublishData: () => edge.canPublishData(),
      data: (device, samples, opts) => {
        lastRefusal.delete(device);
        const msg = edge.data(device, samples, opts);
        handleEvents(edge.takeEvents());
        return msg;
      },
    },
    refusalOf: (device) => lastRefusal.get(device),
    log: log.child({ component: 'publisher' }),
    maxInflight: cfg.mqtt.maxInflight,
    replayRate: cfg.outbox.replayRate,
  });
  /** Births announce every device; those known to be unreachable get their DDEATH right after. */
  const deathsOfUnreachable = (): OutMsg[] => {
    const out: OutMsg[] = [];
    for (const [device, ok] of reachable) {
      if (ok) continue;
      const msg = edge.deviceDown(device, 'unreachable');
      if (msg) out.push(msg);
    }
    handleEvents(edge.takeEvents());
    return out;
  };
  const afterBirths = () => {
    for (const d of cfg.devices) publisher.onDeviceBorn(d.id);
    report.reset();
  };

  uplink = new Uplink(
    cfg.mqtt,
    cfg.mqtt.clientId ?? `plantpulse-${cfg.site}-${cfg.node}`,
    {
      will: () => {
        const w = edge.will();
        if (statePath !== undefined) writeState(statePath, { nextBdSeq: edge.nextBdSeq });
        return w;
      },
      subscriptions: () => edge.subscriptions(),
      onConnected: () => {
        const births = edge.onConnected();
        handleEvents(edge.takeEvents());
        send(births);
        if (births.length > 0) send(deathsOfUnreachable());
        publisher.onSessionStart(outbox.lastId());
      },
      onDisconnected: () => edge.onDisconnected(),
      onMessage: (topic, payload) => {
        const { out, events } = edge.onMessage(topic, payload);
        handleEvents(events);
        // Primary host STATE offline while born: `out` is our NDEATH. Sparkplug 3.0: publish it, disconnect and
        // reconnect (a new session, a new bdSeq), then wait for the host's STATE online before the next births.
        if (out.length > 0 && events.some((e) => e.type === 'primary-host-offline')) {
          uplink
            .restart(out[0], 'primary host offline')
            .catch((err: unknown) => edgeLog.warn({ err }, 'MQTT session restart failed'));
          return;
        }
        send(out);
        if (events.some((e) => e.type === 'births-published')) {
          send(deathsOfUnreachable());
          afterBirths();
        }
        publisher.kick();
      },
    },
    log.child({ component: 'uplink' }),
  );

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
  const onReachability = (device: string, ok: boolean, reason: string) => {
    if (reachable.get(device) === ok) return;
    reachable.set(device, ok);
    log.info({ device, reachable: ok, reason }, ok ? 'device reachable' : 'device unreachable');
    const msg = ok ? edge.deviceUp(device) : edge.deviceDown(device, reason);
    handleEvents(edge.takeEvents());
    if (msg) send([msg]);
    if (ok) {
      report.reset(device);
      publisher.onDeviceBorn(device);
    }
  };
  const runnerLog = log.child({ component: 'runner' });
  const pollRunner = new PollRunner({ sources: polling, log: runnerLog, onSamples, onReachability });
  const subRunner = new SubscribeRunner({ sources: subscribing, log: runnerLog, onSamples, onReachability });

  publisher.start();
  uplink.start();
  pollRunner.start();
  subRunner.start();

  const snapshot = (): AgentSnapshot => ({
    uplink: uplink.stats(),
    outbox: outbox.stats(Date.now()),
    publisher: publisher.stats(),
    devices: pollRunner.health(),
    suppressed: report.suppressed,
    dropped: { ...dropped },
    derive: Object.fromEntries(
      [...derivers].map(([device, d]) => [device, d.stats() as unknown as Readonly<Record<string, number>>]),
    ),
  });

  const http = cfg.http
    ? await startHttpServer({
        port: cfg.http.port,
        host: cfg.http.host,
        log,
        health: () => {
          const s = snapshot();
          return {
            live: true,
            ready: s.uplink.connected && s.devices.some((d) => d.reachable === true),
            detail: { uplink: s.uplink, outbox: s.outbox, devices: s.devices },
          };
        },
        metrics: () => agentMetrics(snapshot()),
      })
    : undefined;
  if (http) log.info({ url: http.url }, 'health and metrics endpoint listening');

  return {
    httpUrl: http?.url,
    snapshot,
    async stop() {
      await pollRunner.stop();
      await subRunner.stop();
      for (const d of derivers.values()) await d.close();
      // Give what is already in the outbox a short chance to go out, then say goodbye.
      await publisher.stop();
      await uplink.stop(edge.death());
      dropLog.flush();
      await outbox.close();
      await http?.close();
    },
  };
}
