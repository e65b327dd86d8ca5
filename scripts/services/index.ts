// The real services that tests and the demo run (docs/architecture.md#tests-against-real-services): one
// import for callers.
export { ensureDebianPackages, installCommand, isPackagePresent } from './debian-packages.js';
export { PackagesMissingError, ServiceError, type ServiceErrorCode } from './errors.js';
export { freePort, freePorts } from './free-port.js';
export { type InfluxdOptions, type InfluxdService, startInfluxd } from './influxd.js';
export { killAllTrackedSync, stopByPid } from './managed-process.js';
export {
  type MosquittoOptions,
  type MosquittoService,
  type MosquittoUser,
  randomPassword,
  startMosquitto,
} from './mosquitto.js';
export { pollUntil } from './poll-until.js';
export {
  startVictoriaMetrics,
  type VictoriaMetricsOptions,
  type VictoriaMetricsService,
} from './victoria-metrics.js';
