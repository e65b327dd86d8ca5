/**
 * Test support for the analytics engine: scripted machine timelines, a driver that feeds them live or late, and a
 * line-protocol view of the engine's points (what InfluxDB would store, last write wins).
 */
import type { Point } from '@influxdata/influxdb-client';
import { pino } from 'pino';
import type { Analytics, AnalyticsEvent, DeviceStatus, HostSample } from '../../../cloud/analytics/index.js';

export const silentLog = pino({ level: 'silent' });

export interface StoredPoint {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, number | string | boolean>;
  time: number;
}

/** Line protocol with ms timestamps (what the tests write to InfluxDB with precision=ms). */
export function toLine(p: Point): string | undefined {
  return p.toLineProtocol({
    convertTime: (t) => (t instanceof Date ? String(t.getTime()) : t === undefined ? undefined : String(t)),
  });
}

function splitUnquoted(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    if (ch === '\\' && i + 1 < s.length) {
      cur += ch + s[i + 1];
      i++;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === sep && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export function parsePoint(p: Point): StoredPoint {
  const line = toLine(p);
  if (!line) throw new Error('point has no line protocol');
  const [head = '', fieldPart = '', time = '0'] = splitUnquoted(line, ' ');
  const [measurement = '', ...tagParts] = splitUnquoted(head, ',');
  const tags: Record<string, string> = {};
  for (const t of tagParts) {
    const [k = '', v = ''] = t.split('=');
    tags[k] = v.replace(/\\/g, '');
  }
  const fields: Record<string, number | string | boolean> = {};
  for (const f of splitUnquoted(fieldPart, ',')) {
    const i = f.indexOf('=');
    const k = f.slice(0, i);
    const raw = f.slice(i + 1);
    if (raw.startsWith('"')) fields[k] = raw.slice(1, -1).replace(/\\"/g, '"');
    else if (raw === 'T' || raw === 'true') fields[k] = true;
    else if (raw === 'F' || raw === 'false') fields[k] = false;
    else fields[k] = Number(raw.replace(/i$/, ''));
  }
  return { measurement, tags, fields, time: Number(time) };
}

/** What InfluxDB ends up holding: identity (measurement, tags, time) → fields merged, last write wins. */
export class PointStore {
  readonly byKey = new Map<string, StoredPoint>();
  writes = 0;

  add(points: readonly Point[]): void {
    for (const p of points) {
      const sp = parsePoint(p);
      const key = `${sp.measurement}|${Object.entries(sp.tags)
        .sort()
        .map(([k, v]) => `${k}=${v}`)
        .join(',')}|${sp.time}`;
      const prev = this.byKey.get(key);
      this.byKey.set(key, prev ? { ...sp, fields: { ...prev.fields, ...sp.fields } } : sp);
      this.writes++;
    }
  }

  find(measurement: string, tags: Record<string, string>, time?: number): StoredPoint[] {
    return [...this.byKey.values()].filter(
      (p) =>
        p.measurement === measurement &&
        (time === undefined || p.time === time) &&
        Object.entries(tags).every(([k, v]) => p.tags[k] === v),
    );
  }

  one(measurement: string, tags: Record<string, string>, time?: number): StoredPoint {
    const found = this.find(measurement, tags, time);
    if (found.length !== 1) {
      throw new Error(`expected one ${measurement} ${JSON.stringify(tags)} @${time}, found ${found.length}`);
    }
    return found[0] as StoredPoint;
  }
}

export interface Delivery {
  /** arrival (ingester) time */
  at: number;
  samples: HostSample[];
  /** births and deaths arriving with it */
  status?: DeviceStatus[];
}

/**
 * Feeds deliveries in arrival order with the clock set to each arrival, ticking every `tickMs` of arrival time,
 * and a final tick at `until`. Returns the store and every event.
 */
export function drive(
  engine: Analytics,
  clock: { now: number },
  deliveries: readonly Delivery[],
  opts: { tickMs: number; until: number; store?: PointStore },
): { store: PointStore; events: AnalyticsEvent[] } {
  const store = opts.store ?? new PointStore();
  const events: AnalyticsEvent[] = [];
  const sorted = [...deliveries].sort((a, b) => a.at - b.at);
  let nextTick =
    sorted.length > 0 ? Math.ceil((sorted[0] as Delivery).at / opts.tickMs) * opts.tickMs : opts.until;
  for (const d of sorted) {
    while (nextTick <= d.at) {
      const out = engine.tick(nextTick);
      store.add(out.points);
      events.push(...out.events);
      nextTick += opts.tickMs;
    }
    clock.now = d.at;
    const out = engine.ingest(d.samples, d.status);
    store.add(out.points);
    events.push(...out.events);
  }
  while (nextTick <= opts.until) {
    clock.now = nextTick;
    const out = engine.tick(nextTick);
    store.add(out.points);
    events.push(...out.events);
    nextTick += opts.tickMs;
  }
  return { store, events };
}

/** One delivery per step in [start, end), each carrying `make(t)`, arriving at t. */
export function everyStep(
  start: number,
  end: number,
  stepMs: number,
  make: (t: number) => HostSample[],
): Delivery[] {
  const out: Delivery[] = [];
  for (let t = start; t < end; t += stepMs) out.push({ at: t, samples: make(t) });
  return out;
}

export function sample(
  device: string,
  metric: string,
  value: HostSample['value'],
  timestamp: number,
  extra: Partial<HostSample> = {},
): HostSample {
  return { site: 'cq', node: 'gw1', device, metric, value, timestamp, quality: 'good', ...extra };
}

/** Local Asia/Shanghai wall time → UTC ms (UTC+8, no DST). */
export function cst(iso: string): number {
  return Date.parse(`${iso}+08:00`);
}

/** Run time elapsed up to `t` over a list of running [from, to) intervals. */
export function elapsed(running: readonly [number, number][], t: number): number {
  let sum = 0;
  for (const [a, b] of running) sum += Math.max(0, Math.min(b, t) - a);
  return sum;
}
