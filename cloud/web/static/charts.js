// ECharts helpers: one theme for the whole dashboard, charts that follow their container's size, and disposal
// when a page is left. `echarts` is the global from /vendor/echarts.min.js.

export const STATE_COLOURS = {
  running: '#2fbf71',
  idle: '#f2b134',
  down: '#e5484d',
  planned_stop: '#4c8dff',
  setup: '#a371f7',
  offline: '#6b7280',
};
export const PALETTE = [
  '#4cc9f0',
  '#f2b134',
  '#2fbf71',
  '#a371f7',
  '#ff7b72',
  '#4c8dff',
  '#e07be0',
  '#9be9a8',
];
const TEXT = '#c9d4e3';
const GRID = 'rgba(255,255,255,0.08)';

const live = new Set();
const observer = new ResizeObserver((entries) => {
  for (const e of entries) window.echarts?.getInstanceByDom(e.target)?.resize();
});

/** Creates (or reuses) a chart in `el` and applies `option` merged over the common look. */
export function chart(el, option) {
  let c = window.echarts.getInstanceByDom(el);
  if (!c) {
    c = window.echarts.init(el, null, { renderer: 'canvas' });
    observer.observe(el);
    live.add(el);
  }
  c.setOption(
    {
      backgroundColor: 'transparent',
      color: PALETTE,
      textStyle: { color: TEXT, fontFamily: 'inherit' },
      animationDuration: 300,
      grid: { left: 48, right: 16, top: 48, bottom: 28, containLabel: false },
      tooltip: {
        trigger: 'axis',
        backgroundColor: '#101826',
        borderColor: '#2a3a52',
        textStyle: { color: TEXT },
      },
      legend: { top: 0, textStyle: { color: TEXT }, itemWidth: 12, itemHeight: 8, type: 'scroll' },
      ...option,
    },
    true,
  );
  return c;
}

/** A time axis over the last 24 h (the dashboard's default span), so sparse or new data keeps a sane scale. */
export function timeAxis(extra = {}) {
  const now = Date.now();
  return {
    type: 'time',
    min: now - 86_400_000,
    max: now,
    axisLine: { lineStyle: { color: GRID } },
    axisLabel: { color: TEXT, hideOverlap: true },
    splitLine: { show: false },
    ...extra,
  };
}

export function valueAxis(name, extra = {}) {
  return {
    type: 'value',
    name,
    nameTextStyle: { color: TEXT, align: 'left' },
    axisLabel: { color: TEXT },
    splitLine: { lineStyle: { color: GRID } },
    ...extra,
  };
}

/** Disposes every chart (called when the page changes). */
export function disposeAll() {
  for (const el of live) {
    observer.unobserve(el);
    window.echarts.getInstanceByDom(el)?.dispose();
  }
  live.clear();
}
