/**
 * The KPI vectors through the real ingest path: unified-namespace JSON messages → the host application → the
 * ingester's telemetry/quality/status mapping and the analytics engine → the real InfluxDB; a restart rebuilds from
 * exactly what that mapping stored (including the stale marks it writes when a node dies).
 */
import type { Point } from '@influxdata/influxdb-client';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Analytics,
  type AnalyticsConfigInput,
  createAnalytics,
} from '../../../cloud/analytics/index.js';
import { HostApplication } from '../../../cloud/host/host-application.js';
import { HostPointMapper } from '../../../cloud/ingest/points-from-host.js';
import { queryInfluxQL } from '../../../protocols/influx/index.js';
import {
  encodeUnifiedDevice,
  encodeUnifiedNodeStatus,
  unifiedTopic,
} from '../../../protocols/unified/index.js';
import { analyticsConfig } from '../../helpers/configs.js';
import { dropDatabase, freshDatabase, influxUrl } from '../../helpers/services.js';
import { oeeComScenario, plantScenario, STEP } from '../../unit/analytics/scenarios.js';
import { type Delivery, everyStep, silentLog } from '../../unit/analytics/support.js';
import { influxQuery, writeLines, writePoints } from './influx-io.js';

const dbs: string[] = [];
afterAll(async () => {
  await Promise.allSettled(dbs.map(dropDatabase));
});

type Arrival = Delivery & { nodeOffline?: boolean };

/** One ingester process: host + mapper + analytics, writing everything to `db`. */
class Ingester {
  readonly host: HostApplication;
  readonly mapper = new HostPointMapper();
  private seq = 0;
  private lastTick: number | undefined;
  constructor(
    readonly engine: Analytics,
    private readonly clock: { now: number },
    private readonly url: string,
    private readonly db: string,
  ) {
    this.host = new HostApplication({ hostId: 'plantpulse-test', format: 'json', clock: () => clock.now });
  }

  async run(arrivals: readonly Arrival[], until: number, stopAt = Number.POSITIVE_INFINITY): Promise<void> {
    for (const a of arrivals) {
      if (a.at >= stopAt) return;
      await this.ticksUntil(a.at);
      this.clock.now = a.at;
      const points: Point[] = [];
      const lines: string[] = [];
      const messages: [string, Uint8Array][] = [];
      if (a.nodeOffline)
        messages.push([unifiedTopic('cq', 'gw1'), encodeUnifiedNodeStatus({ ts: a.at, online: false })]);
      const byDevice = new Map<string, typeof a.samples>();
      for (const s of a.samples) byDevice.set(s.device, [...(byDevice.get(s.device) ?? []), s]);
      for (const [device, samples] of byDevice) {
        const payload = encodeUnifiedDevice({
          ts: a.at,
          seq: this.seq,
          metrics: samples.map((s) => ({
            name: s.metric,
            value: s.value,
            ts: s.timestamp,
            q: s.quality,
            ...(s.historical ? { historical: true } : {}),
          })),
        });
        this.seq = (this.seq + 1) % 256;
        messages.push([unifiedTopic('cq', 'gw1', device), payload]);
      }
      for (const [topic, payload] of messages) {
        const r = this.host.handle(topic, payload);
        expect(r.problems.filter((p) => p.code !== 'SEQ_GAP')).toEqual([]);
        lines.push(...this.mapper.map(r).batch.toLines());
        points.push(...this.engine.ingest(r.samples.toArray(), r.status).points);
      }
      await writeLines(this.url, this.db, lines);
      await writePoints(this.url, this.db, points);
    }
    await this.ticksUntil(until);
  }

  private async ticksUntil(t: number): Promise<void> {
    let next = this.lastTick === undefined ? Math.ceil(t / 60_000) * 60_000 : this.lastTick + 60_000;
    while (next <= t) {
      this.clock.now = next;
      await writePoints(this.url, this.db, this.engine.tick(next).points);
      this.lastTick = next;
      next += 60_000;
    }
  }
}

