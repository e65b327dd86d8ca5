/** Request and response schemas (TypeBox → JSON Schema): fastify validates with them and /docs shows them. */
import { type TSchema, Type } from '@sinclair/typebox';
import { DURATION_PATTERN, TIME_PATTERN } from './influxql.js';
import { AGGREGATES } from './read/telemetry.js';

export const SiteId = Type.String({
  pattern: '^[A-Za-z0-9_-]{1,64}$',
  description: 'site (Sparkplug group id)',
});
export const DeviceId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'device id' });
export const MetricName = Type.String({ pattern: '^[A-Za-z0-9_]{1,64}$', description: 'metric name' });
export const LineName = Type.String({
  pattern: '^[A-Za-z0-9_ .-]{0,64}$',
  description: 'production line tag',
});
export const Time = Type.String({
  pattern: TIME_PATTERN,
  description: 'ISO 8601 time, epoch milliseconds, `now`, or relative to now: `-24h`, `now-7d`',
});
export const Step = Type.String({
  pattern: DURATION_PATTERN,
  description: 'bucket width: 30s, 1m, 15m, 1h, 1d',
});
export const Period = Type.String({
  pattern: '^[A-Za-z0-9_]{1,16}$',
  description: 'window period tag written by analytics: 1m, 15m, 1h, shift, day',
});

const Strict = <T extends Parameters<typeof Type.Object>[0]>(p: T) =>
  Type.Object(p, { additionalProperties: false });

export const SiteQuery = Strict({ site: Type.Optional(SiteId) });
export const RangeQuery = { site: Type.Optional(SiteId), from: Type.Optional(Time), to: Type.Optional(Time) };
export const DeviceParams = Strict({ device: DeviceId });

export const HistoryQuery = Strict({
  ...RangeQuery,
  step: Type.Optional(Step),
  aggregate: Type.Optional(
    Type.Union(
      AGGREGATES.map((a) => Type.Literal(a)),
      { description: 'aggregate per step (default mean)' },
    ),
  ),
  resolution: Type.Optional(
    Type.Union(
      (['auto', 'raw', '1m', '1h'] as const).map((r) => Type.Literal(r)),
      {
        description:
          'raw points or the 1-minute/hourly roll-ups (data lifecycle); auto (default) picks by span and retention',
      },
    ),
  ),
});

export const OeeQuery = Strict({
  ...RangeQuery,
  period: Type.Optional(Period),
  groupBy: Type.Optional(
    Type.Union([Type.Literal('device'), Type.Literal('line'), Type.Literal('site')], {
      description: 'roll up per machine, line or site (components summed, ratios never averaged)',
    }),
  ),
  device: Type.Optional(DeviceId),
  line: Type.Optional(LineName),
});

export const EnergyQuery = Strict({
  ...RangeQuery,
  period: Type.Optional(Period),
  device: Type.Optional(DeviceId),
  carrier: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_]{1,32}$' })),
});

export const EmissionsQuery = Strict({
  ...RangeQuery,
  period: Type.Optional(Period),
  device: Type.Optional(DeviceId),
  scope: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_]{1,16}$' })),
});

export const KpiQuery = Strict({
  ...RangeQuery,
  period: Type.Optional(Period),
  device: Type.Optional(DeviceId),
});

export const AlarmsQuery = Strict({
  ...RangeQuery,
  device: Type.Optional(DeviceId),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('all')], { default: 'active' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 500 })),
});

export const AckBody = Type.Union([
  Strict({ comment: Type.Optional(Type.String({ maxLength: 500 })) }),
  Type.Null(),
]);

export const LiveQuery = Strict({
  site: Type.Optional(SiteId),
  device: Type.Optional(DeviceId),
  types: Type.Optional(
    Type.String({
      pattern: '^(value|state|status|alarm)(,(value|state|status|alarm))*$',
      description: 'comma list of event types (default all)',
    }),
  ),
  lastEventId: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9]{1,32}:[0-9]{1,15}$',
      description:
        "resume after this event id (`<epoch>:<seq>`, e.g. a snapshot's Live-Event-Id header); the Last-Event-ID header wins",
    }),
  ),
});

// ---- responses ------------------------------------------------------------------------------------------------

export const ErrorReply = Type.Object(
  {
    statusCode: Type.Integer(),
    code: Type.String(),
    error: Type.String(),
    message: Type.String(),
  },
  { description: "fastify's error shape" },
);

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const MetricInfoSchema = Type.Object({
  name: Type.String(),
  kind: Type.String(),
  unit: Type.Optional(Type.String()),
  derived: Type.Optional(Type.Boolean()),
  description: Type.Optional(Type.String()),
});

export const DeviceSchema = Type.Object({
  site: Type.String(),
  device: Type.String(),
  node: Type.Optional(Type.String()),
  line: Type.String({ description: 'line tag, "" when none' }),
  tags: Type.Record(Type.String(), Type.String()),
  online: Nullable(Type.Boolean()),
  reason: Nullable(Type.String()),
  since: Nullable(Type.Number()),
  metrics: Type.Array(MetricInfoSchema),
});

export const OeeFiguresSchema = Type.Object({
  planned_s: Type.Number(),
  run_s: Type.Number(),
  down_s: Type.Number(),
  setup_s: Type.Number(),
  total_count: Type.Number(),
  good_count: Type.Number(),
  availability: Nullable(Type.Number()),
  performance: Nullable(Type.Number()),
  quality: Nullable(Type.Number()),
  oee: Nullable(Type.Number()),
  losses: Type.Object({
    down_s: Type.Number(),
    setup_s: Type.Number(),
    other_stop_s: Type.Number(),
    speed_s: Type.Number(),
    quality_s: Type.Number(),
    productive_s: Type.Number(),
  }),
});

export const TileSchema = Type.Object({
  device: Type.String(),
  line: Type.String(),
  kind: Nullable(Type.String()),
  online: Nullable(Type.Boolean()),
  state: Nullable(Type.String()),
  stateSince: Nullable(Type.Number()),
  powerKw: Nullable(Type.Number()),
  oee: Nullable(
    Type.Object({
      period: Type.String(),
      time: Type.Number(),
      oee: Nullable(Type.Number()),
      availability: Nullable(Type.Number()),
      performance: Nullable(Type.Number()),
      quality: Nullable(Type.Number()),
      good_count: Type.Number(),
      total_count: Type.Number(),
    }),
  ),
  activeAlarms: Type.Integer(),
  worstSeverity: Nullable(Type.String()),
});

export const AlarmSchema = Type.Object({
  id: Type.String(),
  site: Type.String(),
  device: Type.String(),
  metric: Type.String(),
  severity: Type.String(),
  active: Type.Boolean(),
  message: Type.String(),
  value: Nullable(Type.Number()),
  limit: Nullable(Type.Number()),
  raisedAt: Type.Number(),
  clearedAt: Nullable(Type.Number()),
  acked: Type.Boolean(),
  ackedBy: Nullable(Type.String()),
  ackedAt: Nullable(Type.Number()),
  ackComment: Nullable(Type.String()),
});

export const WindowRowSchema = Type.Object({ time: Type.Number() }, { additionalProperties: true });
