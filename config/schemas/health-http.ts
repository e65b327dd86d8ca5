import { Type } from '@sinclair/typebox';
import { optional, required, Section } from '../spec.js';
import { Port } from './common.js';

/** `/healthz`, `/readyz` and `/metrics` of a process (agent and ingester alike): one shape, documented in docs/metrics.md. */
export const HealthHttp = Section({
  port: required(Port, {
    description: '/healthz, /readyz and /metrics on this port (0: any free port)',
    example: 9100,
  }),
  host: optional(Type.String(), { description: 'address to listen on', default: '127.0.0.1' }),
});
