/**
 * InfluxDB points of the analytics series (docs/architecture.md#influxdb-schema). A window's identity is
 * (measurement, tags, window start), so a recomputed window overwrites its earlier point; every field is
 * written every time so no stale field stays.
 */
import { Point } from '@influxdata/influxdb-client';
import type { OeeFigures } from './oee.js';
import type { StateRecord } from './state-timeline.js';
import type { Window } from './windows.js';

export type Level = 'machine' | 'line' | 'site';

export function windowTags(p: Point, w: Window, shift: string | undefined): Point {
  p.tag('period', w.period);
  const s = w.shift ?? shift;
  if (s !== undefined) p.tag('shift', s);
  return p.timestamp(new Date(w.start));
}

export function statePoint(site: string, device: string, rec: StateRecord, at = rec.start): Point {
  const p = new Point('machine_state')
    .tag('site', site)
    .tag('device', device)
    .stringField('state', rec.state);
  p.intField('code', rec.code ?? -1);
  p.booleanField('micro', rec.micro);
  if (rec.end !== null) p.floatField('duration_s', (rec.end - at) / 1000);
  return p.timestamp(new Date(at));
}

export function oeePoint(
  site: string,
  device: string,
  level: Level,
  w: Window,
  shift: string | undefined,
  f: OeeFigures,
  extra: Record<string, number> = {},
): Point {
  const p = new Point('oee').tag('site', site).tag('device', device).tag('level', level);
  for (const [k, v] of Object.entries(f)) p.floatField(k, v);
  for (const [k, v] of Object.entries(extra)) p.floatField(k, v);
  return windowTags(p, w, shift);
}

export interface EnergyFields {
  consumption: number;
  unit: string;
  cost?: number;
  currency?: string;
  /**
   * Tag: the tariff period of a 15-minute window (`tariffs[].periods[].name`, `default` outside every period).
   * A 15-minute window never spans two periods (both sit on local quarter hours), so this is the period of every
   * minute of the window; it is derived from the window start and the config only, so a recomputed window keeps it.
   */
  tariff?: string;
  demand_kw?: number;
  peak_kw?: number;
}

export function energyPoint(
  site: string,
  device: string,
  meter: string,
  carrier: string,
  w: Window,
  shift: string | undefined,
  f: EnergyFields,
): Point {
  const p = new Point('energy')
    .tag('site', site)
    .tag('device', device)
    .tag('meter', meter)
    .tag('carrier', carrier);
  if (f.tariff !== undefined) p.tag('tariff', f.tariff);
  p.floatField('consumption', f.consumption).stringField('unit', f.unit);
  if (f.cost !== undefined) p.floatField('cost', f.cost);
  if (f.currency !== undefined) p.stringField('currency', f.currency);
  if (f.demand_kw !== undefined) p.floatField('demand_kw', f.demand_kw);
  if (f.peak_kw !== undefined) p.floatField('peak_kw', f.peak_kw);
  return windowTags(p, w, shift);
}

export interface EmissionFields {
  co2e_kg: number;
  factor: number;
  factor_key: string;
  factor_unit: string;
  factor_year: number;
}

export function emissionsPoint(
  site: string,
  device: string,
  meter: string,
  scope: 1 | 2,
  source: string,
  w: Window,
  shift: string | undefined,
  f: EmissionFields,
): Point {
  const p = new Point('emissions')
    .tag('site', site)
    .tag('device', device)
    .tag('meter', meter)
    .tag('scope', String(scope))
    .tag('source', source)
    .floatField('co2e_kg', f.co2e_kg)
    .floatField('factor', f.factor)
    .stringField('factor_key', f.factor_key)
    .stringField('factor_unit', f.factor_unit)
    .intField('factor_year', f.factor_year);
  return windowTags(p, w, shift);
}

export function kpiPoint(
  site: string,
  device: string,
  w: Window,
  shift: string | undefined,
  f: { kwh: number; co2e_kg: number; good_count: number },
): Point {
  const p = new Point('kpi')
    .tag('site', site)
    .tag('device', device)
    .floatField('kwh', f.kwh)
    .floatField('co2e_kg', f.co2e_kg)
    .floatField('good_count', f.good_count);
  // 0 when no good part was made (written every time so a recomputed window never keeps a stale ratio).
  p.floatField('kwh_per_good_part', f.good_count > 0 ? f.kwh / f.good_count : 0);
  p.floatField('co2e_kg_per_good_part', f.good_count > 0 ? f.co2e_kg / f.good_count : 0);
  return windowTags(p, w, shift);
}

export function alarmPoint(
  site: string,
  device: string,
  metric: string,
  severity: string,
  at: number,
  f: { value: number; limit: number; active: boolean; message: string },
): Point {
  return new Point('alarms')
    .tag('site', site)
    .tag('device', device)
    .tag('metric', metric)
    .tag('severity', severity)
    .floatField('value', f.value)
    .floatField('limit', f.limit)
    .booleanField('active', f.active)
    .stringField('message', f.message)
    .timestamp(new Date(at));
}
