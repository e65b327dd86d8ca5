/**
 * A stand-in for InfluxDB 2.x's organisation and bucket API, built from InfluxData's published OpenAPI contract
 * (tests/fixtures/influxdb-v2/openapi-buckets-orgs.json, extracted from github.com/influxdata/openapi
 * contracts/oss.json, MIT). No 2.x server can run in this test environment (Debian ships InfluxDB 1.6 only), so
 * this is the strictest substitute we have: every request is checked against the contract — the operation exists,
 * every query parameter is declared, required ones are there, the body validates against the request schema — and
 * every answer the stand-in gives validates against the response schema. What the contract does not say (which
 * status a missing organisation gets, an existing bucket name) follows InfluxDB 2.7's documented behaviour and is
 * commented where it is done. Violations are collected, never thrown, so a test asserts there were none.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';

interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header';
  required: boolean;
}
interface Operation {
  operationId: string;
  parameters: Parameter[];
  requestBody?: { required: boolean; schema: object };
  success: string[];
  responseSchema: object | null;
}
interface Contract {
  source: { repository: string; commit: string };
  servers: { url: string }[];
  operations: Record<string, Operation>;
}

export const V2_CONTRACT_FILE = join(
  import.meta.dirname,
  '../fixtures/influxdb-v2/openapi-buckets-orgs.json',
);

export interface V2Bucket {
  id: string;
  orgID: string;
  name: string;
  type: 'user';
  description?: string;
  retentionRules: { type: 'expire'; everySeconds: number }[];
  createdAt: string;
  updatedAt: string;
}

export interface V2ContractServer {
  url: string;
  /** every request, in order: `METHOD /path?query` */
  calls: string[];
  /** requests or answers that broke the contract */
  violations: string[];
  buckets: Map<string, V2Bucket>;
  close(): Promise<void>;
}

