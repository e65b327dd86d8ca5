/** One fixture machine's 24 hours: state changes, 1-minute telemetry, OEE, energy, emissions and KPI windows. */
import { line, PRICE, rng, tariffOf } from './fixture-lines.js';
import type { Fixture, FixtureMachine } from './plant-fixture.js';
import { SITE } from './plant-fixture.js';

const HOUR = 3_600_000;
const MIN = 60_000;

export function machineSeries(
  m: FixtureMachine,
  mi: number,
  start: number,
  fx: Fixture,
  out: string[],
): void {
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
    if (m.kind === 'lathe') fields['current_a'] = Math.round(((p * 1000) / (1.732 * 380 * 0.85)) * 100) / 100;
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
          ...(period === 'day' ? { failures: 3, mtbf_s: 25_200, mttr_s: 340 } : {}),
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
        // like analytics: only 15-minute windows name their tariff period (an hour may span two)
        { ...base, carrier: 'electricity', period: '1h' },
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
}
