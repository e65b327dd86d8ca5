// Plant overview: one tile per machine (state colour, current OEE, power, active alarms), grouped by line, with
// plant KPIs on top. Live state, status, power and alarm events update tiles in place, without a reload.
import { get, snapshot } from '../api.js';
import { chart, timeAxis, valueAxis } from '../charts.js';
import { duration, escapeHtml, int, num, pct } from '../format.js';
import { t, tv } from '../i18n.js';

let timer;
let refreshTimer;

export function dispose() {
  clearInterval(timer);
  clearTimeout(refreshTimer);
}

export async function render(root, ctx) {
  const [{ data: ov, eventId }, oee24, energy24, lineOee, demand] = await Promise.all([
    snapshot('overview', { site: ctx.site }),
    get('oee', { site: ctx.site, period: '1h', groupBy: 'site', from: '-24h' }),
    get('energy', { site: ctx.site, period: '1h', carrier: 'electricity', from: '-24h' }),
    get('oee', { site: ctx.site, period: '1h', groupBy: 'line', from: '-24h' }),
    get('energy', { site: ctx.site, period: '15m', carrier: 'electricity', from: '-24h' }),
  ]);
  const tiles = new Map(ov.tiles.map((x) => [x.device, x]));
  const byLine = new Map();
  for (const tile of ov.tiles) {
    const line = tile.line || '';
    if (!byLine.has(line)) byLine.set(line, []);
    byLine.get(line).push(tile);
  }
  const running = ov.tiles.filter((x) => x.state === 'running').length;
  const power = ov.tiles.reduce((s, x) => s + (x.powerKw ?? 0), 0);
  const kwh = energy24.totals.byCarrier.reduce((s, c) => s + c.consumption, 0);
  const siteOee = oee24.groups[0]?.totals.oee ?? null;
  const alarms = ov.tiles.reduce((s, x) => s + x.activeAlarms, 0);

  root.innerHTML = `
    <section class="kpis" data-testid="plant-kpis">
      <div class="kpi"><div class="label">${t('ov.running')}</div><div class="value" data-testid="kpi-running">${running}<small>/ ${ov.tiles.length}</small></div></div>
      <div class="kpi"><div class="label">${t('ov.power')}</div><div class="value" data-testid="kpi-power">${num(power, 1)}<small>kW</small></div></div>
      <div class="kpi"><div class="label">${t('ov.energy24')}</div><div class="value" data-testid="kpi-energy">${int(kwh)}<small>kWh</small></div></div>
      <div class="kpi"><div class="label">${t('ov.oee24')}</div><div class="value" data-testid="kpi-oee">${pct(siteOee)}</div></div>
      <div class="kpi ${alarms ? 'alert' : ''}"><div class="label">${t('ov.alarms')}</div><div class="value" data-testid="kpi-alarms">${alarms}</div></div>
    </section>
    <div class="legend" data-testid="state-legend">${[
      'running',
      'idle',
      'down',
      'setup',
      'planned_stop',
      'offline',
    ]
      .map(
        (st) =>
          `<span class="chip state-${st}" data-state="${st}">${tv('state', st)} · ${ov.tiles.filter((x) => x.state === st).length}</span>`,
      )
      .join('')}</div>
    <div class="lines">
    ${[...byLine.entries()]
      .map(
        ([line, list]) => `
      <section class="line-group">
        <h2>${escapeHtml(line || t('line.none'))} <span class="count muted">· ${list.length}</span></h2>
        <div class="tiles">${list.map(tileHtml).join('')}</div>
      </section>`,
      )
      .join('')}
    </div>
    <div class="grid g2" style="margin-top:12px">
      <section class="panel"><h2>${t('ov.lineOee')}</h2><div class="chart" id="line-oee"></div></section>
      <section class="panel"><h2>${t('ov.plantDemand')}</h2><div class="chart" id="plant-demand"></div></section>
    </div>`;

  chart(root.querySelector('#line-oee'), {
    xAxis: timeAxis(),
    yAxis: valueAxis('%', { max: 100 }),
    tooltip: { trigger: 'axis', valueFormatter: (v) => `${num(v, 1)}%` },
    series: lineOee.groups.map((g) => ({
      name: g.key || t('line.none'),
      type: 'line',
      showSymbol: false,
      smooth: true,
      data: g.windows.map((w) => [w.time, (w.oee ?? 0) * 100]),
    })),
  });
  const perWindow = new Map();
  for (const r of demand.rows) perWindow.set(r.time, (perWindow.get(r.time) ?? 0) + (r.demand_kw ?? 0));
  chart(root.querySelector('#plant-demand'), {
    xAxis: timeAxis(),
    yAxis: valueAxis('kW'),
    legend: { show: false },
    tooltip: { trigger: 'axis', valueFormatter: (v) => `${num(v, 1)} kW` },
    series: [
      {
        type: 'line',
        step: 'end',
        showSymbol: false,
        areaStyle: { opacity: 0.15 },
        itemStyle: { color: '#f2b134' },
        data: [...perWindow.entries()].sort((a, b) => a[0] - b[0]),
        markLine: {
          symbol: 'none',
          lineStyle: { color: '#ff7b45', type: 'dashed' },
          label: {
            color: '#ff7b45',
            position: 'insideEndTop',
            formatter: (p) => `${t('e.peakLine')} ${num(p.value, 1)} kW`,
          },
          data: [{ type: 'max' }],
        },
      },
    ],
  });

  const updateKpis = () => {
    const list = [...tiles.values()];
    const run = root.querySelector('[data-testid="kpi-running"]');
    if (run)
      run.innerHTML = `${list.filter((x) => x.state === 'running').length}<small>/ ${list.length}</small>`;
    const pw = root.querySelector('[data-testid="kpi-power"]');
    if (pw)
      pw.innerHTML = `${num(
        list.reduce((s, x) => s + (x.powerKw ?? 0), 0),
        1,
      )}<small>kW</small>`;
    for (const el of root.querySelectorAll('[data-testid="state-legend"] [data-state]')) {
      el.textContent = `${tv('state', el.dataset.state)} · ${list.filter((x) => x.state === el.dataset.state).length}`;
    }
  };
  const redraw = (device) => {
    const el = root.querySelector(`[data-device="${CSS.escape(device)}"]`);
    const tile = tiles.get(device);
    if (!el || !tile) return;
    el.outerHTML = tileHtml(tile);
    root.querySelector(`[data-device="${CSS.escape(device)}"]`)?.classList.add('pulse');
    updateKpis();
  };
  const refreshSoon = () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(async () => {
      const fresh = await snapshot('overview', { site: ctx.site }).catch(() => undefined);
      if (!fresh) return;
      for (const x of fresh.data.tiles) {
        const old = tiles.get(x.device);
        tiles.set(x.device, x);
        if (JSON.stringify(old) !== JSON.stringify(x)) redraw(x.device);
      }
      // what happened while the snapshot was on its way
      ctx.replay(onEvent, fresh.eventId);
    }, 300);
  };

  // Applies one live event. Events come in order; after a snapshot, only those after its Live-Event-Id.
  const onEvent = (type, e) => {
    const tile = tiles.get(e.device);
    if (type === 'lagged') return refreshSoon();
    if (!tile) return type === 'state' || type === 'status' ? refreshSoon() : undefined;
    if (type === 'state') {
      // a replayed older state (history backfilled after an outage) does not replace the current one
      if (tile.state !== 'offline' && tile.stateSince != null && e.timestamp < tile.stateSince) return;
      tile.state = String(e.state);
      tile.stateSince = e.timestamp;
      redraw(e.device);
    } else if (type === 'status') {
      tile.online = e.online;
      if (!e.online) {
        tile.state = 'offline';
        tile.stateSince = e.timestamp;
        redraw(e.device);
      } else refreshSoon();
    } else if (type === 'value' && e.metric === 'power_kw' && typeof e.value === 'number') {
      tile.powerKw = e.value;
      const v = root.querySelector(`[data-device="${CSS.escape(e.device)}"] [data-testid="tile-power"]`);
      if (v) v.innerHTML = `${num(e.value, 1)}<small>kW</small>`;
      updateKpis();
    } else if (type === 'alarm') refreshSoon();
  };
  ctx.onLive(onEvent, eventId);
  // durations and OEE drift: a light refresh every 30 s keeps the wall screen honest
  timer = setInterval(refreshSoon, 30_000);
}

