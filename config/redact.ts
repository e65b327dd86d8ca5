import { formatKeyPath, isRecord, type KeyPath } from './key-path.js';
import { SECRET_KEYS } from './schemas/common.js';

export const REDACTED = '[redacted]';

const SECRET_KEY_SET: ReadonlySet<string> = new Set(SECRET_KEYS);

/** True for a key whose value is a secret wherever it appears (`password`, `token`, … from SECRET_KEYS). */
export function isSecretKey(key: string | number | undefined): boolean {
  return typeof key === 'string' && SECRET_KEY_SET.has(key);
}

/** Key paths (formatted) of every value under a secret key, at any depth. */
export function secretKeyPaths(data: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown, path: KeyPath) => {
    if (path.length > 0 && isSecretKey(path[path.length - 1])) {
      out.push(formatKeyPath(path));
      return;
    }
    if (Array.isArray(node)) {
      for (const [i, v] of node.entries()) walk(v, [...path, i]);
    } else if (isRecord(node)) for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
  };
  walk(data, []);
  return out;
}

/**
 * A copy of the config with every secret replaced by `[redacted]`: values at the given key paths (those that came
 * from references, see LoadedConfig.secrets) and values under SECRET_KEYS at any depth.
 */
export function redactConfig(data: unknown, secrets: readonly string[]): unknown {
  const set = new Set(secrets);
  const walk = (node: unknown, path: KeyPath): unknown => {
    if (path.length > 0 && (isSecretKey(path[path.length - 1]) || set.has(formatKeyPath(path))))
      return REDACTED;
    if (Array.isArray(node)) return node.map((v, i) => walk(v, [...path, i]));
    if (isRecord(node)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = walk(v, [...path, k]);
      return out;
    }
    return node;
  };
  return walk(data, []);
}

/** Keys whose values are credentials in logs besides SECRET_KEYS (HTTP headers). */
const LOG_SECRET_KEYS: ReadonlySet<string> = new Set([
  'authorization',
  'cookie',
  'set-cookie',
  'proxy-authorization',
]);
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*):[^\s/@]*@/gi;
const SECRET_QUERY = /([?&](?:password|passwd|pwd|token|access_token|secret|api_key|apikey)=)[^&#\s]*/gi;
const MAX_DEPTH = 32;

/** A string with the password of any `scheme://user:password@host` and secret query parameters replaced. */
export function redactUrls(s: string): string {
  if (!s.includes('://') && !s.includes('=')) return s;
  return s.replace(URL_USERINFO, `$1:${REDACTED}@`).replace(SECRET_QUERY, `$1${REDACTED}`);
}

/**
 * A copy of a log record with every secret gone, at any depth: values under SECRET_KEYS (`password`,
 * `passwordHash`, `tokenHash`, `key`, …) and HTTP credential headers become `[redacted]`, credentials inside URLs in
 * any string are cut out, and errors are turned into plain objects (message, stack, code, cause) first so their
 * text is scrubbed too. Cycles and depths beyond 32 are cut.
 */
export function redactLogValue(value: unknown): unknown {
  const seen = new WeakSet<object>();
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return redactUrls(v);
    if (v === null || typeof v !== 'object') return v;
    if (seen.has(v)) return '[circular]';
    if (depth > MAX_DEPTH) return '[too deep]';
    if (Buffer.isBuffer(v) || v instanceof Date || ArrayBuffer.isView(v)) return v;
    seen.add(v);
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const source = v instanceof Error ? errorFields(v) : (v as Record<string, unknown>);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(source)) {
      out[k] = isSecretKey(k) || LOG_SECRET_KEYS.has(k.toLowerCase()) ? REDACTED : walk(x, depth + 1);
    }
    return out;
  };
  return walk(value, 0);
}

function errorFields(e: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { type: e.name, message: e.message, stack: e.stack };
  for (const [k, v] of Object.entries(e)) out[k] = v;
  if (e.cause !== undefined) out['cause'] = e.cause;
  return out;
}
