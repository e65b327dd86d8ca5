import type { Point } from '@influxdata/influxdb-client';
import { buildPoint } from '../../protocols/influx/point-builder.js';
import { qualityPoint, telemetryPoint } from '../../protocols/influx/sample-points.js';
import type { MetricKind } from '../../protocols/metric.js';
import type { Quality } from '../../protocols/sample.js';
import type { BirthInfo, DeviceStatus, HostResult } from '../host/host-types.js';

export interface Dropped {
  code: string;
  reason: string;
  count: number;
}

export interface HostPoints {
  points: Point[];
  /** values that could not become points: counted, logged and explained by the caller */
  dropped: Dropped[];
}

/** Sparkplug 3.0's STALE quality code, written as `quality.code` when a death makes a device's values stale. */
export const STALE_QUALITY_CODE = 500;

/**
 * Turns what the Sparkplug host decoded into InfluxDB points (docs/architecture.md#influxdb-schema):
 * `telemetry` for good and uncertain values, `quality` when a metric's quality changes, `device_status` for
 * births and deaths. Keeps the metric kinds learnt from births so integer metrics are written as integer
 * fields.
 *
 * A death (DDEATH, or NDEATH for the node and its devices) makes the last values stale: every known metric of that
 * device gets a `quality` point `bad` with code 500 (STALE) and `reason` "stale: <why>" at the death time, so a
 * dashboard never shows a dead device's last value as current. The next birth or good value writes `good` again.
 *
 * Device tags come with the device's DBIRTH (`BirthInfo.tags`, from the agent's `devices[].tags`) and are written on
 * every `telemetry` point of that device until its next DBIRTH replaces them; `site`, `node` and `device` always
 * win, and a tag named like the point's metric is left off that point (a key cannot be both tag and field).
 */
export class HostPointMapper {
  readonly #kinds = new Map<string, MetricKind>();
  readonly #quality = new Map<string, Quality>();
  /** known metric names per `site/node/device` (from births and data) */
  readonly #metrics = new Map<string, Set<string>>();
  /** device tags per `site/node/device`, from the last DBIRTH */
  readonly #tags = new Map<string, Readonly<Record<string, string>>>();

  map(r: HostResult): HostPoints {
    for (const b of r.births) this.#learn(b);
    const points: Point[] = [];
    const dropped = new Map<string, Dropped>();
    const drop = (code: string, reason: string) => {
      const d = dropped.get(code);
      if (d) d.count++;
      else dropped.set(code, { code, reason, count: 1 });
    };
    for (const s of r.samples) {
      this.#know(`${s.site}/${s.node}/${s.device}`, s.metric);
      const key = `${s.site}/${s.node}/${s.device}/${s.metric}`;
      const ctx = { site: s.site, node: s.node };
      const kind = this.#kinds.get(key);
      const tags = this.#deviceTags(`${s.site}/${s.node}/${s.device}`, s.metric);
      const tctx = tags === undefined ? ctx : { ...ctx, tags };
      const t = telemetryPoint(s, kind === undefined ? tctx : { ...tctx, kind });
      if (t.ok) points.push(t.point);
      else if (t.dropped) drop(t.code, t.reason);
      const lastQ = this.#quality.get(key);
      if (lastQ !== s.quality) {
        const q = qualityPoint(s, ctx);
        if (q.ok) {
          points.push(q.point);
          this.#quality.set(key, s.quality);
        } else if (q.dropped) drop(q.code, q.reason);
      }
    }
    for (const st of r.status) {
      const p = statusPoint(st);
      if (p) points.push(p);
      else drop('BAD_STATUS', `device_status of ${st.site}/${st.node}/${st.device ?? ''} could not be built`);
      if (!st.online) points.push(...this.#stale(st, drop));
    }
    return { points, dropped: [...dropped.values()] };
  }

  #learn(b: BirthInfo): void {
    // node-level metrics are samples of a device named after the node (cloud/host)
    const dev = `${b.site}/${b.node}/${b.device ?? b.node}`;
    if (b.device !== undefined) this.#tags.set(dev, b.tags ?? {});
    for (const m of b.metrics) {
      this.#kinds.set(`${dev}/${m.name}`, m.kind);
      this.#know(dev, m.name);
    }
  }

  #deviceTags(dev: string, metric: string): Readonly<Record<string, string>> | undefined {
    const tags = this.#tags.get(dev);
    if (tags === undefined || Object.keys(tags).length === 0) return undefined;
    if (!Object.hasOwn(tags, metric)) return tags;
    const { [metric]: _clash, ...rest } = tags;
    return rest;
  }

  #know(dev: string, metric: string): void {
    const set = this.#metrics.get(dev);
    if (set) set.add(metric);
    else this.#metrics.set(dev, new Set([metric]));
  }

  #stale(st: DeviceStatus, drop: (code: string, reason: string) => void): Point[] {
    const device = st.device ?? st.node;
    const dev = `${st.site}/${st.node}/${device}`;
    const out: Point[] = [];
    for (const metric of this.#metrics.get(dev) ?? []) {
      const r = buildPoint({
        measurement: 'quality',
        tags: { site: st.site, node: st.node, device, metric },
        fields: { quality: 'bad', code: { int: STALE_QUALITY_CODE }, reason: `stale: ${st.reason}` },
        timestamp: st.timestamp,
      });
      if (r.ok) {
        out.push(r.point);
        this.#quality.set(`${dev}/${metric}`, 'bad');
      } else drop('BAD_QUALITY_POINT', `stale quality of ${dev}/${metric} could not be built: ${r.reason}`);
    }
    return out;
  }
}

/** `device_status` (site, node, device; online, reason) at the change time. A node's own status uses device `_node`. */
export function statusPoint(st: DeviceStatus): Point | undefined {
  const r = buildPoint({
    measurement: 'device_status',
    tags: { site: st.site, node: st.node, device: st.device ?? '_node' },
    fields: { online: st.online, reason: st.reason },
    timestamp: st.timestamp,
  });
  return r.ok ? r.point : undefined;
}
