import type { StaticDecode } from '@sinclair/typebox';
import { optional, Section } from '../spec.js';
import { DurationAtLeast } from './common.js';

/**
 * How long InfluxDB keeps each kind of data, and the telemetry roll-ups (README "Operating plantpulse / Data
 * lifecycle"). InfluxDB refuses retention policies shorter than one hour.
 */
export const LifecycleConfig = Section({
  raw: optional(DurationAtLeast('1h'), {
    description:
      'telemetry at full resolution (retention policy `raw`): a month covers any investigation of a recent fault',
    default: '30d',
  }),
  minute: optional(DurationAtLeast('1h'), {
    description:
      '1-minute roll-ups of telemetry: mean, min, max, last, sum, count (policy `rollup_1m`): two years compare a season with last year’s',
    default: '730d',
  }),
  hour: optional(DurationAtLeast('1h'), {
    description: 'hourly roll-ups of telemetry (policy `rollup_1h`): as long as the KPIs',
    default: '3650d',
  }),
  kpi: optional(DurationAtLeast('1h'), {
    description:
      'the database’s default policy: states, OEE, energy, emissions, KPI windows, alarms, quality and device status (10 years: energy and emission reporting keeps records that long)',
    default: '3650d',
  }),
  rollupDelay: optional(DurationAtLeast('1s'), {
    description:
      'a roll-up bucket is computed this long after it ends; data arriving later recomputes it, however late',
    default: '30s',
  }),
});
export type LifecycleConfig = StaticDecode<typeof LifecycleConfig>;
