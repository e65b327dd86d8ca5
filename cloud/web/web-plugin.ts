/**
 * Serves the plant dashboard: plain ES modules and CSS from `cloud/web/static/`, and Apache ECharts straight from
 * the installed `echarts` package (no front-end build step). Single-page app with hash routes, so `/` is the only
 * HTML entry. Files are read on request from a fixed root; paths outside it are refused.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

/** `cloud/web/static`, whether this module runs from the sources or from `dist/cloud/web`. */
export function staticRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const fromDist = here.split(sep).includes('dist');
  return fromDist ? resolve(here, '../../../cloud/web/static') : resolve(here, 'static');
}

export function echartsPath(): string {
  return createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');
}

/**
 * The dashboard's routes, all public. Their security headers (the Content-Security-Policy the pages are written
 * for, nosniff, no framing) come from the server's helmet, on every response: cloud/api/security-headers.ts.
 */
export function webRoutes(app: FastifyInstance, opts: { root?: string } = {}): void {
  const root = opts.root ?? staticRoot();

  const send = async (file: string, type: string | undefined, cache: string) => {
    const body = await readFile(file);
    return { body, headers: { 'content-type': type ?? 'application/octet-stream', 'cache-control': cache } };
  };

  app.get('/', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
    const { body, headers } = await send(join(root, 'index.html'), TYPES['.html'], 'no-cache');
    return reply.headers(headers).send(body);
  });

  app.get(
    '/vendor/echarts.min.js',
    { config: { public: true }, schema: { hide: true } },
    async (_req, reply) => {
      const { body, headers } = await send(echartsPath(), TYPES['.js'], 'public, max-age=86400');
      return reply.headers(headers).send(body);
    },
  );

  app.get('/static/*', { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
    const rel = (req.params as { '*': string })['*'];
    const file = resolve(root, rel);
    if (!file.startsWith(root + sep) || rel.includes('\0')) {
      return reply
        .code(404)
        .send({ statusCode: 404, code: 'PP_API_NOT_FOUND', error: 'Not Found', message: 'no such file' });
    }
    try {
      const { body, headers } = await send(file, TYPES[extname(file)], 'no-cache');
      return reply.headers(headers).send(body);
    } catch {
      return reply
        .code(404)
        .send({ statusCode: 404, code: 'PP_API_NOT_FOUND', error: 'Not Found', message: `no file ${rel}` });
    }
  });
}
