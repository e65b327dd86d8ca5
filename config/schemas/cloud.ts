import { type StaticDecode, Type } from '@sinclair/typebox';
import { cloudChecks } from '../cloud-checks.js';
import { optional, required, Section, withCheck } from '../spec.js';
import { AnalyticsConfig } from './analytics.js';
import { ApiConfig } from './api.js';
import { AuditConfig } from './audit.js';
import { EmbeddedBroker } from './broker.js';
import { ByteSize, LogLevel } from './common.js';
import { HealthHttp } from './health-http.js';
import { InfluxTarget } from './influx.js';
import { IngestSettings } from './ingest.js';
import { IngesterMqtt } from './ingest-mqtt.js';
import { LifecycleConfig } from './lifecycle.js';

export { ApiConfig } from './api.js';
export { BrokerUser, EmbeddedBroker } from './broker.js';
export { InfluxTarget } from './influx.js';
export { IngesterMqtt } from './ingest-mqtt.js';

export const SpoolSettings = Section({
  path: optional(Type.String({ minLength: 1 }), {
    description: 'the ingester’s data dir: spool.db, the last Sparkplug births, dead-letter.jsonl',
    default: '.plantpulse',
  }),
  maxBytes: optional(ByteSize, {
    description: 'the spool’s bound; on overflow the oldest messages are dropped, counted and logged',
    default: '1GiB',
  }),
  sync: optional(Type.Union([Type.Literal('full'), Type.Literal('normal')]), {
    description:
      'full: fsync before a message is acknowledged; normal: fsync about every second (docs/delivery.md)',
    default: 'full',
  }),
});
export type SpoolSettings = StaticDecode<typeof SpoolSettings>;

export const CloudLog = Section({
  level: optional(LogLevel, { description: 'least severe level logged', default: 'info' }),
});

const CloudConfigSection = Section({
  broker: optional(EmbeddedBroker, { description: 'run an embedded MQTT broker (aedes) in the ingester' }),
  mqtt: required(IngesterMqtt, { description: 'the ingester’s MQTT session' }),
  influx: required(InfluxTarget, { description: 'where the series are written' }),
  ingest: optional(IngestSettings, { description: 'what the ingester accepts and keeps', default: {} }),
  spool: optional(SpoolSettings, { description: 'the durable spool between MQTT and InfluxDB', default: {} }),
  api: optional(ApiConfig, { description: 'serve the REST API and the plant dashboard' }),
  audit: optional(AuditConfig, {
    description: 'the audit log: API logins and refusals, alarm acknowledgements, configuration loads',
    default: {},
  }),
  http: optional(HealthHttp, {
    description: 'the ingester’s own /healthz, /readyz and /metrics (docs/metrics.md), apart from the API',
  }),
  log: optional(CloudLog, { description: 'logging', default: {} }),
  analytics: optional(AnalyticsConfig, {
    description: 'machine state, OEE, energy, emissions and alarms (docs/kpi.md)',
  }),
  lifecycle: optional(LifecycleConfig, {
    description:
      'retention policies and telemetry roll-ups, kept by the ingester (absent: InfluxDB keeps everything at full resolution)',
  }),
});
export type CloudConfig = StaticDecode<typeof CloudConfigSection>;
export const CloudConfig = withCheck(CloudConfigSection, cloudChecks);
