/**
 * The Grafana dashboard (grafana/plantpulse-dashboard.json) runs against the real schema: every panel query,
 * template variable and annotation, with Grafana's macros expanded, returns data from a fixture plant in InfluxDB.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, influxUrl } from '../../helpers/services.js';
import { type Fixture, SITE, writeFixture } from './plant-fixture.js';

interface Target {
  query: string;
  refId: string;
}
interface Panel {
  title: string;
  type: string;
  targets?: Target[];
}
interface Dashboard {
  panels: Panel[];
  templating: { list: { name: string; query: string }[] };
  annotations: { list: { name: string; query: string }[] };
}

let db: string;
let fx: Fixture;
let dash: Dashboard;

function expand(q: string): string {
  return q
    .replace(/\$timeFilter/g, `time >= ${fx.start}ms AND time <= ${fx.now + 60_000}ms`)
    .replace(/\$__interval/g, '5m')
    .replace(/\$site/g, SITE)
    .replace(/\$device/g, '.*')
    .replace(/\$telemetry/g, 'telemetry');
}

async function run(q: string): Promise<{ series: { values: unknown[][] }[]; error?: string }> {
  const res = await fetch(`${influxUrl()}/query`, {
    method: 'POST',
    body: new URLSearchParams({ db, q: expand(q), epoch: 'ms' }),
  });
  const body = (await res.json()) as { results: { series?: { values: unknown[][] }[]; error?: string }[] };
  const r = body.results[0];
  return { series: r?.series ?? [], ...(r?.error ? { error: r.error } : {}) };
}

beforeAll(async () => {
  db = await freshDatabase('grafana');
  fx = await writeFixture(influxUrl(), db);
  dash = JSON.parse(
    await readFile(resolve(import.meta.dirname, '../../../grafana/plantpulse-dashboard.json'), 'utf8'),
  );
});

describe('grafana/plantpulse-dashboard.json', () => {
  it('has panels for state, OEE, telemetry, energy, emissions and alarms', () => {
    const titles = dash.panels.map((p) => p.title).join(' | ');
    for (const word of ['state', 'OEE', 'Power', 'demand', 'tariff', 'CO2e', 'Stack', 'Alarm']) {
      expect(titles).toContain(word);
    }
  });

  it('every panel query returns data from the InfluxDB schema', async () => {
    const targets = dash.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, ...t })));
    expect(targets.length).toBeGreaterThan(15);
    for (const t of targets) {
      const r = await run(t.query);
      expect(r.error, `${t.panel} ${t.refId}: ${t.query}`).toBeUndefined();
      const values = r.series.flatMap((s) => s.values).filter((v) => v.slice(1).some((x) => x !== null));
      expect(values.length, `${t.panel} ${t.refId} returned no data`).toBeGreaterThan(0);
    }
  });

  it('template variables and annotations resolve', async () => {
    const site = dash.templating.list.find((v) => v.name === 'site');
    const sites = await run(site?.query ?? '');
    expect(sites.series[0]?.values.map((v) => v[1])).toEqual([SITE]);
    const device = dash.templating.list.find((v) => v.name === 'device');
    expect((await run(device?.query ?? '')).series[0]?.values.length).toBe(6);
    for (const a of dash.annotations.list) {
      const r = await run(a.query);
      expect(r.error).toBeUndefined();
      expect(r.series.flatMap((s) => s.values).length).toBeGreaterThan(0);
    }
  });
});
