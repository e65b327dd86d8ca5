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
  const acking = new Map<string, Promise<void>>();
  app.get(
    '/api/v1/alarms',
    {
      config: { role: 'viewer' },
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
        summary:
          'Acknowledge an alarm (admin role): the first acknowledgement is written onto the alarm point in InfluxDB and kept; every one is an audit event',
        params: AckParams,
        body: AckBody,
        response: { 200: AlarmSchema, ...errors },
      },
    },
    async (req) => {
      const { id } = req.params as Static<typeof AckParams>;
      const body = req.body as { comment?: string } | null | undefined;
      const principal = (req as unknown as { principal: Principal }).principal;
      // one ack of an alarm at a time, so that two at once cannot both be "first"
      const before = acking.get(id) ?? Promise.resolve();
      const run = before.then(() => acknowledgeAlarm(ctx, id, principal.name, body?.comment));
      const settled = run.then(
        () => {},
        () => {},
      );
      acking.set(id, settled);
      try {
        const { alarm, first } = await run;
        ctx.audit.record({
          type: 'alarm.ack',
          fields: {
            alarmId: id,
            site: alarm.site,
            device: alarm.device,
            metric: alarm.metric,
            severity: alarm.severity,
            raisedAt: new Date(alarm.raisedAt).toISOString(),
            tokenName: principal.name,
            address: req.ip,
            comment: body?.comment ?? null,
            first,
          },
        });
        return alarm;
      } finally {
        if (acking.get(id) === settled) acking.delete(id);
      }
    },
  );
}
