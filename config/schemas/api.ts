import { type StaticDecode, Type } from '@sinclair/typebox';
import { apiChecks } from '../cloud-checks.js';
import { optional, required, Section, withCheck } from '../spec.js';
import { Port } from './common.js';

export const ApiToken = Section({
  name: required(Type.String({ minLength: 1 }), {
    description: 'who holds the token (logs, audit)',
    example: 'control-room',
  }),
  role: required(Type.Union([Type.Literal('viewer'), Type.Literal('admin')]), {
    description: 'viewer reads; admin also acknowledges alarms',
    example: 'viewer',
  }),
  tokenHash: required(Type.String({ minLength: 1 }), {
    description: 'scrypt hash of the bearer token (`plantpulse hash-password`)',
    example: 'scrypt$…',
  }),
});

const ApiConfigSection = Section({
  host: optional(Type.String(), {
    description: 'address the API and dashboard listen on',
    default: '127.0.0.1',
  }),
  port: required(Port, { description: 'port of the API and dashboard (0: any free port)', example: 8080 }),
  tokens: optional(Type.Array(ApiToken), { description: 'bearer tokens that may use the API', default: [] }),
  cors: optional(Type.Array(Type.String()), {
    description: 'browser origins allowed to call the API',
    default: [],
  }),
  anonymous: optional(Type.Literal('viewer'), {
    description: 'treat a request without a token as this role (a trusted control-room LAN); unset: 401',
  }),
  dashboard: optional(Type.Boolean(), { description: 'serve the plant dashboard at /', default: true }),
  maxLiveClients: optional(Type.Integer({ minimum: 1, maximum: 10000 }), {
    description: 'most concurrent live (SSE) streams',
    unit: 'streams',
    default: 100,
  }),
});
export type ApiConfig = StaticDecode<typeof ApiConfigSection>;
export const ApiConfig = withCheck(ApiConfigSection, apiChecks);
