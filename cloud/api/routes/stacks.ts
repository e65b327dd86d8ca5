/** Emitted mass per outlet and pollutant (HJ 212 stacks and wastewater outlets). */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Strict } from '../../../config/schemas/common.js';
import type { ApiContext } from '../api-context.js';
import { parseRange } from '../influxql.js';
import { resolveSite } from '../read/site.js';
import { stackMass } from '../read/stack-mass.js';
import { DeviceId, ErrorReply, RangeQuery } from '../schemas.js';

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 502: ErrorReply };

const MassQuery = Strict({ ...RangeQuery, device: Type.Optional(DeviceId) });

const Named = { code: Type.String(), zh: Type.String(), en: Type.String() };

export function stackRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/api/v1/emissions/mass',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['emissions'],
        summary:
          'Emitted mass (kg) per outlet and pollutant: concentration × flow of HJ 212 real-time data, per hour and over the range (at most 31 days)',
        querystring: MassQuery,
        response: {
          200: Type.Object({
            period: Type.Literal('1h'),
            from: Type.Number(),
            to: Type.Number(),
            outlets: Type.Array(
              Type.Object({
                device: Type.String(),
                flowMetric: Type.String(),
                flowUnit: Type.String(),
                pollutants: Type.Array(Type.Object({ ...Named, metric: Type.String(), unit: Type.String() })),
              }),
            ),
            rows: Type.Array(
              Type.Object({
                time: Type.Number(),
                device: Type.String(),
                code: Type.String(),
                kg: Type.Number(),
              }),
            ),
            totals: Type.Array(Type.Object({ ...Named, device: Type.String(), kg: Type.Number() })),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const q = req.query as Static<typeof MassQuery>;
      const site = await resolveSite(ctx, q.site);
      return stackMass(ctx, {
        site,
        range: parseRange(q, ctx.clock()),
        ...(q.device ? { device: q.device } : {}),
      });
    },
  );
}
