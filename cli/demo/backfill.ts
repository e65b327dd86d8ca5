/**
 * Backfill: publishes a scenario's history through the real MQTT path. It is a Sparkplug edge node (the agent's
 * EdgeNode and Uplink) whose devices are the scenario's, and it sends DDATA flagged `is_historical` for the last N
 * hours: every metric at the sample period when it changed (and at least every 5 minutes), state changes at their
 * exact instant. Each message waits for its PUBACK (QoS 1), with a bounded number in flight; the cloud stores it
 * like live data. Progress goes to a callback (the CLI draws a bar on stderr).
 */

import { AgentMqtt, type AgentMqttInput } from '../../agent/config/mqtt-spec.js';
import { EdgeNode } from '../../agent/publish/edge-node.js';
import type { OutMsg } from '../../agent/publish/edge-node-types.js';
import { Uplink } from '../../agent/publish/uplink.js';
import { resolveConfig } from '../../config/load.js';
import type { Logger } from '../../config/logging.js';
import { PlantpulseError } from '../../protocols/errors.js';
import type { Sample } from '../../protocols/sample.js';
import { metricsOf } from '../../simulators/scenario/metric-catalog.js';
import { type DeviceSignals, PlantModel, type SignalValue } from '../../simulators/scenario/plant-model.js';
import type { Scenario } from '../../simulators/scenario/scenario-schema.js';

export interface BackfillOptions {
  scenario: Scenario;
  seed: number;
  /** history covers [end − hours, end) */
  hours: number;
  /** default now */
  end?: number;
  /** sample period, ms (default 10 s) */
  sampleMs?: number;
  /** process durations shrink by this factor, as in the live simulators (default 1) */
  speed?: number;
  /** as in an agent config's `mqtt:` section (defaults filled in here) */
  mqtt: AgentMqttInput;
  /** Sparkplug edge node id of the backfill session */
  node: string;
  log: Logger;
  onProgress?: (p: BackfillProgress) => void;
  signal?: AbortSignal;
  /** samples per DDATA message (default 500) */
  batch?: number;
  /** messages awaiting PUBACK at most (default 32) */
  inflight?: number;
}

export interface BackfillProgress {
  /** simulated time reached */
  at: number;
  from: number;
  to: number;
  messages: number;
  samples: number;
}

export class BackfillError extends PlantpulseError {
  constructor(code: 'BACKFILL_CONNECT_FAILED' | 'BACKFILL_PUBLISH_FAILED', message: string, cause?: unknown) {
    super(code, message, { cause, retryable: true });
  }
}

const HEARTBEAT_MS = 300_000;
const STATE_METRICS = new Set(['state_code', 'packml_state', 'state']);

/** Every (time, values) a device reports in [from, to): the sample grid plus its exact state changes. */
function* reportTimes(d: DeviceSignals, plant: PlantModel, from: number, to: number, sampleMs: number) {
  const machine = plant.production.find((m) => m.id === d.id);
  const changes = machine ? machine.timeline.segments(from, to).map((s) => s.start) : [];
  let c = 0;
  for (let t = from; t < to; t += sampleMs) {
    while (c < changes.length && (changes[c] ?? to) < t) {
      const at = changes[c] ?? to;
      if (at > from) yield at;
      c++;
    }
    yield t;
  }
  for (; c < changes.length; c++) {
    const at = changes[c] ?? to;
    if (at > from && at < to) yield at;
  }
}

