/**
 * The health and metrics endpoint both processes serve on their `http: { port, host }` setting (127.0.0.1 unless
 * `host` says otherwise): `/healthz` (the process is alive), `/readyz` (it can do its job), both JSON with every
 * component's health, and `/metrics` (Prometheus text). docs/metrics.md lists what each process reports.
 */
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { type ComponentHealth, type HealthStatus, worstStatus } from './component-health.js';
import { type MetricFamily, renderPrometheus } from './prometheus.js';

export interface HealthReport {
  /** the process is alive and its loops run */
  live: boolean;
  /** it can do its job (the agent: uplink connected and a device answering; the ingester: consuming) */
  ready: boolean;
  components: ComponentHealth[];
}

/** The JSON body of `/healthz` and `/readyz`. */
export interface HealthBody {
  ok: boolean;
  /** the worst component status */
  status: HealthStatus;
  components: ComponentHealth[];
}

export interface HealthServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startHealthServer(opts: {
  host?: string;
  port: number;
  report: () => HealthReport;
  metrics: () => MetricFamily[];
  log: Logger;
}): Promise<HealthServer> {
  const server = createServer((req, res) => {
    try {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/healthz' || path === '/readyz') {
        const r = opts.report();
        const ok = path === '/healthz' ? r.live : r.ready;
        const body: HealthBody = {
          ok,
          status: worstStatus(r.components.map((c) => c.status)),
          components: r.components,
        };
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
        return;
      }
      if (path === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(renderPrometheus(opts.metrics()));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ statusCode: 404, error: 'Not Found', message: `no route ${path}` }));
    } catch (err) {
      opts.log.error({ err }, 'health endpoint failed');
      res.writeHead(500);
      res.end();
    }
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The endpoint of a process's `http: { port, host }` setting, or nothing without it; logs where it listens (a
 * process calls this once, with its own report and metrics).
 */
export async function serveHealth(
  http: { port: number; host?: string } | undefined,
  opts: { report: () => HealthReport; metrics: () => MetricFamily[]; log: Logger },
): Promise<HealthServer | undefined> {
  if (http === undefined) return undefined;
  const server = await startHealthServer({
    port: http.port,
    ...(http.host === undefined ? {} : { host: http.host }),
    ...opts,
    log: opts.log.child({ component: 'http' }),
  });
  opts.log.info({ url: server.url }, 'health and metrics endpoint listening');
  return server;
}
