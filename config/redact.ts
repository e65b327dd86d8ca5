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
