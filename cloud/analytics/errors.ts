import { PlantpulseError } from '../../protocols/errors.js';

/** The analytics configuration cannot be used (unknown factor key, bad time zone, unreadable factor table). */
export class AnalyticsConfigError extends PlantpulseError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('ANALYTICS_CONFIG', message, options);
  }
}

/** The engine was used out of order (ingest or tick before rebuild). */
export class AnalyticsStateError extends PlantpulseError {
  constructor(message: string) {
    super('ANALYTICS_STATE', message);
  }
}

/** Restoring state from InfluxDB failed; retryable (the ingester may retry rebuild). */
export class AnalyticsRebuildError extends PlantpulseError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('ANALYTICS_REBUILD', message, { ...options, retryable: true });
  }
}
