/** Public surface of cloud/analytics: the engine the ingester drives, and its contract types. */
export type { AnalyticsConfig, AnalyticsConfigInput } from '../../config/schemas/analytics.js';
export { equalValueNotice } from './coal-factors.js';
export { analyticsConfigProblems } from './config-check.js';
export {
  type EmissionFactor,
  type FactorTable,
  loadFactorTable,
  parseFactorTable,
} from './emission-factors.js';
export { type AnalyticsDeps, createAnalytics } from './engine.js';
export { AnalyticsConfigError, AnalyticsRebuildError, AnalyticsStateError } from './errors.js';
export type {
  Analytics,
  AnalyticsEvent,
  AnalyticsOutput,
  AnalyticsStats,
  DeviceStatus,
  HostSample,
  LiveAlarmEvent,
  LiveStateEvent,
  MachineState,
  Row,
} from './types.js';
