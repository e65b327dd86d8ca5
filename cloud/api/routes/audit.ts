/** The audit log, for admins: events of a time range, optionally of some types, oldest first, a page at a time. */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AuditPage, AuditQuery } from '../../audit/audit-query.js';
import type { ApiContext } from '../api-context.js';
import { ApiError } from '../errors.js';
import { parseRange } from '../influxql.js';
import { ErrorReply, Time } from '../schemas.js';

/** The audit log as the API reads it (cloud/audit/audit-log.ts). */
export interface AuditReader {
  query(q: AuditQuery, signal?: AbortSignal): Promise<AuditPage>;
}

const AuditQuerySchema = Type.Object(
  {
    from: Type.Optional(Time),
    to: Type.Optional(Time),
    types: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9_.,-]{1,512}$',
        description: 'comma-separated event types, e.g. `api.refused,alarm.ack` (default: all)',
      }),
    ),
    offset: Type.Optional(
      Type.Integer({ minimum: 0, description: 'events to skip (`next` of the last page)' }),
    ),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1000, description: 'events per page (default 100)' }),
    ),
  },
  { additionalProperties: false },
);

const AuditEventSchema = Type.Object(
  {
    time: Type.String({ description: 'ISO 8601, UTC' }),
    type: Type.String({ description: 'api.login, api.refused, api.blocked, alarm.ack, config.loaded, …' }),
  },
  {
    additionalProperties: true,
    description: 'the event; other fields depend on its type (README, Audit log)',
  },
);

const AuditPageSchema = Type.Object({
  events: Type.Array(AuditEventSchema),
  next: Type.Union([Type.Integer(), Type.Null()], { description: 'offset of the next page; null: no more' }),
});

export function auditRoutes(app: FastifyInstance, ctx: ApiContext, reader: AuditReader | undefined): void {
  app.get(
    '/api/v1/audit',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['audit'],
        summary: 'Audit log (admin role): logins, refusals, alarm acknowledgements, configuration loads',
        querystring: AuditQuerySchema,
        response: {
          200: AuditPageSchema,
          400: ErrorReply,
          401: ErrorReply,
          403: ErrorReply,
          503: ErrorReply,
        },
      },
    },
    async (req) => {
      if (!reader) throw new ApiError(503, 'PP_API_NO_AUDIT', 'this server keeps no audit log');
      const q = req.query as Static<typeof AuditQuerySchema>;
      const range = parseRange(q, ctx.clock(), 86_400_000, 3660 * 86_400_000);
      return reader.query({
        ...range,
        types: (q.types ?? '').split(',').filter((t) => t !== ''),
        offset: q.offset ?? 0,
        limit: q.limit ?? 100,
      });
    },
  );
}
