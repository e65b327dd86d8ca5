import { type StaticDecode, Type } from '@sinclair/typebox';
import { influxChecks } from '../cloud-checks.js';
import { optional, required, Section, withCheck } from '../spec.js';
import { DurationAtLeast } from './common.js';

const InfluxTargetSection = Section({
  url: required(Type.String({ pattern: '^https?://' }), {
    description: 'InfluxDB base URL',
    example: 'http://127.0.0.1:8086',
  }),
  database: required(Type.String({ minLength: 1 }), {
    description: 'v1 database (and v2 bucket when bucket is not given)',
    example: 'plantpulse',
  }),
  retentionPolicy: optional(Type.String(), {
    description: 'v1 retention policy; default the database’s default',
  }),
  org: optional(Type.String(), { description: 'v2 organisation' }),
  bucket: optional(Type.String(), { description: 'v2 bucket', defaultText: 'database[/retentionPolicy]' }),
  token: optional(Type.String(), { description: 'API token (v2, or v1 with token auth)' }),
  username: optional(Type.String(), { description: 'v1 user (goes with password)' }),
  password: optional(Type.String(), { description: 'v1 password (goes with username)' }),
  api: optional(Type.Union([Type.Literal('auto'), Type.Literal('v1'), Type.Literal('v2')]), {
    description: 'write API; auto detects it from /ping’s X-Influxdb-Version',
    default: 'auto',
  }),
  batchSize: optional(Type.Integer({ minimum: 1 }), {
    description: 'most lines per write request, and per batch the spool drains',
    unit: 'lines',
    default: 5000,
  }),
  flushInterval: optional(DurationAtLeast('1ms'), {
    description: 'the spool drainer writes at least this often when a batch is not full',
    default: '1s',
  }),
  gzip: optional(Type.Boolean(), {
    description:
      'gzip write request bodies over 1 KiB: worth it when InfluxDB is across a slow link; on the same host or LAN it only costs CPU (about 0.5 µs per value, docs/delivery.md)',
    default: false,
  }),
  createDatabase: optional(Type.Boolean(), {
    description: 'create the v1 database when it does not exist (false: only check that it exists)',
    default: true,
  }),
});
export type InfluxTarget = StaticDecode<typeof InfluxTargetSection>;
export const InfluxTarget = withCheck(InfluxTargetSection, influxChecks);
