/**
 * Server-sent events: live values, state changes, device status and alarms.
 *
 * Event names are the LiveEvent types (`value`, `state`, `status`, `alarm`), plus `hello` once on connect and
 * `lagged` (`{"dropped": n}`) when this client was too slow and its bounded buffer dropped the oldest events: the
 * client should then reload its snapshot. A comment line is sent every `heartbeatMs` so proxies keep the stream open.
 *
 * Every event has the SSE id `<epoch>:<seq>` (live-bus.ts). A client that sends `Last-Event-ID` (a browser's
 * EventSource does on reconnect; a snapshot's `Live-Event-Id` header works too) gets the events after it replayed
 * first, and `hello.resumed: true`; with `resumed: false` it missed events (too old, or another ingester process)
 * and must reload its snapshot. `hello.lastEventId` is where this stream starts when it did not resume.
 */
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.js';
import { ApiError, BusyError } from '../errors.js';
import { type LiveEvent, type LiveEventType, parseEventId } from '../live-bus.js';
import { ErrorReply, LiveQuery } from '../schemas.js';

export interface LiveRouteOptions {
  maxClients: number;
  /** most streams of one token (anonymous clients share one count) */
  maxClientsPerToken: number;
  heartbeatMs: number;
  /** per-client buffer bound (events) */
  maxBuffered: number;
}

const json = (v: unknown) =>
  JSON.stringify(v, (_k, x) =>
    typeof x === 'bigint'
      ? x <= BigInt(Number.MAX_SAFE_INTEGER) && x >= -BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(x)
        : x.toString()
      : x,
  );

/** The resume point: the `Last-Event-ID` header wins over the `lastEventId` query parameter. */
function lastEventIdOf(header: string | string[] | undefined, query: string | undefined): string | undefined {
  return (Array.isArray(header) ? header[0] : header) ?? query;
}

export function liveRoutes(app: FastifyInstance, ctx: ApiContext, opts: LiveRouteOptions): void {
  let clients = 0;
  const perToken = new Map<string, number>();
  const open = new Set<() => void>();
  // hijacked streams never end on their own: end them when the server closes
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });
  app.get(
    '/api/v1/live',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['live'],
        summary: 'Server-sent events stream of live values, state changes, device status and alarms',
        description:
          'text/event-stream. Events: hello, value, state, status, alarm, lagged ({dropped}: reload your snapshot).',
        querystring: LiveQuery,
        response: { 400: ErrorReply, 401: ErrorReply, 429: ErrorReply, 503: ErrorReply },
      },
    },
    async (req, reply) => {
      const q = req.query as Static<typeof LiveQuery>;
      // HEAD (fastify serves it for every GET route) gets the stream's head and no stream: a hijacked reply to a
      // HEAD never ended, so the client waited for ever and held a live client slot (found by the api-paths fuzzer)
      if (req.method === 'HEAD') {
        return reply
          .header('content-type', 'text/event-stream; charset=utf-8')
          .header('cache-control', 'no-cache, no-transform')
          .send();
      }
      if (clients >= opts.maxClients) {
        throw new BusyError(`${opts.maxClients} live streams are open already; try again later`);
      }
      const holder = req.principal?.name ?? 'anonymous';
      const held = perToken.get(holder) ?? 0;
      if (held >= opts.maxClientsPerToken) {
        throw new ApiError(
          429,
          'PP_API_LIVE_LIMIT',
          `token "${holder}" has ${held} live streams open already (most ${opts.maxClientsPerToken}); close one first`,
        );
      }
      const types = new Set<LiveEventType>(
        (q.types ?? 'value,state,status,alarm').split(',') as LiveEventType[],
      );
      const site = q.site ?? ctx.site;
      const device = q.device;
      const last = parseEventId(lastEventIdOf(req.headers['last-event-id'], q.lastEventId));
      const startId = ctx.live.lastEventId;
      const sub = ctx.live.subscribe({
        maxBuffered: opts.maxBuffered,
        filter: (e: LiveEvent) =>
          types.has(e.type) &&
          (site === undefined || e.site === site) &&
          (device === undefined || e.device === device),
        // the same, for the bus to make value events only for streams that want them
        wants: {
          types,
          ...(site === undefined ? {} : { site }),
          ...(device === undefined ? {} : { device }),
        },
        ...(last && last.epoch === ctx.live.epoch ? { after: last.seq } : {}),
      });
      clients++;
      perToken.set(holder, held + 1);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const abort = new AbortController();
      const heartbeat = setInterval(() => res.write(': ping\n\n'), opts.heartbeatMs);
      heartbeat.unref();
      const finish = () => {
        if (abort.signal.aborted) return;
        abort.abort();
        clearInterval(heartbeat);
        sub.close();
        clients--;
        const left = (perToken.get(holder) ?? 1) - 1;
        if (left > 0) perToken.set(holder, left);
        else perToken.delete(holder);
        open.delete(finish);
        if (!res.writableEnded) res.end();
      };
      open.add(finish);
      req.raw.on('close', finish);
      res.on('close', finish);
      const epoch = ctx.live.epoch;
      const hello = {
        time: ctx.clock(),
        site: site ?? null,
        epoch,
        lastEventId: startId,
        resumed: sub.resumed,
      };
      res.write(`retry: 3000\nevent: hello\ndata: ${json(hello)}\n\n`);
      try {
        for (;;) {
          const batch = await sub.take(abort.signal);
          if (!batch) break;
          let chunk = '';
          if (batch.dropped > 0) chunk += `event: lagged\ndata: ${json({ dropped: batch.dropped })}\n\n`;
          for (const e of batch.events)
            chunk += `id: ${epoch}:${e.seq}\nevent: ${e.type}\ndata: ${json(e)}\n\n`;
          if (!res.write(chunk)) {
            await new Promise<void>((resolve) => {
              const done = () => {
                res.off('drain', done);
                abort.signal.removeEventListener('abort', done);
                resolve();
              };
              res.on('drain', done);
              abort.signal.addEventListener('abort', done, { once: true });
            });
          }
        }
      } finally {
        finish();
        if (!res.writableEnded) res.end();
      }
    },
  );
}
