/** OEE, energy, emissions, KPIs and metric limits. */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.js';
import { parseRange } from '../influxql.js';
import { limits } from '../read/alarms.js';
import { emissions, energy, kpi } from '../read/energy.js';
import { oee } from '../read/oee.js';
import { ensureRegistry } from '../read/registry-fallback.js';
import { resolveSite } from '../read/site.js';
import {
  EmissionsQuery,
  EnergyQuery,
  ErrorReply,
  KpiQuery,
  OeeFiguresSchema,
  OeeQuery,
  SiteQuery,
  WindowRowSchema,
} from '../schemas.js';

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 502: ErrorReply };
const Totals = Type.Array(Type.Object({}, { additionalProperties: true }));
/** Cost and consumption per tariff period and carrier, from the 15-minute windows (`tariff` tag). */
const TariffTotals = Type.Array(
  Type.Object({
    tariff: Type.Union([Type.String(), Type.Null()], {
      description:
        'period name as configured (`default` outside every period); null: windows stored untagged',
    }),
    carrier: Type.String(),
    unit: Type.String(),
    currency: Type.String(),
    consumption: Type.Number(),
    cost: Type.Number(),
    price: Type.Optional(Type.Number({ description: 'unit price of untagged windows (tariff null)' })),
  }),
);

export function productionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/api/v1/oee',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['production'],
        summary: 'OEE (A × P × Q) with losses, per machine, line or site, per window and in total',
        querystring: OeeQuery,
        response: {
          200: Type.Object({
            period: Type.String(),
            groupBy: Type.String(),
            from: Type.Number(),
            to: Type.Number(),
            groups: Type.Array(
              Type.Object({
                key: Type.String(),
                devices: Type.Array(Type.String()),
                totals: OeeFiguresSchema,
                windows: Type.Array(
                  Type.Intersect([
                    Type.Object({
                      time: Type.Number(),
                      failures: Type.Optional(Type.Number()),
                      mtbf_s: Type.Optional(Type.Number()),
                      mttr_s: Type.Optional(Type.Number()),
                    }),
                    OeeFiguresSchema,
                  ]),
                ),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const q = req.query as Static<typeof OeeQuery>;
      const site = await resolveSite(ctx, q.site);
      const groupBy = q.groupBy ?? 'device';
      if (groupBy === 'line' || q.line !== undefined) await ensureRegistry(ctx);
      return oee(ctx, {
        site,
        period: q.period ?? '1h',
        range: parseRange(q, ctx.clock()),
        groupBy,
        ...(q.device ? { device: q.device } : {}),
        ...(q.line !== undefined ? { line: q.line } : {}),
      });
    },
  );

  app.get(
    '/api/v1/energy',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['energy'],
        summary:
          'Energy windows (consumption, 15-minute demand, peak, cost) with totals per carrier, machine, tariff',
        querystring: EnergyQuery,
        response: {
          200: Type.Object({
            period: Type.String(),
            from: Type.Number(),
            to: Type.Number(),
            rows: Type.Array(WindowRowSchema),
            totals: Type.Object({
              byCarrier: Totals,
              byDevice: Totals,
              byTariff: TariffTotals,
              peak: Type.Union([
                Type.Object({ kw: Type.Number(), time: Type.Number(), device: Type.String() }),
                Type.Null(),
              ]),
            }),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const q = req.query as Static<typeof EnergyQuery>;
      const site = await resolveSite(ctx, q.site);
      return energy(ctx, {
        site,
        period: q.period ?? '1h',
        range: parseRange(q, ctx.clock()),
        ...(q.device ? { device: q.device } : {}),
        ...(q.carrier ? { carrier: q.carrier } : {}),
      });
    },
  );

  app.get(
    '/api/v1/emissions',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['emissions'],
        summary: 'CO2e windows by scope and source, with totals',
        querystring: EmissionsQuery,
        response: {
          200: Type.Object({
            period: Type.String(),
            from: Type.Number(),
            to: Type.Number(),
            rows: Type.Array(WindowRowSchema),
            totals: Type.Object({
              co2e_kg: Type.Number(),
              byScope: Totals,
              bySource: Totals,
              byDevice: Totals,
            }),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const q = req.query as Static<typeof EmissionsQuery>;
      const site = await resolveSite(ctx, q.site);
      return emissions(ctx, {
        site,
        period: q.period ?? '1h',
        range: parseRange(q, ctx.clock()),
        ...(q.device ? { device: q.device } : {}),
        ...(q.scope ? { scope: q.scope } : {}),
      });
    },
  );

  app.get(
    '/api/v1/kpi',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['energy', 'emissions'],
        summary: 'KPI windows: kWh and CO2e per good part',
        querystring: KpiQuery,
        response: {
          200: Type.Object({
            period: Type.String(),
            from: Type.Number(),
            to: Type.Number(),
            rows: Type.Array(WindowRowSchema),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const q = req.query as Static<typeof KpiQuery>;
      const site = await resolveSite(ctx, q.site);
      return kpi(ctx, {
        site,
        period: q.period ?? '1h',
        range: parseRange(q, ctx.clock()),
        ...(q.device ? { device: q.device } : {}),
      });
    },
  );

  app.get(
    '/api/v1/limits',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['emissions'],
        summary: 'Limits of metrics (stack pollutants, …): configured, or last seen on alarms',
        querystring: SiteQuery,
        response: {
          200: Type.Array(
            Type.Object({
              device: Type.Union([Type.String(), Type.Null()]),
              metric: Type.String(),
              limit: Type.Number(),
              severity: Type.Union([Type.String(), Type.Null()]),
              unit: Type.Union([Type.String(), Type.Null()]),
            }),
          ),
          ...errors,
        },
      },
    },
    async (req) => limits(ctx, await resolveSite(ctx, (req.query as Static<typeof SiteQuery>).site)),
  );
}
