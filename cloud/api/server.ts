/**
 * The cloud API (REST under /api/v1, SSE live stream, OpenAPI at /docs) and the plant dashboard, as one fastify
 * instance, over HTTPS when `api.tls` is set. Returned not yet listening: the caller (`plantpulse cloud`) decides
 * when to `listen`, and `close()`s it. Who may call what: access-control.ts; headers: security-headers.ts.
 */
import { readFileSync } from 'node:fs';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { CloudConfig } from '../../config/schemas/cloud.js';
import { PlantpulseError } from '../../protocols/errors.js';
import { type AuditSink, noAudit } from '../audit/audit-event.js';
import { webRoutes } from '../web/web-plugin.js';
import { accessControl, docsAccess } from './access-control.js';
import type { ApiContext, ApiLifecycle, MetricLimit } from './api-context.js';
import { AuthFailureLimit } from './auth-failures.js';
import type { DeviceRegistry } from './device-registry.js';
import { DeviceRegistry as Registry } from './device-registry.js';
import { ApiError } from './errors.js';
import type { FleetRegistry } from './fleet-registry.js';
import { createInfluxReader, type InfluxAuth, type InfluxReader } from './influx-reader.js';
import type { LiveBus } from './live-bus.js';
import { alarmRoutes } from './routes/alarms.js';
import { type AuditReader, auditRoutes } from './routes/audit.js';
import { deviceRoutes } from './routes/devices.js';
import { energyTreeRoutes } from './routes/energy-tree.js';
import { fleetRoutes } from './routes/fleet.js';
import { liveRoutes } from './routes/live.js';
import { productionRoutes } from './routes/production.js';
import { stackRoutes } from './routes/stacks.js';
import { securityHeaders } from './security-headers.js';
import { TokenAuth } from './token-auth.js';

export type ApiConfig = NonNullable<CloudConfig['api']>;

