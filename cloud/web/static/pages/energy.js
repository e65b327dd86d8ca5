// Energy (能源管控): consumption by machine and carrier, 15-minute demand against the peak, cost by tariff period,
// kWh per good part.
import { get, snapshot } from '../api.js';
import { chart, PALETTE, timeAxis, valueAxis } from '../charts.js';
import { escapeHtml, int, num } from '../format.js';
import { t, tv } from '../i18n.js';
import { currentRange, RANGES, rangeControl } from '../range.js';

const PRICE_COLOURS = ['#e5484d', '#ff7b45', '#f2b134', '#4c8dff', '#2fbf71'];
const TARIFF_COLOURS = {
  sharp: '#e5484d',
  peak: '#ff7b45',
  flat: '#f2b134',
  valley: '#4c8dff',
  default: '#8b98ab',
};
// Conventional period names of a tariff config (English ids or the Chinese names) → one label key each, so a
// config naming its periods peak/flat/valley or 峰/平/谷 reads 峰/平/谷 in Chinese and Peak/Flat/Valley in English.
// Any other name is shown as configured.
const TARIFF_IDS = {
  sharp: 'sharp',
  critical: 'sharp',
  critical_peak: 'sharp',
  'critical-peak': 'sharp',
  'critical peak': 'sharp',
  criticalpeak: 'sharp',
  尖峰: 'sharp',
  尖: 'sharp',
  peak: 'peak',
  峰: 'peak',
  高峰: 'peak',
  flat: 'flat',
  平: 'flat',
  平段: 'flat',
  valley: 'valley',
  谷: 'valley',
  低谷: 'valley',
  default: 'default',
};

/** The label key (`sharp`, `peak`, `flat`, `valley`, `default`) of a configured period name, if conventional. */
export function tariffId(name) {
  return Object.hasOwn(TARIFF_IDS, name.trim().toLowerCase())
    ? TARIFF_IDS[name.trim().toLowerCase()]
    : undefined;
}

/** Label of a `totals.byTariff` entry: the period in the page language, or the unit price of untagged windows. */
function tariffLabel(x) {
  if (x.tariff === null) return `¥${num(x.price ?? 0, 2)}/${x.unit}`;
  const id = tariffId(x.tariff);
  return id ? t(`tariff.${id}`) : x.tariff;
}

export function dispose() {}

const sumPower = (power) => [...power.values()].reduce((s, v) => s + (typeof v === 'number' ? v : 0), 0);

