/** Sites, lines, devices with status, the overview tiles, latest values, history and the state timeline. */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.js';
import { type DeviceInfo, LINE_TAG, NO_LINE } from '../device-registry.js';
import { NotFoundError } from '../errors.js';
import { parseRange } from '../influxql.js';
import { listAlarms } from '../read/alarms.js';
import {
  overlayAlarms,
  overlayLatest,
  overlayNumber,
  overlayState,
  overlayTimeline,
  stampSnapshot,
} from '../read/live-overlay.js';
import { currentOee } from '../read/oee.js';
import { ensureRegistry } from '../read/registry-fallback.js';
import { resolveSite } from '../read/site.js';
import { currentStates, stateTimeline } from '../read/states.js';
import { history, latestPerDevice, latestValues } from '../read/telemetry.js';
import {
  DeviceParams,
  DeviceSchema,
  ErrorReply,
  HistoryQuery,
  LineName,
  MetricName,
  RangeQuery,
  SiteId,
  SiteQuery,
  TileSchema,
} from '../schemas.js';

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 502: ErrorReply };

export function deviceView(d: DeviceInfo) {
  return {
    site: d.site,
    device: d.device,
    ...(d.node === undefined ? {} : { node: d.node }),
    line: d.tags[LINE_TAG] ?? NO_LINE,
    tags: d.tags,
    online: d.online ?? null,
    reason: d.reason ?? null,
    since: d.since ?? null,
    metrics: d.metrics,
  };
}

const SEVERITY_RANK: Record<string, number> = {
  critical: 0,
  high: 1,
  warning: 2,
  medium: 2,
  low: 3,
  info: 4,
};

