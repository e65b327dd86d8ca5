import { LineBatch } from '../../protocols/influx/line-batch.js';
import { fieldText, seriesKey, timeText } from '../../protocols/influx/line-protocol.js';
import { INT64_MAX, INT64_MIN } from '../../protocols/influx/point-builder.js';
import {
  INTEGER_KINDS,
  QUALITY_MEASUREMENT,
  TELEMETRY_MEASUREMENT,
} from '../../protocols/influx/sample-points.js';
import { keyProblem, RESERVED_KEYS } from '../../protocols/influx/sanitise.js';
import type { MetricKind } from '../../protocols/metric.js';
import type { Quality, SampleValue } from '../../protocols/sample.js';
import type { HostSamples } from '../host/host-samples.js';
import type { BirthInfo, DeviceStatus, HostResult } from '../host/host-types.js';

export interface Dropped {
  code: string;
  reason: string;
  count: number;
}

export interface HostLines {
  /** the message's lines, one per series and timestamp */
  batch: LineBatch;
  /** values that could not become lines: counted, logged and explained by the caller */
  dropped: Dropped[];
}

/** Sparkplug 3.0's STALE quality code, written as `quality.code` when a death makes a device's values stale. */
export const STALE_QUALITY_CODE = 500;

const CORE_TAGS = new Set(['site', 'node', 'device']);

/** What is worked out once per device, not per value: its series key and metric state. */
interface DeviceState {
  /** `site/node/device` */
  readonly key: string;
  readonly site: string;
  readonly node: string;
  readonly device: string;
  /** the `telemetry` series with the device tags; undefined when a device tag has a bad key (BAD_KEY) */
  series: string | undefined;
  seriesProblem: string | undefined;
  /** the series without a tag named like the metric (a key cannot be both tag and field) */
  readonly clashSeries: Map<string, string>;
  tags: Readonly<Record<string, string>>;
  readonly kinds: Map<string, MetricKind>;
  /** per metric, what its values need (series, integer kind, or why they cannot be stored): worked out once */
  readonly plans: Map<string, FieldPlan>;
  /** every metric seen (births and data): the ones a death marks stale */
  readonly known: Set<string>;
  readonly quality: Map<string, Quality>;
}

/** What one metric's values of one device need, worked out at its first value after a birth or tag change. */
interface FieldPlan {
  /** the `telemetry` series its field goes on; undefined when it cannot be stored (`problem`) */
  readonly series: string | undefined;
  /** why (BAD_KEY) */
  readonly problem: string | undefined;
  /** its kind when integer (written as an integer field) */
  readonly integerKind: MetricKind | undefined;
}

/**
 * Turns what the Sparkplug host decoded into InfluxDB lines (docs/architecture.md#influxdb-schema), without a
 * `Point` per value: `telemetry` for good and uncertain values — every metric of a device sampled at one time on
 * one line —, `quality` when a metric's quality changes, `device_status` for births and deaths. Keeps the metric
 * kinds learnt from births so integer metrics are written as integer fields.
 *
 * A death (DDEATH, or NDEATH for the node and its devices) makes the last values stale: every known metric of that
 * device gets a `quality` line `bad` with code 500 (STALE) and `reason` "stale: <why>" at the death time, so a
 * dashboard never shows a dead device's last value as current. The next birth or good value writes `good` again.
 *
 * Device tags come with the device's DBIRTH (`BirthInfo.tags`, from the agent's `devices[].tags`) and are written on
 * every `telemetry` line of that device until its next DBIRTH replaces them; `site`, `node` and `device` always
 * win, and a tag named like a metric is left off that metric's line (a key cannot be both tag and field).
 */
export class HostPointMapper {
  readonly #devices = new Map<string, DeviceState>();
  /** `site/node` → its devices' keys, least recently born first: what `maxDevicesPerNode` bounds */
  readonly #byNode = new Map<string, Set<string>>();
  readonly #maxDevicesPerNode: number;
  #last: DeviceState | undefined;
  /** the last sample time and its text: the values of one message share it */
  #lastMs = Number.NaN;
  #lastTime = '';

  /**
   * `maxDevicesPerNode`: the host's bound (README "Security / Ingester"); the mapper keeps one more per node (the
   * node's own metrics) and, past it, forgets the device born longest ago — one its node no longer announces, as
   * the host admits a new device only below its bound. A birth makes a device's metrics those of the birth, so
   * metric state follows the host's `maxMetricsPerDevice` too.
   */
  constructor(opts: { maxDevicesPerNode?: number } = {}) {
    this.#maxDevicesPerNode = (opts.maxDevicesPerNode ?? Number.POSITIVE_INFINITY) + 1;
  }

