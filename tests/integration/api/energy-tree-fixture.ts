/**
 * A plant with a metering tree, through the analytics engine into InfluxDB (shared by the API and browser tests):
 * incomer 200 kW; stamping 100 kW of which the press 80 kW (one part every 5 s); machining 60 kW; so 40 kW (20 %)
 * is unmetered at the plant; the compressor has no meter (equipment coverage 50 % < the default 95 %). `settings`:
 * the plant's electricity equal value (none by default: no equal-value tce) and its own required rates.
 */
import { expect } from 'vitest';
import {
  type AnalyticsConfigInput,
  createAnalytics,
  type HostSample,
} from '../../../cloud/analytics/index.js';
import { analyticsConfig } from '../../helpers/configs.js';
import {
  cst,
  drive,
  everyStep,
  PointStore,
  sample,
  silentLog,
  toLine,
} from '../../unit/analytics/support.js';

const at = (hms: string) => cst(`2026-11-25T${hms}`);
export const TREE_FROM = at('08:00:00');
export const TREE_TO = at('10:00:00');
export const TREE_SITE = 'cq';

export interface TreeSettings {
  standardCoal?: AnalyticsConfigInput['standardCoal'];
  requiredRates?: NonNullable<AnalyticsConfigInput['energyTree']>['requiredRates'];
}

export async function writeEnergyTreeFixture(
  influxUrl: string,
  db: string,
  settings: TreeSettings = {},
): Promise<void> {
  const FROM = TREE_FROM;
  const TO = TREE_TO;
  const cfg = analyticsConfig({
    timezone: 'Asia/Shanghai',
    machines: [
      {
        device: 'press-1',
        state: { metric: 'state_code', kind: 'code', map: { '1': 'running' } },
        total: { metric: 'part_count' },
        idealCycle: '5s',
      },
    ],
    meters: [
      { device: 'incomer', carrier: 'electricity', counter: { metric: 'energy_kwh' } },
      { device: 'stamping', carrier: 'electricity', counter: { metric: 'energy_kwh' } },
      { device: 'press-1', carrier: 'electricity', counter: { metric: 'energy_kwh' } },
      { device: 'machining', carrier: 'electricity', counter: { metric: 'energy_kwh' } },
    ],
    energyTree: {
      nodes: [
        { id: 'plant', name: '重庆工厂', level: 'plant', meters: ['incomer'] },
        { id: 'stamping', name: '冲压车间', parent: 'plant', level: 'workshop', meters: ['stamping'] },
        { id: 'press-1', parent: 'stamping', level: 'equipment', meters: ['press-1'], machines: ['press-1'] },
        { id: 'machining', parent: 'plant', level: 'workshop', meters: ['machining'] },
        // the compressor has no meter yet: the equipment level is below the default 95 %
        { id: 'compressor', parent: 'plant', level: 'equipment' },
      ],
      ...(settings.requiredRates === undefined ? {} : { requiredRates: settings.requiredRates }),
    },
    ...(settings.standardCoal === undefined ? {} : { standardCoal: settings.standardCoal }),
  });
  // incomer 200 kW; stamping 100 kW of which the press 80 kW; machining 60 kW: 40 kW (20 %) unmetered at the plant
  const kwh = (kw: number, t: number) => (kw * (t - FROM)) / 3_600_000;
  let parts = 0;
  const make = (t: number): HostSample[] => {
    if (t > FROM) parts += 2; // one part every 5 s
    return [
      sample('incomer', 'energy_kwh', 10_000 + kwh(200, t), t),
      sample('stamping', 'energy_kwh', 300 + kwh(100, t), t),
      sample('press-1', 'energy_kwh', 50 + kwh(80, t), t),
      sample('machining', 'energy_kwh', 9 + kwh(60, t), t),
      sample('press-1', 'state_code', 1, t),
      sample('press-1', 'part_count', parts, t),
    ];
  };
  const clock = { now: FROM };
  const engine = createAnalytics(cfg, { log: silentLog, query: async () => [], clock: () => clock.now });
  await engine.rebuild(FROM);
  const store = new PointStore();
  const lines: string[] = [];
  const rec = Object.assign(store, {
    add(points: Parameters<PointStore['add']>[0]) {
      PointStore.prototype.add.call(store, points);
      for (const p of points) {
        const l = toLine(p);
        if (l) lines.push(l);
      }
    },
  });
  drive(engine, clock, everyStep(FROM, TO + 10_000, 10_000, make), {
    tickMs: 60_000,
    until: TO + 60_000,
    store: rec,
  });
  for (let i = 0; i < lines.length; i += 5000) {
    const res = await fetch(`${influxUrl}/write?db=${db}&precision=ms`, {
      method: 'POST',
      body: lines.slice(i, i + 5000).join('\n'),
    });
    expect(res.status).toBe(204);
  }
}
