/**
 * A realistic 24-hour plant written straight into InfluxDB with the DESIGN.md §7 schema, for API and browser
 * tests: six machines on three lines (press, CNC, retrofitted lathe, injection molder, boiler, stack monitor),
 * 1-minute telemetry, machine-state changes, OEE (1h/shift/day), energy (15m/1h with tariff), emissions,
 * KPIs, device status and alarms (active, cleared, acknowledged). Deterministic (seeded), anchored at `now`.
 * Returns what it wrote so tests can compute expected answers independently of the API.
 */

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

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const esc = (s: string) => s.replace(/[,= ]/g, (c) => `\\${c}`);
const tagStr = (tags: Record<string, string>) =>
  Object.entries(tags)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${esc(k)}=${esc(v)}`)
    .join(',');
function line(
  m: string,
  tags: Record<string, string>,
  fields: Record<string, number | string | boolean>,
  t: number,
) {
  const f = Object.entries(fields)
    .map(([k, v]) =>
      typeof v === 'string'
        ? `${k}="${v.replace(/"/g, '\\"')}"`
        : typeof v === 'boolean'
          ? `${k}=${v}`
          : `${k}=${v}`,
    )
    .join(',');
  return `${m},${tagStr(tags)} ${f} ${t}`;
}

/** TOU band of an hour of the day (UTC in the fixture): valley 0–7, peak 8–11 and 17–21, flat otherwise. */
export function tariffOf(t: number): 'peak' | 'flat' | 'valley' {
  const h = new Date(t).getUTCHours();
  if (h < 8) return 'valley';
  if ((h >= 8 && h < 11) || (h >= 17 && h < 21)) return 'peak';
  return 'flat';
}
const PRICE = { peak: 1.12, flat: 0.68, valley: 0.31 } as const;

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
    const r = rng(1000 + mi);
    const base = { site: SITE, device: m.device };
    // ---- state timeline: minutes labelled with a state
    const stateAt: string[] = [];
    let cur = 'running';
    for (let i = 0; i < 24 * 60; i++) {
      const t = start + i * MIN;
      const h = new Date(t).getUTCHours();
      const minute = new Date(t).getUTCMinutes();
      if (!m.produces) cur = 'running';
      else if (h === 12 && minute < 30) cur = 'planned_stop';
      else if (cur === 'planned_stop') cur = 'setup';
      else if (cur === 'setup' && r() < 0.15) cur = 'running';
      else if (cur === 'running' && r() < 0.015) cur = r() < 0.5 ? 'down' : 'idle';
      else if ((cur === 'down' || cur === 'idle') && r() < 0.2) cur = 'running';
      // the molder is down right now, the lathe idle: the overview has colours to show
      if (m.device === 'molder-02' && i >= 24 * 60 - 25) cur = 'down';
      if (m.device === 'lathe-03' && i >= 24 * 60 - 7) cur = 'idle';
      if (m.device === 'press-07' && i >= 24 * 60 - 40) cur = 'running';
      stateAt.push(cur);
    }
    const codes: Record<string, number> = {
      running: 1,
      idle: 2,
      down: 3,
      planned_stop: 4,
      setup: 5,
      offline: 0,
    };
    for (let i = 0; i < stateAt.length; i++) {
      const s = stateAt[i] as string;
      if (i > 0 && stateAt[i - 1] === s) continue;
      let j = i;
      while (j < stateAt.length && stateAt[j] === s) j++;
      const t = start + i * MIN;
      fx.states.push({ device: m.device, state: s, time: t });
      out.push(line('machine_state', base, { state: s, code: codes[s] ?? 0, duration_s: (j - i) * 60 }, t));
    }
    // ---- telemetry every minute
    const power: [number, number][] = [];
    let parts = 10_000 * (mi + 1);
    for (let i = 0; i <= 24 * 60; i++) {
      const t = start + i * MIN;
      const s = stateAt[Math.min(i, stateAt.length - 1)] as string;
      const load =
        s === 'running' ? 0.85 + 0.15 * r() : s === 'idle' || s === 'setup' ? 0.25 + 0.05 * r() : 0.05;
      const p = Math.round(m.powerKw * load * 1000) / 1000;
      power.push([t, p]);
      const tags = { ...base, node: m.node, line: m.line, kind: m.kind };
      const fields: Record<string, number | boolean> = { power_kw: p };
      if (m.produces && s === 'running')
        parts += Math.max(0, Math.round((60 / m.idealCycleS) * (0.85 + 0.1 * r())));
      if (m.produces) fields['part_count'] = parts;
      if (m.kind === 'press') fields['oil_temp_c'] = Math.round((46 + 6 * load + r()) * 10) / 10;
      if (m.kind === 'cnc') fields['spindle_rpm'] = s === 'running' ? Math.round(8000 + 800 * r()) : 0;
      if (m.kind === 'lathe')
        fields['current_a'] = Math.round(((p * 1000) / (1.732 * 380 * 0.85)) * 100) / 100;
      if (m.kind === 'injection_molder') {
        // the barrel overheats at the end: an active alarm
        const hot = i >= 24 * 60 - 30 ? 22 : 0;
        fields['barrel_temp_c'] = Math.round((228 + 4 * r() + hot) * 10) / 10;
        fields['cycle_time_s'] = Math.round(m.idealCycleS * (1.05 + 0.1 * r()) * 10) / 10;
      }
      if (m.kind === 'boiler') {
        fields['gas_m3_h'] = Math.round((38 + 8 * Math.sin(i / 90) + 2 * r()) * 10) / 10;
        fields['steam_t_h'] = Math.round((0.55 + 0.1 * Math.sin(i / 90)) * 1000) / 1000;
      }
      if (m.kind === 'stack_monitor') {
        // NOx above its 100 mg/m³ limit between 3 h and 2 h ago
        const excursion = i >= 21 * 60 && i < 22 * 60 ? 45 : 0;
        fields['nox_mg_m3'] = Math.round((62 + 10 * Math.sin(i / 60) + 4 * r() + excursion) * 10) / 10;
        fields['so2_mg_m3'] = Math.round((18 + 5 * r()) * 10) / 10;
        fields['pm_mg_m3'] = Math.round((6 + 3 * r()) * 10) / 10;
        fields['noise_db'] = Math.round((68 + 4 * r()) * 10) / 10;
      }
      out.push(line('telemetry', tags, fields, t));
    }
    fx.power.set(m.device, power);
    out.push(
      line('device_status', { ...base, node: m.node }, { online: true, reason: 'DBIRTH' }, start + 5_000),
    );

    // ---- OEE windows: 1h, shift (8h), day
    const win = (period: string, from: number, len: number, shift?: string) => {
      let planned = 0;
      let run = 0;
      let down = 0;
      let setup = 0;
      for (let i = (from - start) / MIN; i < (from - start + len) / MIN; i++) {
        const s = stateAt[i];
        if (s === undefined) continue;
        if (s !== 'planned_stop') planned += 60;
        if (s === 'running') run += 60;
        if (s === 'down') down += 60;
        if (s === 'setup') setup += 60;
      }
      const performance = run > 0 ? 0.88 + 0.04 * Math.sin(from / HOUR + mi) : 0;
      const total = Math.round((run * performance) / m.idealCycleS);
      const good = Math.round(total * (0.975 + 0.01 * Math.cos(from / HOUR)));
      const tags: Record<string, string> = { ...base, period, level: 'machine' };
      if (shift) tags['shift'] = shift;
      const a = planned > 0 ? run / planned : 0;
      const q = total > 0 ? good / total : 1;
      fx.oeeRows.push({
        device: m.device,
        period,
        time: from,
        planned_s: planned,
        run_s: run,
        down_s: down,
        setup_s: setup,
        total_count: total,
        good_count: good,
        performance,
      });
      out.push(
        line(
          'oee',
          tags,
          {
            availability: a,
            performance,
            quality: q,
            oee: a * performance * q,
            planned_s: planned,
            run_s: run,
            down_s: down,
            setup_s: setup,
            total_count: total,
            good_count: good,
            ideal_s: run * performance,
          },
          from,
        ),
      );
      // analytics' own roll-up of the line, under the line's name: the API must not count it twice
      out.push(
        line(
          'oee',
          { site: SITE, device: m.line, level: 'line', period, ...(shift ? { shift } : {}) },
          {
            availability: 0.5,
            performance: 0.5,
            quality: 0.5,
            oee: 0.125,
            planned_s: 1e6,
            run_s: 1e5,
            down_s: 0,
            setup_s: 0,
            total_count: 1e6,
            good_count: 1,
            ideal_s: 1,
          },
          from,
        ),
      );
      return { good };
    };
    if (m.produces) {
      for (let h = 0; h < 24; h++) win('1h', start + h * HOUR, HOUR);
      for (let s = 0; s < 3; s++) win('shift', start + s * 8 * HOUR, 8 * HOUR, ['A', 'B', 'C'][s]);
      win('day', start, 24 * HOUR);
    }

    // ---- energy: electricity per 15 min and per hour; gas for the boiler
    for (let q = 0; q < 24 * 4; q++) {
      const from = start + q * 15 * MIN;
      const samples = power.slice(q * 15, q * 15 + 16);
      let kwh = 0;
      for (let k = 1; k < samples.length; k++) {
        const [t0, p0] = samples[k - 1] as [number, number];
        const [t1, p1] = samples[k] as [number, number];
        kwh += ((p0 + p1) / 2) * ((t1 - t0) / HOUR);
      }
      const tariff = tariffOf(from);
      const peakKw = Math.max(...samples.map((x) => x[1]));
      const row = {
        device: m.device,
        carrier: 'electricity',
        period: '15m',
        tariff,
        time: from,
        consumption: kwh,
        cost: kwh * PRICE[tariff],
        demand_kw: kwh * 4,
        peak_kw: peakKw,
      };
      fx.energyRows.push(row);
      out.push(
        line(
          'energy',
          { ...base, carrier: 'electricity', period: '15m', tariff },
          { consumption: kwh, unit: 'kWh', demand_kw: kwh * 4, peak_kw: peakKw, cost: row.cost },
          from,
        ),
      );
    }
    for (let h = 0; h < 24; h++) {
      const from = start + h * HOUR;
      const quarter = fx.energyRows.filter(
        (e) => e.device === m.device && e.period === '15m' && e.time >= from && e.time < from + HOUR,
      );
      const kwh = quarter.reduce((s, e) => s + e.consumption, 0);
      const cost = quarter.reduce((s, e) => s + e.cost, 0);
      const tariff = tariffOf(from);
      const demand = Math.max(...quarter.map((e) => e.demand_kw));
      const peakKw = Math.max(...quarter.map((e) => e.peak_kw));
      fx.energyRows.push({
        device: m.device,
        carrier: 'electricity',
        period: '1h',
        tariff,
        time: from,
        consumption: kwh,
        cost,
        demand_kw: demand,
        peak_kw: peakKw,
      });
      out.push(
        line(
          'energy',
          { ...base, carrier: 'electricity', period: '1h', tariff },
          { consumption: kwh, unit: 'kWh', demand_kw: demand, peak_kw: peakKw, cost },
          from,
        ),
      );
      const co2 = kwh * 0.5306;
      fx.emissionRows.push({ device: m.device, scope: '2', source: 'electricity', time: from, co2e_kg: co2 });
      out.push(
        line(
          'emissions',
          { ...base, scope: '2', source: 'electricity', period: '1h' },
          { co2e_kg: co2, factor: 0.5306 },
          from,
        ),
      );
      if (m.kind === 'boiler') {
        const gas = (fx.power.get(m.device) ?? []).length > 0 ? 38 + 8 * Math.sin((h * 60) / 90) : 0;
        fx.energyRows.push({
          device: m.device,
          carrier: 'natural_gas',
          period: '1h',
          tariff: '',
          time: from,
          consumption: gas,
          cost: gas * 3.1,
          demand_kw: 0,
          peak_kw: 0,
        });
        out.push(
          line(
            'energy',
            { ...base, carrier: 'natural_gas', period: '1h' },
            { consumption: gas, unit: 'm3', cost: gas * 3.1 },
            from,
          ),
        );
        const co2g = gas * 2.162;
        fx.emissionRows.push({
          device: m.device,
          scope: '1',
          source: 'natural_gas',
          time: from,
          co2e_kg: co2g,
        });
        out.push(
          line(
            'emissions',
            { ...base, scope: '1', source: 'natural_gas', period: '1h' },
            { co2e_kg: co2g, factor: 2.162 },
            from,
          ),
        );
      }
      if (m.produces) {
        const o = fx.oeeRows.find((x) => x.device === m.device && x.period === '1h' && x.time === from);
        const good = o?.good_count ?? 0;
        if (good > 0) {
          out.push(
            line(
              'kpi',
              { ...base, period: '1h' },
              { kwh_per_good_part: kwh / good, co2e_kg_per_good_part: co2 / good },
              from,
            ),
          );
        }
      }
    }
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