function tileHtml(x) {
  const state = x.state ?? 'unknown';
  const o = x.oee;
  const bar = (v) => `<div><span style="width:${Math.max(0, Math.min(1, v ?? 0)) * 100}%"></span></div>`;
  return `
    <a class="tile state-${escapeHtml(state)}" href="#/machine/${encodeURIComponent(x.device)}" data-device="${escapeHtml(x.device)}" data-state="${escapeHtml(state)}" data-testid="tile">
      <div class="head"><span class="name">${escapeHtml(x.device)}</span>${
        x.activeAlarms
          ? `<span class="alarm-badge sev-${escapeHtml(x.worstSeverity ?? 'warning')}" data-testid="tile-alarms">⚠ ${x.activeAlarms}</span>`
          : ''
      }</div>
      <div class="kind">${escapeHtml(x.kind ? tv('kind', x.kind) : '')}</div>
      <div class="state-row"><span class="chip" data-testid="tile-state">${escapeHtml(tv('state', state))}</span>${
        x.stateSince ? `<span>${t('ov.since')} ${duration(Date.now() - x.stateSince)}</span>` : ''
      }</div>
      <div class="figures">
        <div><div class="big" data-testid="tile-oee">${o ? pct(o.oee, 0) : '–'}</div><div class="sub">${
          o ? `${t('oee.short')} · ${t(o.period === 'shift' ? 'oee.shift' : 'oee.day')}` : t('ov.noOee')
        }</div></div>
        <div><div class="big" data-testid="tile-power">${num(x.powerKw, 1)}<small>kW</small></div><div class="sub">${t('tile.power')}</div></div>
      </div>
      ${o ? `<div class="apq" title="${t('oee.a')} ${pct(o.availability)} · ${t('oee.p')} ${pct(o.performance)} · ${t('oee.q')} ${pct(o.quality)}">${bar(o.availability)}${bar(o.performance)}${bar(o.quality)}</div>` : ''}
    </a>`;
}
