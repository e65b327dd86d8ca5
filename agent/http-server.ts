import { createServer, type Server } from 'node:http';
import type { Logger } from '../config/logging.js';

export interface HealthReport {
  /** the process is alive and its loops run */
  live: boolean;
  /** connected upstream and at least one device delivering */
  ready: boolean;
  detail: Record<string, unknown>;
}

export interface MetricLine {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  values: { labels?: Record<string, string>; value: number }[];
}

/** `/healthz`, `/readyz` (JSON) and `/metrics` (Prometheus text format) on a loopback port by default. */
export async function startHttpServer(opts: {
  host?: string;
  port: number;
  health: () => HealthReport;
  metrics: () => MetricLine[];
  log: Logger;
}): Promise<{ url: string; close(): Promise<void>; server: Server }> {
  const server = createServer((req, res) => {
    try {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/healthz' || path === '/readyz') {
        const h = opts.health();
        const ok = path === '/healthz' ? h.live : h.ready;
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok, ...h.detail }));
        return;
      }
      if (path === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
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
    url: `http://${host}:${port}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function renderPrometheus(lines: MetricLine[]): string {
  const out: string[] = [];
  for (const m of lines) {
    out.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`);
    for (const v of m.values) {
      const labels = v.labels
        ? `{${Object.entries(v.labels)
            .map(([k, val]) => `${k}="${escapeLabel(val)}"`)
            .join(',')}}`
        : '';
      out.push(`${m.name}${labels} ${Number.isFinite(v.value) ? v.value : 0}`);
    }
  }
  return `${out.join('\n')}\n`;
}
