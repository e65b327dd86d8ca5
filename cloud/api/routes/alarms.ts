/** Active alarms, alarm history, acknowledgement (admin). */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.js';
import { parseRange } from '../influxql.js';
import { acknowledgeAlarm, listAlarms, sortAlarms } from '../read/alarms.js';
import { overlayAlarms, stampSnapshot } from '../read/live-overlay.js';
import { resolveSite } from '../read/site.js';
import { AckBody, AlarmSchema, AlarmsQuery, ErrorReply } from '../schemas.js';
import type { Principal } from '../token-auth.js';

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 502: ErrorReply };

export function alarmRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/api/v1/alarms',
    {
      schema: {
        tags: ['alarms'],
        summary: 'Active alarms (status=active, default) or alarm history over a range (status=all)',
        querystring: AlarmsQuery,
        response: { 200: Type.Array(AlarmSchema), ...errors },
      },
    },
    async (req, reply) => {
      const q = req.query as Static<typeof AlarmsQuery>;
      const site = await resolveSite(ctx, q.site);
      const query = {
        site,
        status: q.status ?? 'active',
        range: parseRange(q, ctx.clock(), 7 * 86_400_000),
        limit: q.limit ?? 500,
        ...(q.device ? { device: q.device } : {}),
      } as const;
      const stored = await listAlarms(ctx, query);
      // synchronously from here: the live episodes not yet in InfluxDB, then the snapshot's event id
      const all = overlayAlarms(stored, ctx.live.view.alarms(site, q.device), query);
      stampSnapshot(reply, ctx);
      return sortAlarms(all, query.status).slice(0, query.limit);
    },
  );

  const AckParams = Type.Object(
    { id: Type.String({ maxLength: 300, description: 'alarm id: site~device~metric~severity~raisedAtMs' }) },
    { additionalProperties: false },
  );
  app.post(
    '/api/v1/alarms/:id/ack',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['alarms'],
        summary: 'Acknowledge an alarm (admin role); written onto the alarm point in InfluxDB',
        params: AckParams,
        body: AckBody,
        response: { 200: AlarmSchema, ...errors },
      },
    },
    async (req) => {
      const { id } = req.params as Static<typeof AckParams>;
      const body = req.body as { comment?: string } | null | undefined;
      const principal = (req as unknown as { principal: Principal }).principal;
      return acknowledgeAlarm(ctx, id, principal.name, body?.comment);
    },
  );
}
