/**
 * How an HJ 212 value becomes a metric: `<code>_rtd` (and `<code>_zsrtd`) for real-time data,
 * `<code>_<period>_<field>` for minute, hour and day data (`a21026_hour_avg`, `a21026_hour_zsavg`,
 * `a21026_day_cou`), the code in lower case. Minute, hour and day values keep separate names because they are
 * different quantities at overlapping times. Units come from the factor table (protocols/hj212/pollutants.ts).
 */
import { findPollutant, type UploadPeriod, type ValueField } from '../../../protocols/hj212/index.js';
import type { MetricInfo } from '../../../protocols/metric.js';

const PERIOD_FIELDS: readonly ValueField[] = ['Avg', 'Min', 'Max', 'Cou', 'ZsAvg', 'ZsMin', 'ZsMax'];
const REALTIME_FIELDS: readonly ValueField[] = ['Rtd', 'ZsRtd'];
const AGGREGATE_PERIODS = ['minute', 'hour', 'day'] as const;

export function factorMetricName(code: string, period: UploadPeriod, field: ValueField): string {
  const c = code.toLowerCase();
  const f = field.toLowerCase();
  return period === 'realtime' ? `${c}_${f}` : `${c}_${period}_${f}`;
}

const PERIOD_ZH = { realtime: '实时', minute: '分钟', hour: '小时', day: '日' } as const;

/** Every metric a declared factor can produce (fields the table says it does not carry are left out). */
export function factorMetrics(code: string): MetricInfo[] {
  const p = findPollutant(code);
  const carries = (field: ValueField): boolean => {
    if (p === undefined) return true;
    if (field.startsWith('Zs')) return p.corrected === true;
    if (field === 'Cou') return p.couUnit !== undefined;
    return true;
  };
  const unitOf = (field: ValueField): string | undefined => (field === 'Cou' ? p?.couUnit : p?.unit);
  const info = (period: UploadPeriod, field: ValueField): MetricInfo => {
    const unit = unitOf(field);
    const name = p === undefined ? code : `${p.en} ${p.zh}`;
    return {
      name: factorMetricName(code, period, field),
      kind: 'double',
      ...(unit === undefined ? {} : { unit }),
      description: `${name}, HJ 212 ${code}-${field} (${period} ${PERIOD_ZH[period]})`,
    };
  };
  return [
    ...REALTIME_FIELDS.filter(carries).map((f) => info('realtime', f)),
    ...AGGREGATE_PERIODS.flatMap((period) => PERIOD_FIELDS.filter(carries).map((f) => info(period, f))),
  ];
}