async function ingester(cfg: AnalyticsConfigInput, start: number, prefix: string, database?: string) {
  const url = influxUrl();
  const db = database ?? (await freshDatabase(prefix));
  if (!database) dbs.push(db);
  const clock = { now: start };
  const engine = createAnalytics(analyticsConfig(cfg), {
    log: silentLog,
    query: influxQuery(url, db),
    clock: () => clock.now,
  });
  await engine.rebuild(start);
  return { ing: new Ingester(engine, clock, url, db), url, db };
}

describe('KPIs through the real ingest path (host, ingester mapping, InfluxDB)', () => {
  it('oee.com worked example: OEE 0.7479 from unified-namespace messages', async () => {
    const s = oeeComScenario();
    const { ing, url, db } = await ingester(s.cfg, s.from, 'analytics_pipe');
    await ing.run(everyStep(s.from, s.to, STEP, s.make), s.to);
    const rows = await queryInfluxQL(url, {
      db,
      q: `SELECT "availability", "performance", "quality", "oee" FROM "oee" WHERE "period" = 'shift' AND "level" = 'machine'`,
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]?.['availability']).toBeCloseTo(0.8881, 4);
    expect(rows[0]?.['performance']).toBeCloseTo(0.8611, 4);
    expect(rows[0]?.['quality']).toBeCloseTo(0.978, 4);
    expect(rows[0]?.['oee']).toBeCloseTo(0.7479, 4);
    // The raw telemetry the ingester stored is what analytics read back on a restart.
    const raw = await queryInfluxQL(url, { db, q: `SELECT count("part_count") FROM "telemetry"` });
    expect(raw[0]?.['count']).toBe(everyStep(s.from, s.to, STEP, s.make).length);
  });

  it('restarting mid-shift after a node death gives the same shift OEE, energy and emissions', async () => {
    const s = plantScenario();
    const silent = [s.at('09:30'), s.at('09:34')] as const;
    // The state is reported by exception (only changes), like the agent does.
    let lastState: unknown;
    const arrivals: Arrival[] = everyStep(s.from, s.to, STEP, (t) => {
      if (t >= silent[0] && t < silent[1]) return [];
      return s.make(t).filter((x) => {
        if (x.metric !== 'state_code') return true;
        const changed = x.value !== lastState;
        lastState = x.value;
        return changed;
      });
    });
    // A node death followed by silence (really offline), and one the outbox covers: data never stops.
    for (const at of [silent[0], s.at('10:30')]) {
      const death = arrivals.find((a) => a.at === at);
      if (death) death.nodeOffline = true;
    }

    const a = await ingester(s.cfg, s.from, 'analytics_pipe_a');
    await a.ing.run(arrivals, s.to);

    const crashAt = s.at('11:47') + 5_000;
    const b1 = await ingester(s.cfg, s.from, 'analytics_pipe_b');
    await b1.ing.run(arrivals, crashAt, crashAt);
    const b2 = await ingester(s.cfg, crashAt, '', b1.db);
    await b2.ing.run(
      arrivals.filter((x) => x.at >= crashAt),
      s.to,
    );

    for (const m of ['oee', 'energy', 'emissions', 'kpi']) {
      const q = `SELECT * FROM "${m}" WHERE "period" = 'shift'`;
      const ra = await queryInfluxQL(a.url, { db: a.db, q });
      const rb = await queryInfluxQL(b1.url, { db: b1.db, q });
      expect(ra.length, m).toBeGreaterThan(0);
      expect(rb, m).toEqual(ra);
    }
    const shift = await queryInfluxQL(a.url, {
      db: a.db,
      q: `SELECT "offline_s" FROM "oee" WHERE "period" = 'shift' AND "level" = 'machine'`,
    });
    // Offline from the first death until data resumed; the second death is contradicted by data on both sides.
    expect(shift[0]?.['offline_s']).toBe(240);
  });
});
