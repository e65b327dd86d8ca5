/**
 * The fleet view: every gateway with its version, configuration hash, uptime, lag, outbox and device health, flagged.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.js';
import { compareVersions, type GatewayState } from '../fleet-registry.js';
import { durationMs } from '../influxql.js';
import { ErrorReply, SiteId, Step } from '../schemas.js';

/** data arriving more than this behind real time flags the gateway as lagging (its outbox is draining) */
export const DEFAULT_LAG_MS = 60_000;
/** an online gateway whose oldest waiting batch is older than this is flagged as backing up */
export const DEFAULT_BACKLOG_MS = 60_000;
export const FLAGS = ['offline', 'lagging', 'old-version', 'backlog'] as const;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const Gateway = Type.Object({
  site: Type.String(),
  node: Type.String({ description: 'Sparkplug edge node id' }),
  online: Nullable(Type.Boolean({ description: 'null: not heard from since the ingester started' })),
  reason: Nullable(Type.String()),
  since: Nullable(Type.Number({ description: 'when online/offline last changed (ms)' })),
  version: Nullable(Type.String({ description: 'the agent’s version, from its NBIRTH' })),
  configHash: Nullable(Type.String({ description: 'the agent’s configuration hash, from its NBIRTH' })),
  started: Nullable(Type.Number({ description: 'when the agent process started (ms)' })),
  uptimeS: Nullable(Type.Number({ description: 'seconds since the agent process started' })),
  lastSeen: Nullable(Type.Number({ description: 'last message received from it (ms)' })),
  lagMs: Nullable(Type.Number({ description: 'how far behind real time its latest data arrived' })),
  outbox: Nullable(
    Type.Object(
      {
        messages: Type.Number({ description: 'batches waiting in the agent’s outbox' }),
        bytes: Type.Number({ description: 'their size (the unit of outbox.maxBytes)' }),
        oldestAgeMs: Type.Number({ description: 'ms since the oldest waiting batch was stored' }),
        at: Type.Number({
          description: 'when the agent measured them (ms); sent every 10 s and in every NBIRTH',
        }),
      },
      { description: 'the agent’s outbox, as it last said (null: never said: older agent or JSON format)' },
    ),
  ),
  devices: Type.Object({
    total: Type.Integer(),
    online: Type.Integer(),
    offline: Type.Array(Type.String(), { description: 'devices not online' }),
  }),
  flags: Type.Array(Type.Union(FLAGS.map((f) => Type.Literal(f))), {
    description:
      'offline: NDEATH or not heard from; lagging: data later than lagThreshold; old-version: older than the ingester or not announced; backlog: online with an outbox whose oldest batch waits longer than backlogThreshold',
  }),
});

const FleetQuery = Type.Object(
  {
    site: Type.Optional(SiteId),
    lagThreshold: Type.Optional({ ...Step, description: 'flag as lagging above this delay (default 1m)' }),
    backlogThreshold: Type.Optional({
      ...Step,
      description: 'flag as backlog when the oldest batch in the outbox waits longer (default 1m)',
    }),
  },
  { additionalProperties: false },
);

export function fleetRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/api/v1/fleet',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['fleet'],
        summary: 'Gateways with version, configuration hash, uptime, lag, outbox and device health, flagged',
        querystring: FleetQuery,
        response: {
          200: Type.Object({
            version: Type.String({ description: 'the ingester’s version: older gateways are flagged' }),
            lagThresholdMs: Type.Number(),
            backlogThresholdMs: Type.Number(),
            gateways: Type.Array(Gateway),
          }),
          400: ErrorReply,
          401: ErrorReply,
          403: ErrorReply,
        },
      },
    },
    async (req) => {
      const q = req.query as Static<typeof FleetQuery>;
      const lagThresholdMs = q.lagThreshold === undefined ? DEFAULT_LAG_MS : durationMs(q.lagThreshold);
      const backlogThresholdMs =
        q.backlogThreshold === undefined ? DEFAULT_BACKLOG_MS : durationMs(q.backlogThreshold);
      const version = ctx.fleet?.version ?? 'unknown';
      const now = ctx.clock();
      const gateways = (ctx.fleet?.registry.list() ?? [])
        .filter((g) => q.site === undefined || g.site === q.site)
        .map((g) => view(ctx, g, now, version, { lagMs: lagThresholdMs, backlogMs: backlogThresholdMs }));
      return { version, lagThresholdMs, backlogThresholdMs, gateways };
    },
  );
}

function view(
  ctx: ApiContext,
  g: GatewayState,
  now: number,
  version: string,
  limits: { lagMs: number; backlogMs: number },
) {
  const devices = ctx.registry.list({ site: g.site }).filter((d) => d.node === g.node);
  const flags: (typeof FLAGS)[number][] = [];
  if (g.online !== true) flags.push('offline');
  if (g.lagMs !== null && g.lagMs > limits.lagMs) flags.push('lagging');
  if (g.version === null || (version !== 'unknown' && compareVersions(g.version, version) < 0))
    flags.push('old-version');
  // as the gateway last said: while offline its figures are those from before (flagged offline already)
  if (
    g.online === true &&
    g.outbox !== null &&
    g.outbox.messages > 0 &&
    g.outbox.oldestAgeMs > limits.backlogMs
  )
    flags.push('backlog');
  const { site, node, online, reason, since, configHash, started, lastSeen } = g;
  return {
    site,
    node,
    online,
    reason,
    since,
    version: g.version,
    configHash,
    started,
    uptimeS: started === null || g.online !== true ? null : Math.max(0, Math.round((now - started) / 1000)),
    lastSeen,
    lagMs: g.lagMs,
    outbox: g.outbox,
    devices: {
      total: devices.length,
      online: devices.filter((d) => d.online === true).length,
      offline: devices.filter((d) => d.online !== true).map((d) => d.device),
    },
    flags,
  };
}
