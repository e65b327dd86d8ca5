/**
 * The shared health shape and Prometheus rendering (protocols/health/): what a scraper and an operator read.
 */
import { describe, expect, it } from 'vitest';
import type { OutboxStats } from '../../../agent/outbox/outbox.js';
import { OutboxHealth } from '../../../agent/outbox/outbox-health.js';
import {
  type ComponentHealth,
  HealthTracker,
  RecentRise,
  worstStatus,
} from '../../../protocols/health/component-health.js';
import {
  componentStatusFamily,
  Histogram,
  type MetricFamily,
  renderPrometheus,
} from '../../../protocols/health/prometheus.js';
import { parsePrometheus, seriesValue } from '../../helpers/prometheus-text.js';

const component = (over: Partial<ComponentHealth>): ComponentHealth => ({
  component: 'poll',
  id: 'press-07',
  status: 'ok',
  since: 0,
  detail: '',
  counters: {},
  ...over,
});

describe('Prometheus text', () => {
  it('renders counters, gauges with escaped labels, and histograms with cumulative buckets, +Inf, _sum and _count', () => {
    const h = new Histogram([0.01, 0.1, 1]);
    for (const v of [0.005, 0.05, 0.05, 0.5, 3]) h.observe(v);
    const families: MetricFamily[] = [
      { name: 'x_total', help: 'things', type: 'counter', values: [{ value: 3 }] },
      {
        name: 'y',
        help: 'odd labels',
        type: 'gauge',
        values: [{ labels: { device: 'a"b\\c\nd' }, value: Number.NaN }],
      },
      {
        name: 'lat_seconds',
        help: 'lateness',
        type: 'histogram',
        values: [{ labels: { device: 'd1' }, snapshot: h.snapshot() }],
      },
      { name: 'empty_total', help: 'no series yet', type: 'counter', values: [] },
    ];
    const text = renderPrometheus(families);
    expect(text).toContain('lat_seconds_bucket{device="d1",le="0.01"} 1\n');
    expect(text).toContain('lat_seconds_bucket{device="d1",le="0.1"} 3\n');
    expect(text).toContain('lat_seconds_bucket{device="d1",le="1"} 4\n');
    expect(text).toContain('lat_seconds_bucket{device="d1",le="+Inf"} 5\n');
    expect(text).toContain('lat_seconds_count{device="d1"} 5\n');
    expect(text).toContain('# TYPE empty_total counter\n');
    const parsed = parsePrometheus(text);
    expect([...parsed.keys()]).toEqual(['x_total', 'y', 'lat_seconds', 'empty_total']);
    expect(seriesValue(parsed, 'y', { device: 'a"b\\c\nd' })).toBe(0);
    expect(seriesValue(parsed, 'lat_seconds_sum', { device: 'd1' })).toBeCloseTo(3.605);
  });

  it('component status is 0 ok, 1 degraded, 2 down, one series per component', () => {
    const text = renderPrometheus([
      componentStatusFamily([
        component({}),
        component({ component: 'subscribe', id: 'cnc-01', status: 'degraded' }),
        component({ component: 'uplink', id: 'gw', status: 'down' }),
      ]),
    ]);
    const p = parsePrometheus(text);
    expect(seriesValue(p, 'plantpulse_component_status', { component: 'poll', id: 'press-07' })).toBe(0);
    expect(seriesValue(p, 'plantpulse_component_status', { component: 'subscribe', id: 'cnc-01' })).toBe(1);
    expect(seriesValue(p, 'plantpulse_component_status', { component: 'uplink', id: 'gw' })).toBe(2);
  });
});

describe('health bookkeeping', () => {
  const rest = { component: 'uplink', id: 'gw', detail: '', counters: {} };

  it('since moves only when the status changes; the worst status wins', () => {
    const t = new HealthTracker('down', 1000);
    expect(t.report('down', 2000, rest).since).toBe(1000);
    expect(t.report('ok', 3000, rest).since).toBe(3000);
    expect(t.report('ok', 9000, rest).since).toBe(3000);
    expect(worstStatus(['ok', 'degraded', 'ok'])).toBe('degraded');
    expect(worstStatus(['ok', 'down', 'degraded'])).toBe('down');
    expect(worstStatus([])).toBe('ok');
  });

  it('a counter that rose stays "recent" for the window, and a value learnt at the first read never counts', () => {
    const r = new RecentRise(60_000);
    expect(r.within(42, 0)).toBe(false); // persisted from a previous run
    expect(r.within(42, 10_000)).toBe(false);
    expect(r.within(43, 20_000)).toBe(true);
    expect(r.within(43, 79_999)).toBe(true);
    expect(r.within(43, 80_000)).toBe(false);
  });

  it('the outbox is degraded while it drops, down while nothing can be stored, ok again a minute later', () => {
    const base: OutboxStats = {
      messages: 10,
      bytes: 1000,
      oldestAgeMs: 5000,
      dropped: 0,
      droppedSamples: 0,
      droppedDelivered: 0,
      droppedDeliveredSamples: 0,
      replayed: 0,
      appended: 100,
      acked: 90,
      storeFailures: 0,
      droppedCorrupt: 0,
    };
    const h = new OutboxHealth('sqlite', 0);
    expect(h.report(base, 1000).status).toBe('ok');
    const dropping = h.report({ ...base, appended: 110, dropped: 4, droppedSamples: 40 }, 2000);
    expect(dropping).toMatchObject({ status: 'degraded', since: 2000, component: 'outbox', id: 'sqlite' });
    expect(dropping.detail).toMatch(/dropping the oldest/);
    // a failed append while others still succeed: degraded; failures with no append for a minute: down
    expect(h.report({ ...base, appended: 110, dropped: 4, storeFailures: 3 }, 3000).status).toBe('degraded');
    const down = h.report({ ...base, appended: 110, dropped: 4, storeFailures: 9 }, 65_000);
    expect(down).toMatchObject({ status: 'down', since: 65_000 });
    expect(down.detail).toMatch(/nothing read is kept/);
    expect(h.report({ ...base, appended: 111, dropped: 4, storeFailures: 9 }, 70_000).status).toBe(
      'degraded',
    );
    expect(h.report({ ...base, appended: 120, dropped: 4, storeFailures: 9 }, 130_000)).toMatchObject({
      status: 'ok',
      since: 130_000,
    });
  });
});
