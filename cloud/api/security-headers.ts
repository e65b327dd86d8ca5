/**
 * Security headers on every response (API, dashboard, /docs, errors) through @fastify/helmet. The Content Security
 * Policy allows what the dashboard (cloud/web/static) and Swagger UI use and nothing else: scripts and styles from
 * this origin only (no inline script; inline `style` attributes, which ECharts and the pages set), images from here
 * or `data:`, fetch/EventSource to this origin, no framing, no plugins. Strict-Transport-Security only over HTTPS.
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

export function securityHeaders(app: FastifyInstance, opts: { https: boolean }): void {
  app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    strictTransportSecurity: opts.https ? { maxAge: 31_536_000, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    crossOriginEmbedderPolicy: false,
  });
}
