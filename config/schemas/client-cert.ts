import { Type } from '@sinclair/typebox';
import type { ConfigIssue } from '../errors.js';
import { optional } from '../spec.js';

/** An MQTT client's certificate and key (mutual TLS), the same keys for the agent's and the ingester's session. */
export const ClientCertKeys = {
  cert: optional(Type.String(), { description: 'client certificate (PEM path; goes with key)' }),
  key: optional(Type.String(), { description: 'client private key (PEM path; goes with cert)' }),
};

/** A client certificate goes with its key. */
export function certPair(m: { cert?: string | undefined; key?: string | undefined }): ConfigIssue[] {
  if (m.cert !== undefined && m.key === undefined) return [{ path: [], message: 'cert needs key' }];
  if (m.key !== undefined && m.cert === undefined) return [{ path: [], message: 'key needs cert' }];
  return [];
}