export async function startV2ContractServer(o: { org: string; token: string }): Promise<V2ContractServer> {
  const contract = JSON.parse(readFileSync(V2_CONTRACT_FILE, 'utf8')) as Contract;
  const base = contract.servers[0]?.url ?? '/api/v2';
  // OpenAPI 3.0 schemas: `format: int64` and `default`/`readOnly` are annotations here, not checks
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  const validators = new Map<string, { body?: ValidateFunction; response?: ValidateFunction }>();
  for (const [key, op] of Object.entries(contract.operations))
    validators.set(key, {
      ...(op.requestBody ? { body: ajv.compile(op.requestBody.schema) } : {}),
      ...(op.responseSchema ? { response: ajv.compile(op.responseSchema) } : {}),
    });
  const orgID = randomBytes(8).toString('hex');
  const buckets = new Map<string, V2Bucket>();
  const calls: string[] = [];
  const violations: string[] = [];

  const match = (
    method: string,
    path: string,
  ): { key: string; params: Record<string, string> } | undefined => {
    for (const key of Object.keys(contract.operations)) {
      const [m, template] = key.split(' ') as [string, string];
      if (m !== method) continue;
      const names: string[] = [];
      const re = new RegExp(
        `^${template.replace(/\{(\w+)\}/g, (_x, n: string) => {
          names.push(n);
          return '([^/]+)';
        })}$`,
      );
      const hit = re.exec(path);
      if (hit) return { key, params: Object.fromEntries(names.map((n, i) => [n, hit[i + 1] ?? ''])) };
    }
    return undefined;
  };

  const answer = (res: ServerResponse, key: string | undefined, status: number, body: unknown) => {
    const check = key === undefined ? undefined : validators.get(key)?.response;
    if (check && status < 300 && !check(body))
      violations.push(`answer to ${key} breaks the contract: ${ajv.errorsText(check.errors)}`);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  // InfluxDB 2's error shape (components/schemas/Error: code + message)
  const fail = (res: ServerResponse, status: number, code: string, message: string) =>
    answer(res, undefined, status, { code, message });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    calls.push(`${req.method} ${url.pathname}${url.search}`);
    let text = '';
    for await (const chunk of req) text += chunk;
    if (!url.pathname.startsWith(`${base}/`)) {
      violations.push(`${req.method} ${url.pathname}: outside ${base}`);
      return fail(res, 404, 'not found', 'path not found');
    }
    const found = match(req.method ?? '', url.pathname.slice(base.length));
    if (!found) {
      violations.push(`${req.method} ${url.pathname}: no such operation in the contract`);
      return fail(res, 404, 'not found', 'path not found');
    }
    const op = contract.operations[found.key] as Operation;
    const declared = new Set(op.parameters.filter((p) => p.in === 'query').map((p) => p.name));
    for (const name of url.searchParams.keys())
      if (!declared.has(name))
        violations.push(`${found.key}: query parameter ${name} is not in the contract`);
    for (const p of op.parameters.filter((x) => x.required && x.in === 'query'))
      if (!url.searchParams.has(p.name))
        violations.push(`${found.key}: required query parameter ${p.name} missing`);
    if (req.headers.authorization !== `Token ${o.token}`)
      return fail(res, 401, 'unauthorized', 'unauthorized access');
    let body: unknown;
    if (op.requestBody) {
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
        violations.push(`${found.key}: body is not sent as application/json`);
      try {
        body = JSON.parse(text);
      } catch {
        violations.push(`${found.key}: body is not JSON`);
        return fail(res, 400, 'invalid', 'body is not JSON');
      }
      const check = validators.get(found.key)?.body;
      if (check && !check(body)) {
        violations.push(`${found.key}: body breaks the contract: ${ajv.errorsText(check.errors)}`);
        return fail(res, 400, 'invalid', ajv.errorsText(check.errors));
      }
    }
    const q = url.searchParams;
    const now = new Date().toISOString();
    switch (found.key) {
      case 'GET /orgs': {
        const name = q.get('org');
        // InfluxDB 2.7 answers an unknown organisation name with 404 and its error shape
        if (name !== null && name !== o.org)
          return fail(res, 404, 'not found', `organization name "${name}" not found`);
        return answer(res, found.key, 200, { orgs: [{ id: orgID, name: o.org }] });
      }
      case 'GET /buckets': {
        const list = [...buckets.values()].filter(
          (b) => (q.get('orgID') ?? b.orgID) === b.orgID && (q.get('name') ?? b.name) === b.name,
        );
        return answer(res, found.key, 200, { buckets: list });
      }
      case 'POST /buckets': {
        const b = body as {
          orgID: string;
          name: string;
          description?: string;
          retentionRules?: V2Bucket['retentionRules'];
        };
        if (b.orgID !== orgID) return fail(res, 404, 'not found', 'organization not found');
        // InfluxDB 2.7: a second bucket of the same name in one organisation is refused with 422
        if ([...buckets.values()].some((x) => x.name === b.name))
          return fail(res, 422, 'conflict', `bucket with name ${b.name} already exists`);
        const made: V2Bucket = {
          id: randomBytes(8).toString('hex'),
          orgID,
          name: b.name,
          type: 'user',
          ...(b.description === undefined ? {} : { description: b.description }),
          retentionRules: (b.retentionRules ?? []).map((r) => ({
            type: 'expire',
            everySeconds: r.everySeconds,
          })),
          createdAt: now,
          updatedAt: now,
        };
        buckets.set(made.id, made);
        return answer(res, found.key, 201, made);
      }
      case 'PATCH /buckets/{bucketID}': {
        const b = buckets.get(found.params['bucketID'] ?? '');
        if (!b) return fail(res, 404, 'not found', 'bucket not found');
        const patch = body as { name?: string; retentionRules?: V2Bucket['retentionRules'] };
        if (patch.name !== undefined) b.name = patch.name;
        if (patch.retentionRules !== undefined)
          b.retentionRules = patch.retentionRules.map((r) => ({
            type: 'expire',
            everySeconds: r.everySeconds,
          }));
        b.updatedAt = now;
        return answer(res, found.key, 200, b);
      }
      default:
        return fail(res, 501, 'not implemented', `${found.key} is in the contract but not in this stand-in`);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => fail(res, 500, 'internal error', String(err)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    violations,
    buckets,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
