/**
 * Real InfluxDB round trips for the analytics tests: the engine's points and the raw telemetry (mapped exactly as
 * the sink maps samples, with protocols/influx) go to the run's InfluxDB 1.x; reads use InfluxQL.
 */
import type { Point } from '@influxdata/influxdb-client';
import type {
  Analytics,
  AnalyticsEvent,
  DeviceStatus,
  HostSample,
  Row,
} from '../../../cloud/analytics/index.js';
import { qualityPoint, queryInfluxQL, telemetryPoint } from '../../../protocols/influx/index.js';
import { type Delivery, toLine } from '../../unit/analytics/support.js';

export async function writeLines(url: string, db: string, lines: readonly string[]): Promise<void> {
  for (let i = 0; i < lines.length; i += 5000) {
    const body = lines.slice(i, i + 5000).join('\n');
    const res = await fetch(`${url}/write?db=${encodeURIComponent(db)}&precision=ms`, {
      method: 'POST',
      body,
      signal: AbortSignal.timeout(30_000),
    });
    if (res.status !== 204) throw new Error(`write failed: HTTP ${res.status} ${await res.text()}`);
  }
}

export function writePoints(url: string, db: string, points: readonly Point[]): Promise<void> {
  return writeLines(
    url,
    db,
    points.map((p) => toLine(p)).filter((l): l is string => l !== undefined),
  );
}

/** What the sink writes for samples: telemetry values, and a quality point whenever a metric's quality changes. */
export class TelemetryWriter {
  private readonly lastQuality = new Map<string, string>();
  constructor(
    private readonly url: string,
    private readonly db: string,
  ) {}

  async write(samples: readonly HostSample[], status: readonly DeviceStatus[] = []): Promise<void> {
    const lines: string[] = [];
    for (const st of status) {
      const tags = st.device === undefined ? '' : `,device=${st.device}`;
      lines.push(
        `device_status,node=${st.node},site=${st.site}${tags} online=${st.online},reason="${st.reason}" ${st.timestamp}`,
      );
    }
    for (const s of samples) {
      const key = `${s.device}|${s.metric}`;
      if (this.lastQuality.get(key) !== s.quality) {
        this.lastQuality.set(key, s.quality);
        const q = qualityPoint(s, { site: s.site, node: s.node });
        if (q.ok) lines.push(toLine(q.point) as string);
      }
      const r = telemetryPoint(s, { site: s.site, node: s.node });
      if (r.ok) lines.push(toLine(r.point) as string);
    }
    await writeLines(this.url, this.db, lines);
  }
}

export function influxQuery(url: string, db: string): (q: string) => Promise<Row[]> {
  return async (q) => (await queryInfluxQL(url, { q, db })) as unknown as Row[];
}

export interface InfluxDrive {
  url: string;
  db: string;
  tickMs: number;
  until: number;
  /** stop before the first delivery at or after this arrival time (a crash) */
  stopAt?: number;
  /** write raw telemetry too (what the sink would), for a later rebuild */
  telemetry?: TelemetryWriter;
}

/** Like the unit driver, but every point and (optionally) every sample goes to the real InfluxDB. */
export async function driveInflux(
  engine: Analytics,
  clock: { now: number },
  deliveries: readonly Delivery[],
  opts: InfluxDrive,
): Promise<AnalyticsEvent[]> {
  const events: AnalyticsEvent[] = [];
  const sorted = [...deliveries].sort((a, b) => a.at - b.at);
  let pending: Point[] = [];
  let nextTick =
    sorted.length > 0 ? Math.ceil((sorted[0] as Delivery).at / opts.tickMs) * opts.tickMs : opts.until;
  const tick = async (t: number) => {
    clock.now = t;
    const out = engine.tick(t);
    pending.push(...out.points);
    events.push(...out.events);
    await writePoints(opts.url, opts.db, pending);
    pending = [];
  };
  for (const d of sorted) {
    if (opts.stopAt !== undefined && d.at >= opts.stopAt) {
      await writePoints(opts.url, opts.db, pending);
      return events;
    }
    while (nextTick <= d.at) {
      await tick(nextTick);
      nextTick += opts.tickMs;
    }
    clock.now = d.at;
    await opts.telemetry?.write(d.samples, d.status);
    const out = engine.ingest(d.samples, d.status);
    pending.push(...out.points);
    events.push(...out.events);
  }
  while (nextTick <= opts.until) {
    await tick(nextTick);
    nextTick += opts.tickMs;
  }
  await writePoints(opts.url, opts.db, pending);
  return events;
}
