// Machine detail: live trend, latest values, 24-hour state timeline, OEE with A/P/Q and the loss waterfall,
// counts, hourly OEE, energy per hour and kWh per good part.
import { get, snapshot } from '../api.js';
import { chart, STATE_COLOURS, timeAxis, valueAxis } from '../charts.js';
import { duration, escapeHtml, int, num, pct, time } from '../format.js';
import { metricLabel, metricUnit, t, tv } from '../i18n.js';

const TREND_WINDOW = 2 * 3_600_000;

export function dispose() {}

export async function render(root, ctx) {
  const devices = ctx.devices;
  const device =
    ctx.arg ||
    devices.find((d) => d.tags?.kind && d.metrics.some((m) => m.name === 'part_count'))?.device ||
    devices[0]?.device;
  if (!device) {
    root.innerHTML = `<div class="empty">${t('nodata')}</div>`;
    return;
  }
  const info = devices.find((d) => d.device === device);
  // trend the analogue signals: power first; not counters, codes or cumulative meters
  const cumulative = /(_count|_code|_kwh|_total_m3)$/;
  const numeric = (info?.metrics ?? []).filter(
    (m) => m.kind !== 'string' && m.kind !== 'boolean' && !cumulative.test(m.name),
  );
  numeric.sort((a, b) => Number(b.name === 'power_kw') - Number(a.name === 'power_kw'));
  const trendMetrics = numeric.slice(0, 4).map((m) => m.name);
  const site = ctx.site;
  const [latestSnap, statesSnap, oeeShift, oeeHourly, oeeDay, energy, kpi, ...trends] = await Promise.all([
    snapshot(`devices/${encodeURIComponent(device)}/latest`, { site }),
    snapshot(`devices/${encodeURIComponent(device)}/states`, { site, from: '-24h' }),
    get('oee', { site, device, period: 'shift', from: '-24h' }),
    get('oee', { site, device, period: '1h', from: '-24h' }),
    get('oee', { site, device, period: 'day', from: '-48h' }),
    get('energy', { site, device, period: '1h', from: '-24h' }),
    get('kpi', { site, device, period: '1h', from: '-24h' }),
    ...trendMetrics.map((m) =>
      get(`devices/${encodeURIComponent(device)}/metrics/${m}/history`, {
        site,
        from: '-2h',
        step: '1m',
        aggregate: 'mean',
      }),
    ),
  ]);
  const latest = latestSnap.data;
  const states = statesSnap.data;
  const current = states.spans.at(-1);
  // the current shift's window; without a shift calendar the day's, else the last 24 hourly windows summed
  const shiftWin = oeeShift.groups[0]?.windows.at(-1);
  const hourlyTotals = oeeHourly.groups[0]?.totals;
  const shift = shiftWin ?? (hourlyTotals && hourlyTotals.planned_s > 0 ? hourlyTotals : undefined);
  const oeeLabel = shiftWin ? t('oee.shift') : '24h';
  const state = info?.online === false ? 'offline' : (current?.state ?? 'unknown');

  root.innerHTML = `
    <div class="machine-head">
      <h1 data-testid="machine-name">${escapeHtml(device)}</h1>
      <span class="chip state-${escapeHtml(state)}" data-state="${escapeHtml(state)}" data-testid="machine-state">${escapeHtml(tv('state', state))}</span>
      <span class="muted">${escapeHtml(info?.tags?.line ?? '')} · ${escapeHtml(info?.tags?.kind ? tv('kind', info.tags.kind) : '')}${
        current ? ` · ${t('ov.since')} ${duration(Date.now() - current.start)}` : ''
      }</span>
      <select id="pick" aria-label="${t('m.pick')}">${devices
        .map(
          (d) =>
            `<option value="${escapeHtml(d.device)}" ${d.device === device ? 'selected' : ''}>${escapeHtml(d.device)}</option>`,
        )
        .join('')}</select>
    </div>
    <div class="grid g-main">
      <section class="panel"><h2>${t('m.trend')}</h2><div class="chart" id="trend"></div></section>
      <section class="panel"><h2>${t('m.latest')}</h2><div class="values" data-testid="latest">${latest
        .map(
          (v) =>
            `<div data-metric="${escapeHtml(v.metric)}"><div class="k" title="${escapeHtml(v.metric)}">${escapeHtml(metricLabel(v.metric))}</div><div class="v">${
              typeof v.value === 'number'
                ? num(v.value, Number.isInteger(v.value) ? 0 : 1)
                : escapeHtml(String(v.value))
            }<small class="muted"> ${escapeHtml(metricUnit(v.metric, v.unit))}</small></div></div>`,
        )
        .join('')}</div></section>
    </div>
    <section class="panel" style="margin-top:12px"><h2>${t('m.timeline')}</h2><div class="legend" data-testid="state-totals">${Object.entries(
      states.totals,
    )
      .sort((a, b) => b[1] - a[1])
      .map(
        ([st, sec]) =>
          `<span class="chip state-${escapeHtml(st)}">${escapeHtml(tv('state', st))} · ${duration(sec * 1000)}</span>`,
      )
      .join('')}</div><div class="chart timeline" id="timeline"></div></section>
    <div class="grid g3" style="margin-top:12px">
      <section class="panel" data-testid="oee-panel"><h2>${t('oee')} · ${oeeLabel}</h2>${oeeBlock(shift)}${reliabilityBlock(
        oeeDay.groups[0]?.windows.at(-1),
      )}</section>
      <section class="panel"><h2>${t('loss.title')}</h2>${
        shift ? '<div class="chart" id="losses"></div>' : `<div class="empty">${t('nodata')}</div>`
      }</section>
      <section class="panel"><h2>${t('m.oeeHourly')}</h2><div class="chart" id="oeeh"></div></section>
    </div>
    <div class="grid g2" style="margin-top:12px">
      <section class="panel"><h2>${t('m.energy')}</h2><div class="chart" id="energy"></div></section>
      <section class="panel"><h2>${t('m.kwhPerPart')}</h2><div class="chart" id="kpi"></div></section>
    </div>`;

  root.querySelector('#pick').addEventListener('change', (e) => {
    location.hash = `#/machine/${encodeURIComponent(e.target.value)}`;
  });

  // live trend: history, then live values appended
  const series = trendMetrics.map((m, i) => ({
    name: `${metricLabel(m)} ${metricUnit(m) ? `(${metricUnit(m)})` : ''}`,
    type: 'line',
    showSymbol: trends[i].points.length < 3,
    smooth: true,
    yAxisIndex: i === 0 ? 0 : 1,
    lineStyle: { width: i === 0 ? 2 : 1.4 },
    areaStyle: i === 0 ? { opacity: 0.08 } : undefined,
    data: trends[i].points,
  }));
  const trend = chart(root.querySelector('#trend'), {
    xAxis: timeAxis({ min: Date.now() - TREND_WINDOW, max: null }),
    yAxis: [valueAxis(metricUnit(trendMetrics[0] ?? '')), valueAxis('', { splitLine: { show: false } })],
    grid: { left: 48, right: 40, top: 40, bottom: 28 },
    series,
  });
  // Live values and state after the snapshots (their Live-Event-Ids): what changed while they loaded is replayed;
  // after a gap (reconnect, lag) the snapshot is reloaded and what happened after it replayed.
  const setValue = (metric, value) => {
    const cell = root.querySelector(`[data-metric="${CSS.escape(metric)}"] .v`);
    if (cell && typeof value === 'number')
      cell.firstChild.textContent = num(value, Number.isInteger(value) ? 0 : 1);
  };
  const setState = (st) => {
    const chip = root.querySelector('[data-testid="machine-state"]');
    if (!chip) return;
    chip.className = `chip state-${st}`;
    chip.dataset.state = st;
    chip.textContent = tv('state', st);
  };
  let refreshing;
  const onValue = (type, e) => {
    if (type === 'lagged') {
      clearTimeout(refreshing);
      refreshing = setTimeout(async () => {
        const fresh = await snapshot(`devices/${encodeURIComponent(device)}/latest`, { site }).catch(
          () => undefined,
        );
        if (!fresh) return;
        for (const v of fresh.data) setValue(v.metric, v.value);
        ctx.replay(onValue, fresh.eventId);
      }, 300);
      return;
    }
    if (type !== 'value' || e.device !== device || typeof e.value !== 'number') return;
    const i = trendMetrics.indexOf(e.metric);
    if (i >= 0) {
      const data = series[i].data;
      if (data.length && data[data.length - 1][0] > e.timestamp) return;
      data.push([e.timestamp, e.value]);
      while (data.length && data[0][0] < e.timestamp - TREND_WINDOW) data.shift();
      trend.setOption({ series: series.map((s) => ({ data: s.data })) });
    }
    setValue(e.metric, e.value);
  };
  const onState = async (type, e) => {
    if (type === 'state' && e.device === device) setState(e.state);
    if (type === 'status' && e.device === device && !e.online) setState('offline');
    if (type !== 'lagged') return;
    const fresh = await snapshot(`devices/${encodeURIComponent(device)}/states`, { site, from: '-5m' }).catch(
      () => undefined,
    );
    const last = fresh?.data.spans.at(-1);
    if (!fresh) return;
    if (last) setState(last.state);
    ctx.replay(onState, fresh.eventId);
  };
  ctx.onLive(onValue, latestSnap.eventId);
  ctx.onLive(onState, statesSnap.eventId);

  // state timeline (gantt)
  chart(root.querySelector('#timeline'), {
    grid: { left: 8, right: 8, top: 8, bottom: 24 },
    tooltip: {
      trigger: 'item',
      formatter: (p) =>
        `${tv('state', p.data.state)}<br>${time(p.data.value[0])} – ${time(p.data.value[1])} (${duration(p.data.value[1] - p.data.value[0])})`,
    },
    legend: { show: false },
    xAxis: timeAxis({ min: states.from, max: states.to }),
    yAxis: { type: 'category', data: [''], show: false },
    series: [
      {
        type: 'custom',
        renderItem: (_params, api) => {
          const start = api.coord([api.value(0), 0]);
          const end = api.coord([api.value(1), 0]);
          const h = api.size([0, 1])[1] * 0.7;
          return {
            type: 'rect',
            shape: { x: start[0], y: start[1] - h / 2, width: Math.max(1, end[0] - start[0]), height: h },
            style: { fill: api.visual('color') },
          };
        },
        encode: { x: [0, 1] },
        data: states.spans.map((s) => ({
          value: [s.start, s.end],
          state: s.state,
          itemStyle: { color: STATE_COLOURS[s.state] ?? '#6b7280' },
        })),
      },
    ],
  });

  // loss waterfall
  if (shift) {
    const L = shift.losses;
    const steps = [
      ['loss.planned', shift.planned_s, '#4c8dff'],
      ['loss.down', -L.down_s, STATE_COLOURS.down],
      ['loss.setup', -L.setup_s, STATE_COLOURS.setup],
      ['loss.other', -L.other_stop_s, STATE_COLOURS.idle],
      ['loss.speed', -L.speed_s, '#ff7b45'],
      ['loss.quality', -L.quality_s, '#e07be0'],
      ['loss.productive', L.productive_s, STATE_COLOURS.running],
    ];
    let level = 0;
    const base = [];
    const val = [];
    steps.forEach(([, v], i) => {
      if (i === 0 || i === steps.length - 1) {
        base.push(0);
        val.push(Math.abs(v) / 3600);
        level = Math.abs(v);
      } else {
        level += v;
        base.push(level / 3600);
        val.push(-v / 3600);
      }
    });
    chart(root.querySelector('#losses'), {
      grid: { left: 40, right: 8, top: 16, bottom: 60 },
      legend: { show: false },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => `${num(v, 2)} h` },
      xAxis: {
        type: 'category',
        data: steps.map((s) => t(s[0])),
        axisLabel: { interval: 0, rotate: 30, color: '#c9d4e3', fontSize: 10 },
      },
      yAxis: valueAxis('h'),
      series: [
        {
          type: 'bar',
          stack: 'w',
          itemStyle: { color: 'transparent' },
          data: base,
          tooltip: { show: false },
        },
        {
          type: 'bar',
          stack: 'w',
          data: val.map((v, i) => ({ value: v, itemStyle: { color: steps[i][2] } })),
        },
      ],
    });
  }

  const hourly = oeeHourly.groups[0]?.windows ?? [];
  chart(root.querySelector('#oeeh'), {
    xAxis: timeAxis(),
    yAxis: valueAxis('%', { max: 100 }),
    tooltip: { trigger: 'axis', valueFormatter: (v) => `${num(v, 1)}%` },
    series: [
      {
        name: t('oee.short'),
        type: 'bar',
        data: hourly.map((w) => [w.time, (w.oee ?? 0) * 100]),
        itemStyle: { color: '#4cc9f0' },
        barMaxWidth: 14,
      },
      {
        name: t('oee.a'),
        type: 'line',
        showSymbol: false,
        data: hourly.map((w) => [w.time, (w.availability ?? 0) * 100]),
      },
    ],
  });

  const elec = energy.rows.filter((r) => r.carrier === 'electricity');
  chart(root.querySelector('#energy'), {
    xAxis: timeAxis(),
    yAxis: valueAxis('kWh'),
    tooltip: { trigger: 'axis', valueFormatter: (v) => `${num(v, 1)} kWh` },
    series: [
      {
        name: 'kWh',
        type: 'bar',
        barMaxWidth: 14,
        data: elec.map((r) => [r.time, r.consumption]),
        itemStyle: { color: '#f2b134' },
      },
    ],
  });
  chart(root.querySelector('#kpi'), {
    xAxis: timeAxis(),
    yAxis: valueAxis('kWh'),
    tooltip: { trigger: 'axis', valueFormatter: (v) => `${num(v, 3)}` },
    series: [
      {
        name: t('m.kwhPerPart'),
        type: 'line',
        smooth: true,
        data: kpi.rows.filter((r) => r.kwh_per_good_part > 0).map((r) => [r.time, r.kwh_per_good_part]),
        itemStyle: { color: '#2fbf71' },
      },
    ],
  });
}

