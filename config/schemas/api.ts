import { type StaticDecode, Type } from '@sinclair/typebox';
import { apiChecks } from '../cloud-checks.js';
import { optional, required, Section, withCheck } from '../spec.js';
import { Duration, Port } from './common.js';

const Role = Type.Union([Type.Literal('viewer'), Type.Literal('admin')]);

export const ApiToken = Section({
  name: required(Type.String({ minLength: 1 }), {
    description: 'who holds the token (logs, audit)',
    example: 'control-room',
  }),
  role: required(Role, {
    description: 'viewer reads; admin also acknowledges alarms and reads the audit log',
    example: 'viewer',
  }),
  id: optional(Type.String({ pattern: '^[A-Za-z0-9_-]{4,64}$' }), {
    description:
      'public id of a token written `<id>.<secret>`: the server looks the token up by it, so a wrong token costs at most one scrypt (without id: one per id-less token)',
    example: 'cr01',
  }),
  tokenHash: required(Type.String({ minLength: 1 }), {
    description: 'scrypt hash of the whole bearer token, id and secret (`plantpulse hash-password`)',
    example: 'scrypt$…',
  }),
});

export const ApiTls = Section({
  cert: required(Type.String({ minLength: 1 }), { description: 'server certificate (PEM path)' }),
  key: required(Type.String({ minLength: 1 }), { description: 'server private key (PEM path)' }),
  ca: optional(Type.String({ minLength: 1 }), {
    description: 'CA bundle (PEM path) that signs client certificates',
  }),
  requestCert: optional(Type.Boolean(), {
    description: 'refuse TLS clients without a certificate signed by `ca` (mutual TLS; needs ca)',
    default: false,
  }),
});
export type ApiTls = StaticDecode<typeof ApiTls>;

export const AuthFailureLimit = Section({
  max: optional(Type.Integer({ minimum: 1, maximum: 100_000 }), {
    description: 'failed authentications one client address may make per window; then 429 until it ends',
    unit: 'failures',
    default: 10,
  }),
  window: optional(Duration, { description: 'the window failures are counted in', default: '1m' }),
});

const ApiConfigSection = Section({
  host: optional(Type.String(), {
    description: 'address the API and dashboard listen on',
    default: '127.0.0.1',
  }),
  port: required(Port, { description: 'port of the API and dashboard (0: any free port)', example: 8080 }),
  tls: optional(ApiTls, {
    description: 'serve HTTPS; without it tokens cross the network in clear',
  }),
  tokens: optional(Type.Array(ApiToken), { description: 'bearer tokens that may use the API', default: [] }),
  cors: optional(Type.Array(Type.String()), {
    description: 'browser origins allowed to call the API',
    default: [],
  }),
  anonymous: optional(Type.Literal('viewer'), {
    description: 'treat a request without a token as this role (a trusted control-room LAN); unset: 401',
  }),
  docsRole: optional(Role, {
    description: 'least role that may read the OpenAPI document and its UI at /docs',
    default: 'viewer',
  }),
  authFailures: optional(AuthFailureLimit, {
    description: 'failed-authentication rate limit per client address',
    default: {},
  }),
  dashboard: optional(Type.Boolean(), { description: 'serve the plant dashboard at /', default: true }),
  maxLiveClients: optional(Type.Integer({ minimum: 1, maximum: 10000 }), {
    description: 'most concurrent live (SSE) streams',
    unit: 'streams',
    default: 100,
  }),
  maxLiveClientsPerToken: optional(Type.Integer({ minimum: 1, maximum: 10000 }), {
    description: 'most concurrent live (SSE) streams of one token (or of anonymous clients together)',
    unit: 'streams',
    default: 10,
  }),
});
export type ApiConfig = StaticDecode<typeof ApiConfigSection>;
export const ApiConfig = withCheck(ApiConfigSection, apiChecks);
