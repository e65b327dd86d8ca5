// Emissions (环境排放监控): CO2e by scope and source, per good part, and stack pollutants against their limits.
import { get, snapshot } from '../api.js';
import { chart, timeAxis, valueAxis } from '../charts.js';
import { escapeHtml, num } from '../format.js';
import { getLang, metricUnit, t, tv } from '../i18n.js';
import { currentRange, RANGES, rangeControl } from '../range.js';

/** Telemetry metrics of stack monitors shown against limits (by name; extend when new analysers appear). */
const POLLUTANTS = [
  'nox_mg_m3',
  'so2_mg_m3',
  'pm_mg_m3',
  'co_mg_m3',
  'noise_db',
  // HJ 212 dataloggers (agent/sources/hj212): O2-corrected gas concentrations, wastewater, noise
  'a21002_zsrtd',
  'a21026_zsrtd',
  'a34013_zsrtd',
  'w01018_rtd',
  'w21003_rtd',
  'leq_rtd',
];
const SOURCE_COLOURS = { electricity: '#4c8dff', natural_gas: '#ff7b45', diesel: '#e07be0' };

export function dispose() {}

export async function render(root, ctx) {
  const site = ctx.site;
  const key = currentRange(ctx.params);
  const range = RANGES[key];
  const span = t(`range.${key}`);
  const axis = () => timeAxis({ min: Date.now() - range.spanMs });
  const stacks = ctx.devices.filter((d) => d.metrics.some((m) => POLLUTANTS.includes(m.name)));
  // the stacks' current readings: one latest snapshot per stack device, then live values after each
  const nowSnaps = await Promise.all(
    stacks.map((d) =>
      snapshot(`devices/${encodeURIComponent(d.device)}/latest`, {
        site,
        metric: d.metrics
          .filter((m) => POLLUTANTS.includes(m.name))
          .map((m) => m.name)
          .join(','),
      }),
    ),
  );
  const [em, oee, kpi, limits, alarms, mass] = await Promise.all([
    get('emissions', { site, period: range.period, from: range.from }),
    get('oee', { site, period: range.period, groupBy: 'site', from: range.from }),
    get('kpi', { site, period: range.period, from: range.from }),
    get('limits', { site }),
    get('alarms', { site, status: 'all', from: range.from }),
    // HJ 212 outlets: kg per pollutant over the range (at most 31 days are computed)
    get('emissions/mass', { site, from: range.from }).catch(() => ({ totals: [] })),
  ]);
  const exceed = alarms.filter((a) => POLLUTANTS.includes(a.metric)).length;
  const pollutantSeries = await Promise.all(
    stacks.flatMap((d) =>
      d.metrics
        .filter((m) => POLLUTANTS.includes(m.name))
        .sort((a, b) => POLLUTANTS.indexOf(a.name) - POLLUTANTS.indexOf(b.name))
        .map(async (m) => ({
          device: d.device,
          metric: m.name,
          unit: metricUnit(m.name, m.unit),
          history: await get(`devices/${encodeURIComponent(d.device)}/metrics/${m.name}/history`, {
            site,
            from: range.from,
            step: range.step,
            aggregate: 'mean',
          }),
        })),
    ),
  );
  const scope = (s) => em.totals.byScope.find((x) => x.scope === s)?.co2e_kg ?? 0;
  const good = oee.groups[0]?.totals.good_count ?? 0;
  const total = em.totals.co2e_kg;

  root.innerHTML = `
    <div class="page-head">${rangeControl('emissions', key)}</div>
    <section class="kpis">
      <div class="kpi"><div class="label">${t('em.co2')} · ${span}</div><div class="value" data-testid="em-total">${num(total / 1000, 2)}<small>t CO₂e</small></div></div>
      <div class="kpi"><div class="label">${t('em.scope1')}</div><div class="value" data-testid="em-scope1">${num(scope('1') / 1000, 2)}<small>t</small></div></div>
      <div class="kpi"><div class="label">${t('em.scope2')}</div><div class="value" data-testid="em-scope2">${num(scope('2') / 1000, 2)}<small>t</small></div></div>
      <div class="kpi"><div class="label">${t('em.perPart')}</div><div class="value" data-testid="em-per-part">${good ? num((total / good) * 1000, 1) : '–'}<small>g</small></div></div>
      <div class="kpi ${exceed ? 'alert' : ''}"><div class="label">${t('em.exceed')}</div><div class="value" data-testid="em-exceed">${exceed}</div></div>
    </section>
    <div class="grid g-main">
      <section class="panel"><h2>${t('em.byScope')}</h2><div class="chart tall" id="by-scope"></div></section>
      <section class="panel"><h2>${t('em.perPartTrend')}</h2><div class="chart tall" id="per-part"></div></section>
    </div>
    <section class="panel" style="margin-top:12px"><h2>${t('em.stack')}</h2>
      <div class="grid g2" data-testid="stack">${pollutantSeries
        .map(
          (p, i) =>
            `<div><div class="muted" style="margin-bottom:4px">${escapeHtml(p.device)} · ${escapeHtml(tv('pol', p.metric))} · <b class="pol-now" data-testid="pol-now" data-device="${escapeHtml(p.device)}" data-metric="${escapeHtml(p.metric)}"></b></div><div class="chart short" id="pol-${i}"></div></div>`,
        )
        .join('')}</div>
    </section>
    ${
      mass.totals.length
        ? `<section class="panel" style="margin-top:12px"><h2>${t('em.mass')} · ${span}</h2>
      <div class="table-wrap"><table data-testid="em-mass"><thead><tr><th>${t('em.outlet')}</th><th>${t('em.pollutant')}</th><th class="num">kg</th></tr></thead><tbody>${mass.totals
        .map(
          (m) =>
            `<tr data-device="${escapeHtml(m.device)}" data-code="${escapeHtml(m.code)}"><td>${escapeHtml(m.device)}</td><td>${escapeHtml(getLang() === 'zh-CN' ? `${m.zh} ${m.code}` : `${m.en} ${m.code}`)}</td><td class="num">${num(m.kg, 2)}</td></tr>`,
        )
        .join('')}</tbody></table></div><p class="muted">${t('em.massNote')}</p></section>`
        : ''
    }`;

  const units = new Map(pollutantSeries.map((p) => [`${p.device}|${p.metric}`, p.unit]));
  const showNow = (device, metric, value) => {
    const el = root.querySelector(
      `[data-testid="pol-now"][data-device="${CSS.escape(device)}"][data-metric="${CSS.escape(metric)}"]`,
    );
    if (el && typeof value === 'number')
      el.textContent = `${num(value, 1)} ${units.get(`${device}|${metric}`) ?? ''}`;
  };
  const stackNames = new Set(stacks.map((d) => d.device));
  const onEvent = async (type, e) => {
    if (type === 'value' && stackNames.has(e.device) && POLLUTANTS.includes(e.metric)) {
      showNow(e.device, e.metric, e.value);
    } else if (type === 'lagged') {
      for (const d of stacks) {
        const fresh = await snapshot(`devices/${encodeURIComponent(d.device)}/latest`, { site }).catch(
          () => undefined,
        );
        if (!fresh) continue;
        for (const v of fresh.data) showNow(d.device, v.metric, v.value);
        ctx.replay(onEvent, fresh.eventId);
      }
    }
  };
  stacks.forEach((d, i) => {
    for (const v of nowSnaps[i].data) showNow(d.device, v.metric, v.value);
  });
  ctx.onLive(onEvent, ...nowSnaps.map((x) => x.eventId));

  const sources = [...new Set(em.rows.map((r) => `${r.scope}|${r.source}`))].sort();
  const times = [...new Set(em.rows.map((r) => r.time))].sort((a, b) => a - b);
  chart(root.querySelector('#by-scope'), {
    xAxis: axis(),
    yAxis: valueAxis('kg CO₂e'),
    tooltip: { trigger: 'axis', valueFormatter: (v) => `${num(v, 1)} kg` },
    series: sources.map((key) => {
      const [sc, src] = key.split('|');
      const rows = em.rows.filter((r) => r.scope === sc && r.source === src);
      return {
        name: `${sc === '1' ? t('em.scope1') : sc === '2' ? t('em.scope2') : sc} · ${tv('src', src)}`,
        type: 'bar',
        stack: 'co2',
        barMaxWidth: 18,
        itemStyle: { color: SOURCE_COLOURS[src] },
        data: times.map((tm) => [
          tm,
          rows.filter((r) => r.time === tm).reduce((s, r) => s + (r.co2e_kg ?? 0), 0),
        ]),
      };
    }),
  });

  const kpiDevices = [...new Set(kpi.rows.map((r) => r.device))].sort();
  chart(root.querySelector('#per-part'), {
    xAxis: axis(),
    yAxis: valueAxis('g CO₂e'),
    tooltip: { trigger: 'axis', valueFormatter: (v) => `${num(v, 1)} g` },
    series: kpiDevices.map((d) => ({
      name: d,
      type: 'line',
      showSymbol: false,
      smooth: true,
      data: kpi.rows
        .filter((r) => r.device === d && r.co2e_kg_per_good_part > 0)
        .map((r) => [r.time, r.co2e_kg_per_good_part * 1000]),
    })),
  });

  pollutantSeries.forEach((p, i) => {
    const lim = limits.find((l) => l.metric === p.metric && (l.device === null || l.device === p.device));
    const max = Math.max(...p.history.points.map((x) => x[1]), lim?.limit ?? 0);
    chart(root.querySelector(`#pol-${i}`), {
      grid: { left: 40, right: 56, top: 10, bottom: 22 },
      legend: { show: false },
      xAxis: axis(),
      yAxis: valueAxis('', { max: Math.ceil(max * 1.1) }),
      tooltip: { trigger: 'axis', valueFormatter: (v) => `${num(v, 1)} ${p.unit ?? ''}` },
      series: [
        {
          type: 'line',
          showSymbol: false,
          data: p.history.points,
          itemStyle: { color: '#4cc9f0' },
          areaStyle: { opacity: 0.08 },
          markArea: lim
            ? {
                silent: true,
                itemStyle: { color: 'rgba(229,72,77,0.10)' },
                data: [[{ yAxis: lim.limit }, { yAxis: 'max' }]],
              }
            : undefined,
          markLine: lim
            ? {
                symbol: 'none',
                lineStyle: { color: '#e5484d', type: 'dashed' },
                label: {
                  color: '#e5484d',
                  position: 'insideEndTop',
                  formatter: `${t('em.limit')} ${num(lim.limit, 0)}`,
                },
                data: [{ yAxis: lim.limit }],
              }
            : undefined,
        },
      ],
    });
  });
}
