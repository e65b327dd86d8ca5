/**
 * A realistic 24-hour plant written straight into InfluxDB with the schema of
 * docs/architecture.md#influxdb-schema, for API and browser tests: six machines on three lines (press, CNC,
 * retrofitted lathe, injection molder, boiler, stack monitor), 1-minute telemetry, machine-state changes, OEE
 * (1h/shift/day), energy (15m/1h with tariff), emissions, KPIs, device status and alarms (active, cleared,
 * acknowledged). Deterministic (seeded), anchored at `now`. Returns what it wrote so tests can compute
 * expected answers independently of the API.
 */

import { line } from './fixture-lines.js';
import { machineSeries } from './fixture-machine.js';

export const SITE = 'cq-plant1';
const HOUR = 3_600_000;
const MIN = 60_000;

export interface FixtureMachine {
  device: string;
  node: string;
  line: string;
  kind: string;
  /** nominal running power, kW */
  powerKw: number;
  idealCycleS: number;
  produces: boolean;
}

export const MACHINES: FixtureMachine[] = [
  {
    device: 'press-07',
    node: 'line3-gw',
    line: 'line3',
    kind: 'press',
    powerKw: 42,
    idealCycleS: 12,
    produces: true,
  },
  {
    device: 'cnc-01',
    node: 'line3-gw',
    line: 'line3',
    kind: 'cnc',
    powerKw: 18,
    idealCycleS: 95,
    produces: true,
  },
  {
    device: 'lathe-03',
    node: 'line3-gw',
    line: 'line3',
    kind: 'lathe',
    powerKw: 7.5,
    idealCycleS: 140,
    produces: true,
  },
  {
    device: 'molder-02',
    node: 'line1-gw',
    line: 'line1',
    kind: 'injection_molder',
    powerKw: 55,
    idealCycleS: 28,
    produces: true,
  },
  {
    device: 'boiler-01',
    node: 'util-gw',
    line: 'utilities',
    kind: 'boiler',
    powerKw: 3,
    idealCycleS: 0,
    produces: false,
  },
  {
    device: 'stack-01',
    node: 'util-gw',
    line: 'utilities',
    kind: 'stack_monitor',
    powerKw: 0.2,
    idealCycleS: 0,
    produces: false,
  },
];

export interface StatePoint {
  device: string;
  state: string;
  time: number;
}

export interface Fixture {
  now: number;
  start: number;
  lines: string[];
  states: StatePoint[];
  /** power_kw samples per device: [time, value] */
  power: Map<string, [number, number][]>;
  oeeRows: {
    device: string;
    period: string;
    time: number;
    planned_s: number;
    run_s: number;
    down_s: number;
    setup_s: number;
    total_count: number;
    good_count: number;
    performance: number;
  }[];
  energyRows: {
    device: string;
    carrier: string;
    period: string;
    tariff: string;
    time: number;
    consumption: number;
    cost: number;
    demand_kw: number;
    peak_kw: number;
  }[];
  emissionRows: { device: string; scope: string; source: string; time: number; co2e_kg: number }[];
  activeAlarms: { device: string; metric: string; severity: string; raisedAt: number }[];
}

export function buildFixture(now = Date.now()): { fixture: Fixture; lines: string[] } {
  const end = Math.floor(now / MIN) * MIN;
  const start = end - 24 * HOUR;
  const out: string[] = [];
  const fx: Fixture = {
    now: end,
    start,
    lines: [],
    states: [],
    power: new Map(),
    oeeRows: [],
    energyRows: [],
    emissionRows: [],
    activeAlarms: [],
  };
  MACHINES.forEach((m, mi) => {
    machineSeries(m, mi, start, fx, out);
  });

  // ---- day windows (energy, emissions, kpi) for the 7-day views
  for (const m of MACHINES) {
    const base = { site: SITE, device: m.device };
    const hours = fx.energyRows.filter((e) => e.device === m.device && e.period === '1h');
    for (const carrier of [...new Set(hours.map((e) => e.carrier))]) {
      const rows = hours.filter((e) => e.carrier === carrier);
      const consumption = rows.reduce((a, e) => a + e.consumption, 0);
      const cost = rows.reduce((a, e) => a + e.cost, 0);
      fx.energyRows.push({
        device: m.device,
        carrier,
        period: 'day',
        tariff: '',
        time: start,
        consumption,
        cost,
        demand_kw: 0,
        peak_kw: 0,
      });
      out.push(
        line(
          'energy',
          { ...base, carrier, period: 'day' },
          { consumption, unit: carrier === 'electricity' ? 'kWh' : 'm3', cost },
          start,
        ),
      );
    }
    for (const [scope, source] of [
      ['2', 'electricity'],
      ['1', 'natural_gas'],
    ] as const) {
      const rows = fx.emissionRows.filter((e) => e.device === m.device && e.source === source);
      if (rows.length === 0) continue;
      const co2e = rows.reduce((a, e) => a + e.co2e_kg, 0);
      out.push(line('emissions', { ...base, scope, source, period: 'day' }, { co2e_kg: co2e }, start));
    }
  }

  // ---- alarms
  const alarm = (
    device: string,
    metric: string,
    severity: string,
    t: number,
    active: boolean,
    value: number,
    limit: number,
    message: string,
    extra: Record<string, string | number | boolean> = {},
  ) =>
    out.push(
      line(
        'alarms',
        { site: SITE, device, metric, severity },
        { value, limit, active, message, ...extra },
        t,
      ),
    );
  alarm('stack-01', 'nox_mg_m3', 'high', end - 3 * HOUR, true, 107.3, 100, 'NOx above limit');
  alarm('stack-01', 'nox_mg_m3', 'high', end - 2 * HOUR, false, 71.2, 100, 'NOx back below limit');
  alarm(
    'molder-02',
    'barrel_temp_c',
    'critical',
    end - 20 * MIN,
    true,
    251.4,
    245,
    'barrel temperature above limit',
  );
  alarm(
    'press-07',
    'oil_temp_c',
    'warning',
    end - 50 * MIN,
    true,
    55.1,
    55,
    'hydraulic oil temperature high',
    {
      acked: true,
      acked_by: 'shift-lead',
      acked_at: end - 45 * MIN,
    },
  );
  alarm('cnc-01', 'spindle_rpm', 'warning', end - 14 * HOUR, true, 9950, 9800, 'spindle overspeed');
  alarm(
    'cnc-01',
    'spindle_rpm',
    'warning',
    end - 14 * HOUR + 4 * MIN,
    false,
    8400,
    9800,
    'spindle speed normal',
  );
  fx.activeAlarms.push(
    { device: 'molder-02', metric: 'barrel_temp_c', severity: 'critical', raisedAt: end - 20 * MIN },
    { device: 'press-07', metric: 'oil_temp_c', severity: 'warning', raisedAt: end - 50 * MIN },
  );
  fx.lines = [...new Set(MACHINES.map((m) => m.line))].sort();
  return { fixture: fx, lines: out };
}

/** Writes the fixture into `db` of the InfluxDB at `url` (ms precision). */
export async function writeFixture(url: string, db: string, now = Date.now()): Promise<Fixture> {
  const { fixture, lines } = buildFixture(now);
  for (let i = 0; i < lines.length; i += 5000) {
    const res = await fetch(`${url}/write?db=${encodeURIComponent(db)}&precision=ms`, {
      method: 'POST',
      body: lines.slice(i, i + 5000).join('\n'),
    });
    if (res.status !== 204) throw new Error(`fixture write failed: HTTP ${res.status} ${await res.text()}`);
  }
  return fixture;
}
