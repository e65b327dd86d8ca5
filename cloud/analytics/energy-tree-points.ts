/**
 * InfluxDB points of the metering tree (docs/architecture.md#influxdb-schema): `energy_node` (kWh, kgce, tce, good
 * parts per node), `energy_balance` (a metered node against its children, per carrier) and `metering_coverage`
 * (GB 17167 level and carrier). Each window's point is rewritten whole when the window is recomputed.
 */
import { Point } from '@influxdata/influxdb-client';
import type { Balance, Coverage, NodeFigures } from './energy-tree.js';
import { windowTags } from './points.js';
import type { Window } from './windows.js';

export function energyNodePoint(site: string, n: NodeFigures, w: Window, shift: string | undefined): Point {
  const p: Point = new Point('energy_node').tag('site', site).tag('node', n.id).tag('level', n.level);
  // a root has no parent tag (InfluxDB drops empty tags)
  if (n.parent !== undefined) p.tag('parent', n.parent);
  p.stringField('name', n.name)
    .booleanField('metered', n.metered)
    .floatField('kwh', n.kwh)
    .floatField('kgce', n.kgce)
    .floatField('tce', n.kgce / 1000)
    // no equal value (等价值) set: no kgce_equal_value, and equal_value_set false so that a recomputed window never
    // keeps one written before the setting was removed
    .booleanField('equal_value_set', n.kgceEqualValue !== undefined)
    .floatField('good_count', n.goodCount)
    // 0 when no good part was made (written every time so a recomputed window never keeps a stale ratio)
    .floatField('kgce_per_good_part', n.goodCount > 0 ? n.kgce / n.goodCount : 0);
  if (n.kgceEqualValue !== undefined) p.floatField('kgce_equal_value', n.kgceEqualValue);
  for (const c of ['natural_gas', 'diesel', 'steam', 'water', 'compressed_air'] as const) {
    const v = n.byCarrier[c];
    if (v !== undefined) p.floatField(c, v);
  }
  return windowTags(p, w, shift);
}

export function energyBalancePoint(
  site: string,
  b: Balance,
  unit: string,
  w: Window,
  shift: string | undefined,
): Point {
  const p = new Point('energy_balance')
    .tag('site', site)
    .tag('node', b.node)
    .tag('carrier', b.carrier)
    .floatField('parent', b.parent)
    .floatField('children', b.children)
    .floatField('unmetered', b.unmetered)
    .floatField('unmetered_pct', b.unmeteredPct)
    .intField('child_count', b.childCount)
    .stringField('unit', unit);
  return windowTags(p, w, shift);
}

export function coveragePoint(site: string, c: Coverage, w: Window, shift: string | undefined): Point {
  const p = new Point('metering_coverage')
    .tag('site', site)
    .tag('level', c.level)
    .tag('carrier', c.carrier)
    .intField('required', c.required)
    .intField('metered', c.metered)
    .floatField('rate_pct', c.ratePct);
  // where the rate comes from (required-rates.ts), always written: `none` (no rate for the carrier, e.g. compressed
  // air) tells a reader to ignore a required_pct that an earlier write of the same window left
  p.stringField('required_source', c.requiredSource ?? 'none');
  if (c.requiredPct !== undefined) {
    p.floatField('required_pct', c.requiredPct).booleanField('compliant', c.ratePct >= c.requiredPct);
  }
  return windowTags(p, w, shift);
}
