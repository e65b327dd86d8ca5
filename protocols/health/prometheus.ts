/**
 * Prometheus text exposition (format 0.0.4) of the metrics both processes serve at `/metrics`: counters, gauges and
 * histograms, each family with its HELP and TYPE lines even when it has no series yet. Every name is documented in
 * docs/metrics.md (a test scrapes both processes and compares).
 */
import { type ComponentHealth, STATUS_VALUE } from './component-health.js';

export type Labels = Readonly<Record<string, string>>;

export interface ScalarValue {
  labels?: Labels;
  value: number;
}

export interface HistogramValue {
  labels?: Labels;
  snapshot: HistogramSnapshot;
}

export type MetricFamily =
  | { name: string; help: string; type: 'gauge' | 'counter'; values: ScalarValue[] }
  | { name: string; help: string; type: 'histogram'; values: HistogramValue[] };

export interface HistogramSnapshot {
  /** upper bounds, ascending, without +Inf */
  bounds: readonly number[];
  /** cumulative counts per bound (observations ≤ bound) */
  cumulative: readonly number[];
  sum: number;
  count: number;
}

/** A fixed-bucket histogram (Prometheus `_bucket{le}`, `_sum`, `_count`). */
export class Histogram {
  readonly #bounds: readonly number[];
  readonly #counts: number[];
  #sum = 0;
  #count = 0;

  constructor(bounds: readonly number[]) {
    this.#bounds = [...bounds].sort((a, b) => a - b);
    this.#counts = this.#bounds.map(() => 0);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    this.#sum += value;
    this.#count++;
    const i = this.#bounds.findIndex((b) => value <= b);
    if (i >= 0) this.#counts[i] = (this.#counts[i] ?? 0) + 1;
  }

  snapshot(): HistogramSnapshot {
    let running = 0;
    return {
      bounds: this.#bounds,
      cumulative: this.#counts.map((c) => {
        running += c;
        return running;
      }),
      sum: this.#sum,
      count: this.#count,
    };
  }
}

/** One unlabelled gauge. */
export function gauge(name: string, help: string, value: number): MetricFamily {
  return { name, help, type: 'gauge', values: [{ value }] };
}

/** One counter: unlabelled from a number, or one series per key of `byLabel` under the label `label`. */
export function counter(name: string, help: string, value: number): MetricFamily;
export function counter(
  name: string,
  help: string,
  label: string,
  byLabel: Readonly<Record<string, number>>,
): MetricFamily;
export function counter(
  name: string,
  help: string,
  value: number | string,
  byLabel: Readonly<Record<string, number>> = {},
): MetricFamily {
  if (typeof value === 'number') return { name, help, type: 'counter', values: [{ value }] };
  return {
    name,
    help,
    type: 'counter',
    values: Object.entries(byLabel).map(([k, v]) => ({ labels: { [value]: k }, value: v })),
  };
}

/** `plantpulse_component_status{component,id}`: 0 ok, 1 degraded, 2 down, one series per component. */
export function componentStatusFamily(components: readonly ComponentHealth[]): MetricFamily {
  return {
    name: 'plantpulse_component_status',
    help: 'health of each component: 0 ok, 1 degraded, 2 down',
    type: 'gauge',
    values: components.map((c) => ({
      labels: { component: c.component, id: c.id },
      value: STATUS_VALUE[c.status],
    })),
  };
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Labels | undefined, extra?: [string, string]): string {
  const pairs = Object.entries(labels ?? {});
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return '';
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

function num(v: number): string {
  if (Number.isFinite(v)) return String(v);
  return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}

export function renderPrometheus(families: readonly MetricFamily[]): string {
  const out: string[] = [];
  for (const m of families) {
    out.push(
      `# HELP ${m.name} ${m.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`,
      `# TYPE ${m.name} ${m.type}`,
    );
    if (m.type === 'histogram') {
      for (const v of m.values) {
        const { bounds, cumulative, sum, count } = v.snapshot;
        bounds.forEach((b, i) => {
          out.push(`${m.name}_bucket${labelText(v.labels, ['le', num(b)])} ${cumulative[i] ?? 0}`);
        });
        out.push(`${m.name}_bucket${labelText(v.labels, ['le', '+Inf'])} ${count}`);
        out.push(`${m.name}_sum${labelText(v.labels)} ${num(sum)}`);
        out.push(`${m.name}_count${labelText(v.labels)} ${count}`);
      }
    } else {
      for (const v of m.values)
        out.push(`${m.name}${labelText(v.labels)} ${Number.isFinite(v.value) ? v.value : 0}`);
    }
  }
  return `${out.join('\n')}\n`;
}