export function deviceRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/api/v1/sites',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['plant'],
        summary: 'Sites with their lines and how many devices are online',
        response: {
          200: Type.Array(
            Type.Object({
              site: Type.String(),
              lines: Type.Array(Type.String()),
              devices: Type.Integer(),
              online: Type.Integer(),
            }),
          ),
          ...errors,
        },
      },
    },
    async () => {
      await ensureRegistry(ctx);
      return ctx.registry.sites();
    },
  );

  app.get(
    '/api/v1/sites/:site/lines',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['plant'],
        summary: 'Lines of a site and their devices',
        params: Type.Object({ site: SiteId }, { additionalProperties: false }),
        response: {
          200: Type.Array(Type.Object({ line: Type.String(), devices: Type.Array(Type.String()) })),
          ...errors,
        },
      },
    },
    async (req) => {
      const { site } = req.params as { site: string };
      await ensureRegistry(ctx);
      return ctx.registry.lines(site).map(({ line, devices }) => ({ line, devices }));
    },
  );

  const DevicesQuery = Type.Object(
    { site: Type.Optional(SiteId), line: Type.Optional(LineName) },
    { additionalProperties: false },
  );
  app.get(
    '/api/v1/devices',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['plant'],
        summary: 'Devices with status, tags and metrics',
        querystring: DevicesQuery,
        response: { 200: Type.Array(DeviceSchema), ...errors },
      },
    },
    async (req, reply) => {
      const q = req.query as Static<typeof DevicesQuery>;
      await ensureRegistry(ctx);
      stampSnapshot(reply, ctx);
      return ctx.registry
        .list({ ...(q.site ? { site: q.site } : {}), ...(q.line !== undefined ? { line: q.line } : {}) })
        .map(deviceView);
    },
  );

  app.get(
    '/api/v1/devices/:device',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['plant'],
        summary: 'One device with status, tags and metrics',
        params: DeviceParams,
        querystring: SiteQuery,
        response: { 200: DeviceSchema, ...errors },
      },
    },
    async (req, reply) => {
      const { device } = req.params as Static<typeof DeviceParams>;
      const site = await resolveSite(ctx, (req.query as Static<typeof SiteQuery>).site);
      await ensureRegistry(ctx);
      const d = ctx.registry.get(site, device);
      if (!d) throw new NotFoundError(`no device ${device} at site ${site}`);
      stampSnapshot(reply, ctx);
      return deviceView(d);
    },
  );

  app.get(
    '/api/v1/overview',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['plant'],
        summary: 'Plant overview: every machine with state, current OEE, power and active alarms',
        querystring: SiteQuery,
        response: {
          200: Type.Object({
            site: Type.String(),
            time: Type.Number(),
            tiles: Type.Array(TileSchema),
          }),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const site = await resolveSite(ctx, (req.query as Static<typeof SiteQuery>).site);
      await ensureRegistry(ctx);
      const now = ctx.clock();
      const active = { site, status: 'active', range: { from: now - 1, to: now }, limit: 5000 } as const;
      const [states, oees, power, stored] = await Promise.all([
        currentStates(ctx, site),
        currentOee(ctx, site),
        latestPerDevice(ctx, site, ctx.powerMetric),
        listAlarms(ctx, active),
      ]);
      // synchronously from here to the return: overlay the live view, stamp the snapshot's event id
      const view = ctx.live.view;
      const alarms = overlayAlarms(stored, view.alarms(site), active);
      stampSnapshot(reply, ctx);
      const tiles = ctx.registry.list({ site }).map((d) => {
        const st = overlayState(states.get(d.device), view.state(site, d.device));
        const o = oees.get(d.device);
        const pw = overlayNumber(power.get(d.device), view.value(site, d.device, ctx.powerMetric));
        const mine = alarms.filter((a) => a.device === d.device);
        const worst = mine
          .map((a) => a.severity)
          .sort((a, b) => (SEVERITY_RANK[a] ?? 5) - (SEVERITY_RANK[b] ?? 5))[0];
        return {
          device: d.device,
          line: d.tags[LINE_TAG] ?? NO_LINE,
          kind: d.tags['kind'] ?? null,
          online: d.online ?? null,
          state: d.online === false ? 'offline' : (st?.state ?? null),
          stateSince: d.online === false ? (d.since ?? st?.since ?? null) : (st?.since ?? null),
          powerKw: pw?.value ?? null,
          oee: o
            ? {
                period: o.period,
                time: o.time,
                oee: o.oee,
                availability: o.availability,
                performance: o.performance,
                quality: o.quality,
                good_count: o.good_count,
                total_count: o.total_count,
              }
            : null,
          activeAlarms: mine.length,
          worstSeverity: worst ?? null,
        };
      });
      return { site, time: now, tiles };
    },
  );

  const LatestQuery = Type.Object(
    {
      site: Type.Optional(SiteId),
      metric: Type.Optional(
        Type.String({
          pattern: '^[A-Za-z0-9_]{1,64}(,[A-Za-z0-9_]{1,64}){0,99}$',
          description: 'comma list',
        }),
      ),
    },
    { additionalProperties: false },
  );
  app.get(
    '/api/v1/devices/:device/latest',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['telemetry'],
        summary: 'Latest value of each metric of a device (or of the listed metrics)',
        params: DeviceParams,
        querystring: LatestQuery,
        response: {
          200: Type.Array(
            Type.Object({
              metric: Type.String(),
              value: Type.Union([Type.Number(), Type.Boolean(), Type.String(), Type.Null()]),
              time: Type.Number(),
              unit: Type.Optional(Type.String()),
            }),
          ),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const { device } = req.params as Static<typeof DeviceParams>;
      const q = req.query as Static<typeof LatestQuery>;
      const site = await resolveSite(ctx, q.site);
      await ensureRegistry(ctx);
      const known = ctx.registry.get(site, device);
      if (!known) throw new NotFoundError(`no device ${device} at site ${site}`);
      const metrics = q.metric ? q.metric.split(',') : known.metrics.map((m) => m.name);
      const stored = await latestValues(ctx, site, device, metrics);
      stampSnapshot(reply, ctx);
      return overlayLatest(stored, ctx.live.view.values(site, device), metrics);
    },
  );

  const MetricParams = Type.Object({
    device: Type.String(DeviceParams.properties.device),
    metric: MetricName,
  });
  app.get(
    '/api/v1/devices/:device/metrics/:metric/history',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['telemetry'],
        summary: 'History of one metric: raw points, or aggregated per step',
        params: MetricParams,
        querystring: HistoryQuery,
        response: {
          200: Type.Object({
            metric: Type.String(),
            from: Type.Number(),
            to: Type.Number(),
            step: Type.Union([Type.String(), Type.Null()]),
            aggregate: Type.Union([Type.String(), Type.Null()]),
            resolution: Type.Union([Type.Literal('raw'), Type.Literal('1m'), Type.Literal('1h')], {
              description: 'what was read: raw points, or the 1-minute or hourly roll-ups',
            }),
            points: Type.Array(
              Type.Array(Type.Union([Type.Number(), Type.Boolean(), Type.String(), Type.Null()])),
            ),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const { device, metric } = req.params as { device: string; metric: string };
      const q = req.query as Static<typeof HistoryQuery>;
      const site = await resolveSite(ctx, q.site);
      return history(ctx, {
        site,
        device,
        metric,
        range: parseRange(q, ctx.clock()),
        step: q.step,
        aggregate: q.aggregate ?? 'mean',
        resolution: q.resolution,
      });
    },
  );

  const StatesQuery = Type.Object(RangeQuery, { additionalProperties: false });
  app.get(
    '/api/v1/devices/:device/states',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['production'],
        summary: 'Machine-state timeline (running, idle, down, planned_stop, setup, offline)',
        params: DeviceParams,
        querystring: StatesQuery,
        response: {
          200: Type.Object({
            device: Type.String(),
            from: Type.Number(),
            to: Type.Number(),
            spans: Type.Array(
              Type.Object({
                state: Type.String(),
                start: Type.Number(),
                end: Type.Number(),
                code: Type.Optional(Type.Number()),
                open: Type.Optional(Type.Boolean()),
              }),
            ),
            totals: Type.Record(Type.String(), Type.Number()),
          }),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const { device } = req.params as Static<typeof DeviceParams>;
      const q = req.query as Static<typeof StatesQuery>;
      const site = await resolveSite(ctx, q.site);
      const stored = await stateTimeline(ctx, site, device, parseRange(q, ctx.clock()));
      stampSnapshot(reply, ctx);
      return overlayTimeline(stored, ctx.live.view.state(site, device), ctx.clock());
    },
  );
}