/** Publishes the history; resolves with the totals once every message is acknowledged. */
export async function runBackfill(o: BackfillOptions): Promise<BackfillProgress> {
  const end = o.end ?? Date.now();
  const from = end - o.hours * 3_600_000;
  const sampleMs = o.sampleMs ?? 10_000;
  const plant = new PlantModel(o.scenario, { seed: o.seed, epoch: from, speed: o.speed ?? 1 });
  const devices = plant.devices();
  const edge = new EdgeNode({
    site: o.scenario.site,
    node: o.node,
    devices: devices.map((d) => ({ id: d.id, metrics: metricsOf(d) })),
  });
  const log = o.log.child({ component: 'backfill' });
  let ready!: () => void;
  const born = new Promise<void>((r) => {
    ready = r;
  });
  let uplink: Uplink;
  const sendAll = async (msgs: OutMsg[]) => {
    for (const m of msgs) await uplink.publish(m);
  };
  uplink = new Uplink(
    resolveConfig(AgentMqtt, o.mqtt, 'backfill mqtt'),
    `plantpulse-backfill-${o.scenario.site}-${o.node}`,
    {
      will: () => edge.will(),
      subscriptions: () => edge.subscriptions(),
      onConnected: () => {
        const births = edge.onConnected();
        edge.takeEvents();
        sendAll(births).then(
          () => ready(),
          (err: unknown) => log.warn({ err }, 'births not published'),
        );
      },
      onDisconnected: () => edge.onDisconnected(),
      onMessage: (topic, payload) => {
        const { out } = edge.onMessage(topic, payload);
        sendAll(out).catch((err: unknown) => log.warn({ err }, 'control message not sent'));
      },
    },
    log,
  );
  uplink.start();
  const progress: BackfillProgress = { at: from, from, to: end, messages: 0, samples: 0 };
  try {
    await Promise.race([
      born,
      new Promise<never>((_, reject) => {
        const t = setTimeout(
          () =>
            reject(
              new BackfillError('BACKFILL_CONNECT_FAILED', `no MQTT session with ${o.mqtt.url} in 30 s`),
            ),
          30_000,
        );
        t.unref();
        born.then(() => clearTimeout(t));
      }),
    ]);

    const batch = o.batch ?? 500;
    const maxInflight = o.inflight ?? 32;
    const inflight = new Set<Promise<void>>();
    let failure: unknown;
    const publish = async (device: string, samples: Sample[]) => {
      const msg = edge.data(device, samples, { historical: true });
      for (const e of edge.takeEvents())
        if (e.type === 'data-refused' || e.type === 'sample-dropped')
          log.warn(e, 'backfill sample not published');
      if (!msg) return;
      while (inflight.size >= maxInflight) await Promise.race(inflight);
      if (failure !== undefined) throw failure;
      const p: Promise<void> = uplink.publish(msg).then(
        () => {
          inflight.delete(p);
          progress.messages++;
          progress.samples += samples.length;
        },
        (err: unknown) => {
          inflight.delete(p);
          failure ??= new BackfillError(
            'BACKFILL_PUBLISH_FAILED',
            `publishing history failed: ${String(err)}`,
            err,
          );
        },
      );
      inflight.add(p);
    };

    // Walk time in slices so every device advances together and progress is meaningful.
    const sliceMs = sampleMs * Math.ceil((15 * 60_000) / sampleMs);
    const last = new Map<string, { value: SignalValue; at: number }>();
    const pending = new Map<string, Sample[]>();
    for (let s = from; s < end; s += sliceMs) {
      o.signal?.throwIfAborted();
      const sliceEnd = Math.min(end, s + sliceMs);
      for (const d of devices) {
        const list = pending.get(d.id) ?? [];
        pending.set(d.id, list);
        for (const t of reportTimes(d, plant, s, sliceEnd, sampleMs)) {
          const values = d.valuesAt(t);
          for (const [metric, value] of Object.entries(values)) {
            const key = `${d.id}/${metric}`;
            const prev = last.get(key);
            const onGrid = (t - from) % sampleMs === 0;
            if (prev !== undefined && prev.value === value && t - prev.at < HEARTBEAT_MS) continue;
            if (!onGrid && !STATE_METRICS.has(metric)) continue;
            last.set(key, { value, at: t });
            list.push({ device: d.id, metric, value, timestamp: t, quality: 'good', historical: true });
          }
          if (list.length >= batch) {
            await publish(d.id, list.splice(0, list.length));
          }
        }
      }
      progress.at = sliceEnd;
      if (sliceEnd < end) o.onProgress?.({ ...progress });
    }
    for (const [device, list] of pending) if (list.length > 0) await publish(device, list);
    await Promise.all(inflight);
    if (failure !== undefined) throw failure;
    progress.at = end;
    o.onProgress?.({ ...progress });
    return progress;
  } finally {
    // the death certificate first, while the session is up (a clean disconnect discards the will)
    if (uplink.connected)
      await uplink.publish(edge.death()).catch((err: unknown) => log.warn({ err }, 'NDEATH not published'));
    await uplink.stop();
  }
}

/** `[##########··········]  52%  12.4 h of 24 h · 1 234 messages` */
export function progressBar(p: BackfillProgress, width = 30): string {
  const share = p.to > p.from ? (p.at - p.from) / (p.to - p.from) : 1;
  const full = Math.round(share * width);
  const hours = (ms: number) => (ms / 3_600_000).toFixed(1);
  return `[${'#'.repeat(full)}${'·'.repeat(width - full)}] ${String(Math.round(share * 100)).padStart(3)}%  ${hours(p.at - p.from)} h of ${hours(p.to - p.from)} h · ${p.messages} messages, ${p.samples} samples`;
}