export async function render(root, ctx) {
  const site = ctx.site;
  const key = currentRange(ctx.params);
  const range = RANGES[key];
  const span = t(`range.${key}`);
  const axis = () => timeAxis({ min: Date.now() - range.spanMs });
  const [now, hourly, quarter, kpi, oee] = await Promise.all([
    snapshot('overview', { site }),
    get('energy', { site, period: range.period, from: range.from }),
    get('energy', { site, period: '15m', carrier: 'electricity', from: range.from }),
    get('kpi', { site, period: range.period, from: range.from }),
    get('oee', { site, period: range.period, groupBy: 'site', from: range.from }),
  ]);
  const elec = hourly.rows.filter((r) => r.carrier === 'electricity');
  const kwh = elec.reduce((s, r) => s + (r.consumption ?? 0), 0);
  const cost = hourly.rows.reduce((s, r) => s + (r.cost ?? 0), 0);
  const good = oee.groups[0]?.totals.good_count ?? 0;
  const other = hourly.totals.byCarrier.find((c) => c.carrier !== 'electricity');

  // cost and consumption of electricity per tariff period (the API totals the 15-minute windows by their `tariff`
  // tag, most expensive unit price first; windows stored before the tag existed come grouped by unit price)
  const tariffs = quarter.totals.byTariff.filter((x) => x.carrier === 'electricity' && x.consumption > 0);

  // plant demand per 15 minutes = sum of machines' demand in the same window
  const demand = new Map();
  for (const r of quarter.rows) demand.set(r.time, (demand.get(r.time) ?? 0) + (r.demand_kw ?? 0));
  const demandSeries = [...demand.entries()].sort((a, b) => a[0] - b[0]);
  const plantPeak = demandSeries.reduce((m, [, v]) => Math.max(m, v), 0);
  const plantPeakAt = demandSeries.find(([, v]) => v === plantPeak)?.[0];

  // plant power now: the overview snapshot's machine power, then live power values after it
  const power = new Map(now.data.tiles.map((x) => [x.device, x.powerKw]));
  root.innerHTML = `
    <div class="page-head">${rangeControl('energy', key)}</div>
    <section class="kpis">
      <div class="kpi"><div class="label">${t('ov.power')}</div><div class="value" data-testid="energy-power-now">${num(sumPower(power), 1)}<small>kW</small></div></div>
      <div class="kpi"><div class="label">${t('e.elec')} · ${span}</div><div class="value" data-testid="energy-total">${int(kwh)}<small>kWh</small></div></div>
      <div class="kpi"><div class="label">${t('e.cost')}</div><div class="value" data-testid="energy-cost">¥${int(cost)}</div></div>
      <div class="kpi"><div class="label">${t('e.peak')}</div><div class="value" data-testid="energy-peak">${num(plantPeak, 1)}<small>kW</small></div></div>
      <div class="kpi"><div class="label">${t('e.perPart')}</div><div class="value" data-testid="energy-per-part">${good ? num(kwh / good, 3) : '–'}<small>kWh</small></div></div>
      ${other ? `<div class="kpi"><div class="label">${escapeHtml(tv('carrier', other.carrier))} · ${span}</div><div class="value">${num(other.consumption, 0)}<small>${escapeHtml(other.unit)}</small></div></div>` : ''}
    </section>
    <div class="grid g-main">
      <section class="panel"><h2>${t(key === '24h' ? 'e.byMachine' : 'e.byMachineDay')}</h2><div class="chart tall" id="by-machine"></div></section>
      <section class="panel"><h2>${t('e.byTariff')}</h2><div class="chart" id="tariff"></div>
        <div class="table-wrap"><table data-testid="tariffs"><thead><tr><th>${t('e.tariffPeriod')}</th><th class="num">kWh</th><th class="num">¥</th><th class="num">¥/kWh</th></tr></thead><tbody>
        ${tariffs
          .map(
            (x) =>
              `<tr data-tariff="${escapeHtml(x.tariff ?? '')}"><td>${escapeHtml(tariffLabel(x))}</td><td class="num">${num(x.consumption, 1)}</td><td class="num">${int(x.cost)}</td><td class="num">${num(x.cost / x.consumption, 2)}</td></tr>`,
          )
          .join('')}
        </tbody></table></div>
      </section>
    </div>
    <div class="grid g-main" style="margin-top:12px">
      <section class="panel"><h2>${t('e.demand')}</h2><div class="chart" id="demand"></div></section>
      <section class="panel"><h2>${t('e.byCarrier')}</h2>
        <div class="table-wrap"><table data-testid="carriers"><thead><tr><th>${t('e.byCarrier')}</th><th>${t('al.device')}</th><th class="num">${span}</th><th class="num">¥</th></tr></thead><tbody>
        ${hourly.totals.byDevice
          .sort((a, b) => a.carrier.localeCompare(b.carrier) || b.consumption - a.consumption)
          .map(
            (r) =>
              `<tr><td>${escapeHtml(tv('carrier', r.carrier))}</td><td>${escapeHtml(r.device)}</td><td class="num">${num(r.consumption, 1)} ${escapeHtml(r.unit)}</td><td class="num">${int(r.cost)}</td></tr>`,
          )
          .join('')}
        </tbody></table></div>
      </section>
    </div>
    <section class="panel" style="margin-top:12px"><h2>${t('e.perPart')}</h2><div class="chart" id="per-part"></div></section>`;

  const showPower = () => {
    const el = root.querySelector('[data-testid="energy-power-now"]');
    if (el) el.innerHTML = `${num(sumPower(power), 1)}<small>kW</small>`;
  };
  const onEvent = async (type, e) => {
    if (type === 'value' && e.metric === 'power_kw' && power.has(e.device)) {
      power.set(e.device, e.quality === 'bad' ? null : e.value);
      showPower();
    } else if (type === 'lagged') {
      const fresh = await snapshot('overview', { site }).catch(() => undefined);
      if (!fresh) return;
      for (const x of fresh.data.tiles) power.set(x.device, x.powerKw);
      showPower();
      ctx.replay(onEvent, fresh.eventId);
    }
  };
  ctx.onLive(onEvent, now.eventId);

  const devices = [...new Set(elec.map((r) => r.device))].sort();
  chart(root.querySelector('#by-machine'), {
    xAxis: axis(),
    yAxis: valueAxis('kWh'),
    tooltip: { trigger: 'axis', valueFormatter: (v) => `${num(v, 1)} kWh` },
    series: devices.map((d) => ({
      name: d,
      type: 'bar',
      stack: 'kwh',
      barMaxWidth: 18,
      data: elec.filter((r) => r.device === d).map((r) => [r.time, r.consumption]),
    })),
  });

  const tariffName = tariffLabel;
  chart(root.querySelector('#tariff'), {
    tooltip: { trigger: 'item', valueFormatter: (v) => `¥${num(v, 0)}` },
    legend: {
      bottom: 0,
      top: 'auto',
      textStyle: { color: '#c9d4e3', fontSize: 13 },
      formatter: (name) => {
        const x = tariffs.find((y) => tariffName(y) === name);
        const all = tariffs.reduce((sum, y) => sum + y.cost, 0);
        return x ? `${name}  ¥${int(x.cost)} · ${num((x.cost / (all || 1)) * 100, 0)}%` : name;
      },
    },
    series: [
      {
        type: 'pie',
        radius: ['42%', '70%'],
        center: ['50%', '45%'],
        itemStyle: { borderColor: '#121c2e', borderWidth: 2 },
        label: {
          // the same text for every slice, in the hole: the total
          show: true,
          position: 'center',
          color: '#e6edf7',
          fontSize: 18,
          fontWeight: 700,
          formatter: () => `¥${int(tariffs.reduce((sum, y) => sum + y.cost, 0))}`,
        },
        emphasis: { scale: false, label: { show: true } },
        data: tariffs.map((x, i) => ({
          name: tariffName(x),
          value: x.cost,
          itemStyle: {
            color: TARIFF_COLOURS[tariffId(x.tariff ?? '') ?? ''] ?? PRICE_COLOURS[i % PRICE_COLOURS.length],
          },
        })),
      },
    ],
  });

  chart(root.querySelector('#demand'), {
    xAxis: axis(),
    yAxis: valueAxis('kW'),
    tooltip: { trigger: 'axis', valueFormatter: (v) => `${num(v, 1)} kW` },
    series: [
      {
        name: t('e.demandSeries'),
        type: 'line',
        step: 'end',
        showSymbol: false,
        areaStyle: { opacity: 0.12 },
        data: demandSeries,
        itemStyle: { color: PALETTE[0] },
        markLine: {
          symbol: 'none',
          label: {
            color: '#ff7b45',
            position: 'insideEndTop',
            formatter: `${t('e.peakLine')} ${num(plantPeak, 1)} kW`,
          },
          lineStyle: { color: '#ff7b45', type: 'dashed' },
          data: [{ yAxis: plantPeak }],
        },
        markPoint: plantPeakAt
          ? {
              data: [{ coord: [plantPeakAt, plantPeak] }],
              symbolSize: 36,
              itemStyle: { color: '#ff7b45' },
              label: { show: false },
            }
          : undefined,
      },
    ],
  });

  const kpiDevices = [...new Set(kpi.rows.map((r) => r.device))].sort();
  chart(root.querySelector('#per-part'), {
    xAxis: axis(),
    yAxis: valueAxis('kWh'),
    tooltip: { trigger: 'axis', valueFormatter: (v) => num(v, 3) },
    series: kpiDevices.map((d) => ({
      name: d,
      type: 'line',
      showSymbol: false,
      smooth: true,
      data: kpi.rows
        .filter((r) => r.device === d && r.kwh_per_good_part > 0)
        .map((r) => [r.time, r.kwh_per_good_part]),
    })),
  });
}