  /** devices whose state is kept (bounded per node by `maxDevicesPerNode`) */
  get trackedDevices(): number {
    return this.#devices.size;
  }

  map(r: HostResult): HostLines {
    for (const b of r.births) this.#learn(b);
    const batch = new LineBatch();
    const dropped = new Map<string, Dropped>();
    const drop = (code: string, reason: string) => {
      const d = dropped.get(code);
      if (d) d.count++;
      else dropped.set(code, { code, reason, count: 1 });
    };
    const rows = r.samples;
    for (let i = 0; i < rows.length; i++) this.#sample(rows, i, batch, drop);
    for (const st of r.status) {
      const device = st.device ?? '_node';
      const time = timeText(st.timestamp);
      if (time === undefined) {
        drop('BAD_STATUS', `device_status of ${st.site}/${st.node}/${device} could not be built`);
      } else {
        const series = seriesKey('device_status', { site: st.site, node: st.node, device });
        batch.add('device_status', series, time, 'online', fieldText.boolean(st.online));
        batch.add('device_status', series, time, 'reason', fieldText.string(st.reason));
      }
      if (!st.online) this.#stale(st, batch, drop);
    }
    return { batch, dropped: [...dropped.values()] };
  }

  /** row `i` passed `checkSample` (the hosts check every sample they emit: HostResult.samples) */
  #sample(
    rows: HostSamples,
    i: number,
    batch: LineBatch,
    drop: (code: string, reason: string) => void,
  ): void {
    let value = rows.value(i);
    let quality = rows.quality(i);
    if (typeof value === 'number' && !Number.isFinite(value)) {
      value = null;
      quality = 'bad';
    }
    const st = this.#device(rows.site(i), rows.node(i), rows.device(i));
    const metric = rows.metric(i);
    const plan = st.plans.get(metric) ?? this.#plan(st, metric);
    const timestamp = rows.timestamp(i);
    if (timestamp !== this.#lastMs) {
      this.#lastMs = timestamp;
      this.#lastTime = String(Math.trunc(timestamp));
    }
    const time = this.#lastTime;
    if (quality !== 'bad' && value !== null)
      this.#telemetry(plan, st.device, metric, value, time, batch, drop);
    if (st.quality.get(metric) !== quality) {
      const series = seriesKey(QUALITY_MEASUREMENT, {
        site: st.site,
        node: st.node,
        device: st.device,
        metric,
      });
      batch.add(QUALITY_MEASUREMENT, series, time, 'quality', fieldText.string(quality));
      st.quality.set(metric, quality);
    }
  }

  /** What a metric's values need, and the metric known (a death marks it stale) */
  #plan(st: DeviceState, metric: string): FieldPlan {
    st.known.add(metric);
    const kind = st.kinds.get(metric);
    const integerKind = kind !== undefined && INTEGER_KINDS.has(kind) ? kind : undefined;
    let problem: string | undefined;
    if (st.series === undefined) problem = `tag ${st.seriesProblem ?? ''}`;
    else if (RESERVED_KEYS.has(metric))
      problem = `field key ${JSON.stringify(metric)} is reserved by InfluxDB`;
    else if (CORE_TAGS.has(metric)) problem = `${metric} is both a tag and a field`;
    const series =
      problem !== undefined
        ? undefined
        : Object.hasOwn(st.tags, metric)
          ? this.#clashSeries(st, metric)
          : st.series;
    const plan: FieldPlan = { series, problem, integerKind };
    st.plans.set(metric, plan);
    return plan;
  }

  #telemetry(
    plan: FieldPlan,
    device: string,
    metric: string,
    v: SampleValue,
    time: string,
    batch: LineBatch,
    drop: (code: string, reason: string) => void,
  ): void {
    const series = plan.series;
    if (series === undefined) {
      drop('BAD_KEY', plan.problem ?? '');
      return;
    }
    let text: string;
    switch (typeof v) {
      case 'number': {
        const kind = plan.integerKind;
        if (kind !== undefined) {
          if (!Number.isInteger(v)) {
            drop('TYPE_MISMATCH', `${device}.${metric}: ${v} is not an integer but the metric is ${kind}`);
            return;
          }
          if (!Number.isSafeInteger(v) && (BigInt(v) < INT64_MIN || BigInt(v) > INT64_MAX)) {
            drop('INTEGER_OUT_OF_RANGE', `field ${metric}: ${v} is outside InfluxDB's int64 range`);
            return;
          }
          text = fieldText.integer(Number.isSafeInteger(v) ? v : BigInt(v));
        } else text = fieldText.float(v);
        break;
      }
      case 'bigint':
        if (v < INT64_MIN || v > INT64_MAX) {
          drop('INTEGER_OUT_OF_RANGE', `field ${metric}: ${v} is outside InfluxDB's int64 range`);
          return;
        }
        text = fieldText.integer(v);
        break;
      case 'boolean':
        text = fieldText.boolean(v);
        break;
      default:
        text = fieldText.string(v as string);
    }
    batch.add(TELEMETRY_MEASUREMENT, series, time, metric, text);
  }

  #device(site: string, node: string, device: string): DeviceState {
    const last = this.#last;
    if (last !== undefined && last.device === device && last.node === node && last.site === site) return last;
    const key = `${site}/${node}/${device}`;
    let st = this.#devices.get(key);
    if (st === undefined) {
      st = {
        key,
        site,
        node,
        device,
        series: undefined,
        seriesProblem: undefined,
        clashSeries: new Map(),
        tags: {},
        kinds: new Map(),
        plans: new Map(),
        known: new Set(),
        quality: new Map(),
      };
      this.#setTags(st, {});
      this.#devices.set(key, st);
      this.#track(st);
    }
    this.#last = st;
    return st;
  }

  /** Counts a new device against its node's bound (forgetting the one born longest ago), or marks it born now. */
  #track(st: DeviceState): void {
    const nodeKey = `${st.site}/${st.node}`;
    const keys = this.#byNode.get(nodeKey) ?? new Set<string>();
    this.#byNode.set(nodeKey, keys);
    keys.delete(st.key);
    if (keys.size >= this.#maxDevicesPerNode) {
      const oldest = keys.values().next().value;
      if (oldest !== undefined) {
        keys.delete(oldest);
        this.#devices.delete(oldest);
      }
    }
    keys.add(st.key);
  }

  #setTags(st: DeviceState, tags: Readonly<Record<string, string>>): void {
    st.tags = tags;
    st.clashSeries.clear();
    st.plans.clear();
    st.seriesProblem = undefined;
    for (const k of Object.keys(tags)) {
      const p = keyProblem(k);
      if (p) st.seriesProblem = p;
    }
    st.series =
      st.seriesProblem === undefined
        ? seriesKey(TELEMETRY_MEASUREMENT, { ...tags, site: st.site, node: st.node, device: st.device })
        : undefined;
  }

  #clashSeries(st: DeviceState, metric: string): string {
    let s = st.clashSeries.get(metric);
    if (s === undefined) {
      const { [metric]: _clash, ...rest } = st.tags;
      s = seriesKey(TELEMETRY_MEASUREMENT, { ...rest, site: st.site, node: st.node, device: st.device });
      st.clashSeries.set(metric, s);
    }
    return s;
  }

  #learn(b: BirthInfo): void {
    // node-level metrics are samples of a device named after the node (cloud/host)
    const st = this.#device(b.site, b.node, b.device ?? b.node);
    this.#track(st);
    if (b.device !== undefined) this.#setTags(st, b.tags ?? {});
    // the birth names the device's metrics: those of an earlier birth are forgotten (bounded by the host's limit)
    st.kinds.clear();
    st.plans.clear();
    st.known.clear();
    for (const m of b.metrics) {
      st.kinds.set(m.name, m.kind);
      st.known.add(m.name);
    }
    for (const metric of st.quality.keys()) if (!st.known.has(metric)) st.quality.delete(metric);
  }

  #stale(st: DeviceStatus, batch: LineBatch, drop: (code: string, reason: string) => void): void {
    const dev = this.#devices.get(`${st.site}/${st.node}/${st.device ?? st.node}`);
    if (dev === undefined) return;
    const time = timeText(st.timestamp);
    for (const metric of dev.known) {
      if (time === undefined) {
        drop('BAD_QUALITY_POINT', `stale quality of ${dev.key}/${metric} could not be built: bad timestamp`);
        continue;
      }
      const series = seriesKey(QUALITY_MEASUREMENT, {
        site: st.site,
        node: st.node,
        device: dev.device,
        metric,
      });
      batch.add(QUALITY_MEASUREMENT, series, time, 'quality', fieldText.string('bad'));
      batch.add(QUALITY_MEASUREMENT, series, time, 'code', fieldText.integer(STALE_QUALITY_CODE));
      batch.add(QUALITY_MEASUREMENT, series, time, 'reason', fieldText.string(`stale: ${st.reason}`));
      dev.quality.set(metric, 'bad');
    }
  }
}