export interface ApiServerOptions {
  config: ApiConfig;
  influx: { url: string; database: string; auth?: InfluxAuth };
  live: LiveBus;
  log: Logger;
  /** default site for requests that name none */
  site?: string;
  registry?: DeviceRegistry;
  /** limits of metrics shown on charts (e.g. from the analytics alarm config) */
  limits?: MetricLimit[];
  /**
   * tags by device id that births do not carry, e.g. `{ 'press-07': { line: 'line3' } }` from the analytics
   * machines: the overview groups by `line`, and OEE `groupBy=line` uses it
   */
  deviceTags?: Record<string, Record<string, string>>;
  /** telemetry metric shown as power on overview tiles (default `power_kw`) */
  powerMetric?: string;
  clock?: () => number;
  /** replace the InfluxDB access (tests) */
  reader?: InfluxReader;
  /** called with the status code of every response (the ingester counts them for /metrics) */
  onResponse?: (statusCode: number) => void;
  /** live stream tuning */
  liveHeartbeatMs?: number;
  liveMaxBuffered?: number;
  /** the audit log: logins, refusals, acknowledgements recorded; `GET /api/v1/audit` reads it */
  audit?: (AuditSink & AuditReader) | undefined;
  /** the token check (tests read its stats); default: made from `config.tokens` */
  tokenAuth?: TokenAuth;
  /** the data lifecycle: history picks raw or roll-ups by span (cloud/api/read/resolution.ts) */
  lifecycle?: ApiLifecycle;
  /** the fleet view's gateways and the ingester's version (`GET /api/v1/fleet`) */
  fleet?: { registry: FleetRegistry; version: string };
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function createApiServer(opts: ApiServerOptions): FastifyInstance {
  const log = opts.log.child({ component: 'api' });
  const audit = opts.audit ?? noAudit;
  const ctx: ApiContext = {
    reader: opts.reader ?? createInfluxReader(opts.influx),
    registry: opts.registry ?? new Registry(),
    live: opts.live,
    log,
    site: opts.site,
    clock: opts.clock ?? Date.now,
    limits: opts.limits ?? [],
    powerMetric: opts.powerMetric ?? 'power_kw',
    audit,
    ...(opts.lifecycle ? { lifecycle: opts.lifecycle } : {}),
    ...(opts.fleet ? { fleet: opts.fleet } : {}),
  };
  if (opts.deviceTags) ctx.registry.setStaticTags(opts.deviceTags);
  const auth =
    opts.tokenAuth ??
    new TokenAuth({ tokens: opts.config.tokens, anonymous: opts.config.anonymous, clock: ctx.clock });
  if (opts.config.tokens.length === 0 && !opts.config.anonymous) {
    log.warn('api.tokens is empty and api.anonymous is not set: every API request will be refused (401)');
  }
  if (auth.entriesWithoutId.length > 0) {
    log.warn(
      { tokens: auth.entriesWithoutId },
      'api.tokens without an id: each costs one scrypt per unknown token presented; give them ids (README, Security)',
    );
  }
  const tls = opts.config.tls;

  const app = Fastify({
    ...(tls ? { https: httpsOptions(tls) } : {}),
    loggerInstance: log,
    // one log line per request would flood the log: requests are counted in /metrics instead
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    schemaErrorFormatter: (errors, dataVar) => {
      const e = errors[0];
      if (!e) return new Error(`${dataVar} is invalid`);
      const where = `${dataVar}${e.instancePath.replace(/\//g, '.')}`;
      const extra = e.params as { additionalProperty?: string; allowedValues?: unknown[] };
      let message = `${where} ${e.message ?? 'is invalid'}`;
      if (extra.additionalProperty)
        message = `${where} has an unknown parameter "${extra.additionalProperty}"`;
      if (Array.isArray(extra.allowedValues)) message += `: ${extra.allowedValues.join(', ')}`;
      return new Error(message);
    },
  }) as unknown as FastifyInstance;
  app.decorateRequest('principal', null);
  securityHeaders(app, { https: tls !== undefined });
  const onResponse = opts.onResponse;
  if (onResponse) app.addHook('onResponse', async (_req, reply) => onResponse(reply.statusCode));

  app.register(swagger, {
    openapi: {
      info: {
        title: 'plantpulse API',
        version: '1',
        description:
          'Plant data from InfluxDB: devices and status, telemetry, machine states, OEE, energy, emissions, alarms, and a live event stream. Bearer tokens: viewer (read) and admin (also acknowledge alarms and read the audit log).',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
      tags: [
        { name: 'plant', description: 'sites, lines, devices, overview' },
        { name: 'telemetry', description: 'latest values and history' },
        { name: 'production', description: 'machine states and OEE' },
        { name: 'energy', description: 'consumption, demand, cost' },
        { name: 'emissions', description: 'CO2e and limits' },
        { name: 'alarms', description: 'active, history, acknowledge' },
        { name: 'live', description: 'server-sent events' },
        { name: 'audit', description: 'audit log (admin)' },
        { name: 'fleet', description: 'gateways: version, configuration, lag, device health' },
      ],
    },
  });
  docsAccess(app, opts.config.docsRole);
  app.register(swaggerUi, { routePrefix: '/docs' });

  // CORS: off unless origins are configured
  const origins = new Set(opts.config.cors);
  if (origins.size > 0) {
    app.addHook('onRequest', async (req, reply) => {
      const origin = req.headers.origin;
      if (origin && (origins.has(origin) || origins.has('*'))) {
        reply.header('access-control-allow-origin', origins.has('*') ? '*' : origin);
        reply.header('vary', 'Origin');
        if (req.method === 'OPTIONS') {
          reply.header('access-control-allow-methods', 'GET, POST');
          reply.header('access-control-allow-headers', 'authorization, content-type');
          reply.header('access-control-max-age', '600');
          return reply.code(204).send();
        }
      }
    });
  }

  const limit = new AuthFailureLimit({
    max: opts.config.authFailures.max,
    windowMs: opts.config.authFailures.window,
    clock: ctx.clock,
  });
  accessControl(app, { auth, limit, docsRole: opts.config.docsRole, audit, log, clock: ctx.clock });

  app.setErrorHandler((err: FastifyError | ApiError | Error, req, reply) => {
    let statusCode = 500;
    let code = 'PP_API_INTERNAL';
    let message = 'internal error';
    if (err instanceof ApiError) {
      statusCode = err.statusCode;
      code = err.code;
      message = err.message;
    } else if ('validation' in err && err.validation) {
      statusCode = 400;
      code = 'FST_ERR_VALIDATION';
      message = err.message;
    } else if ('statusCode' in err && typeof err.statusCode === 'number' && err.statusCode < 500) {
      statusCode = err.statusCode;
      code = (err as FastifyError).code ?? 'PP_API_BAD_REQUEST';
      message = err.message;
    }
    if (statusCode >= 500) req.log.error({ err, url: req.url }, 'request failed');
    reply.code(statusCode).send({ statusCode, code, error: STATUS_TEXT[statusCode] ?? 'Error', message });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({
      statusCode: 404,
      code: 'PP_API_NOT_FOUND',
      error: 'Not Found',
      message: `no route ${req.method} ${req.url.split('?')[0]}`,
    });
  });

  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async () => ({ ok: true }));
  app.get(
    '/api/v1/me',
    {
      config: { role: 'viewer' },
      schema: { tags: ['plant'], summary: 'Who the token belongs to and its role' },
    },
    async (req) => ({
      name: req.principal?.name ?? 'anonymous',
      role: req.principal?.role ?? 'viewer',
    }),
  );

  app.register(async (scope) => {
    deviceRoutes(scope, ctx);
    productionRoutes(scope, ctx);
    energyTreeRoutes(scope, ctx);
    alarmRoutes(scope, ctx);
    stackRoutes(scope, ctx);
    liveRoutes(scope, ctx, {
      maxClients: opts.config.maxLiveClients,
      maxClientsPerToken: opts.config.maxLiveClientsPerToken,
      heartbeatMs: opts.liveHeartbeatMs ?? 15_000,
      maxBuffered: opts.liveMaxBuffered ?? 2000,
    });
    auditRoutes(scope, ctx, opts.audit);
    fleetRoutes(scope, ctx);
    if (opts.config.dashboard) webRoutes(scope);
  });

  return app;
}

/** The HTTPS options of `api.tls`: PEM files read now (a missing file fails the start with its path). */
function httpsOptions(tls: NonNullable<ApiConfig['tls']>) {
  const read = (what: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new PlantpulseError('PP_API_TLS_FILE', `cannot read api.tls.${what} ${path}`, { cause: err });
    }
  };
  return {
    cert: read('cert', tls.cert),
    key: read('key', tls.key),
    ...(tls.ca === undefined ? {} : { ca: read('ca', tls.ca) }),
    requestCert: tls.requestCert,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2' as const,
  };
}
