/** The metering tree: kWh, standard coal (tce), balance and GB 17167 coverage per node (docs/api.md#energy-tree). */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.js';
import { parseRange } from '../influxql.js';
import { energyTree } from '../read/energy-tree.js';
import { resolveSite } from '../read/site.js';
import { ErrorReply, Period, RangeQuery } from '../schemas.js';

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 502: ErrorReply };

export const EnergyTreeQuery = Type.Object(
  { ...RangeQuery, period: Type.Optional(Period) },
  { additionalProperties: false },
);

const Balance = Type.Object({
  carrier: Type.String(),
  unit: Type.String({ description: 'kWh, m3, kg or GJ' }),
  parent: Type.Number({ description: "the node's own meters" }),
  children: Type.Number({ description: 'sum of its children' }),
  unmetered: Type.Number({ description: 'parent − children: unmetered use and losses' }),
  unmetered_pct: Type.Number({ description: 'unmetered ÷ parent × 100' }),
});

const Node = Type.Object({
  id: Type.String(),
  name: Type.String(),
  parent: Type.Union([Type.String(), Type.Null()]),
  level: Type.String({ description: 'plant, workshop, line or equipment' }),
  metered: Type.Boolean({ description: 'has meters of its own; else the sum of its children' }),
  kwh: Type.Number(),
  kgce: Type.Number({ description: 'standard coal, electricity at its equivalent value (当量值)' }),
  tce: Type.Number(),
  kgce_equal_value: Type.Union([Type.Number(), Type.Null()], {
    description:
      'standard coal, electricity at its equal value (等价值); null when the plant has not set one (notes say so)',
  }),
  good_count: Type.Number({ description: 'good parts of the machines in its subtree' }),
  kgce_per_good_part: Type.Number({ description: '0 when no good part was made' }),
  balance: Type.Array(Balance),
});

const Coverage = Type.Object({
  level: Type.String({ description: 'GB 17167 level: organisation, sub_unit, equipment' }),
  carrier: Type.String(),
  required: Type.Number({ description: 'node-windows of the level that use the carrier' }),
  metered: Type.Number({ description: 'of those, with an own meter that reported' }),
  rate_pct: Type.Number(),
  required_pct: Type.Union([Type.Number(), Type.Null()], {
    description:
      'the required equipping rate (%); null where none is set or known (compressed air by default)',
  }),
  required_source: Type.Union([Type.Literal('gb17167-2006'), Type.Literal('plant'), Type.Null()], {
    description:
      'plant: analytics.energyTree.requiredRates; gb17167-2006: the default, GB 17167-2006 Table 1 as transcribed secondarily',
  }),
  required_source_note: Type.Union([Type.String(), Type.Null()], {
    description: 'the provenance of the rate in plain words',
  }),
  compliant: Type.Union([Type.Boolean(), Type.Null()]),
});

const Note = Type.Object({
  code: Type.Literal('EQUAL_VALUE_MISSING'),
  message: Type.String({ description: 'what is left out, and what to set' }),
});

export function energyTreeRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/api/v1/energy/tree',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['energy'],
        summary: 'Metering tree: kWh, tce, good parts, balance against children, GB 17167 coverage',
        querystring: EnergyTreeQuery,
        response: {
          200: Type.Object({
            period: Type.String(),
            from: Type.Number(),
            to: Type.Number(),
            nodes: Type.Array(Node),
            coverage: Type.Array(Coverage),
            notes: Type.Array(Note, { description: 'figures left out and why' }),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const q = req.query as Static<typeof EnergyTreeQuery>;
      const site = await resolveSite(ctx, q.site);
      return energyTree(ctx, { site, period: q.period ?? 'day', range: parseRange(q, ctx.clock()) });
    },
  );
}