/** MTBF, MTTR and failures of the machine's current day (written by analytics on day windows). */
function reliabilityBlock(day) {
  if (!day || day.mtbf_s === undefined) return '';
  const h = (s) => duration(s * 1000);
  return `<div class="counts" data-testid="reliability">
      <div>${t('rel.mtbf')} (MTBF)<b>${day.failures ? h(day.mtbf_s) : '–'}</b></div>
      <div>${t('rel.mttr')} (MTTR)<b>${day.failures ? h(day.mttr_s) : '–'}</b></div>
      <div>${t('rel.failures')}<b>${int(day.failures ?? 0)}</b></div>
    </div>`;
}

function oeeBlock(w) {
  if (!w) return `<div class="empty">${t('nodata')}</div>`;
  const bar = (label, v, id) =>
    `<div class="bar"><span>${label}</span><div class="track"><div class="fill" style="width:${Math.max(0, Math.min(1, v ?? 0)) * 100}%"></div></div><b data-testid="${id}">${pct(v)}</b></div>`;
  return `
    <div class="oee-big">
      <div class="ring" data-testid="oee-value">${pct(w.oee)}</div>
      <div class="bars">${bar(t('oee.a'), w.availability, 'oee-a')}${bar(t('oee.p'), w.performance, 'oee-p')}${bar(t('oee.q'), w.quality, 'oee-q')}</div>
    </div>
    <div class="counts">
      <div>${t('count.total')}<b data-testid="count-total">${int(w.total_count)}</b></div>
      <div>${t('count.good')}<b>${int(w.good_count)}</b></div>
      <div>${t('count.scrap')}<b>${int(w.total_count - w.good_count)}</b></div>
    </div>`;
}
