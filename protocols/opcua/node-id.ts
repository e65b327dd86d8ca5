/**
 * Node id strings (OPC UA Part 6 §5.3.1.10): `i=85`, `ns=2;s=CNC01.Spindle.Speed`, `ns=3;g=…`, `ns=1;b=…`,
 * `nsu=http://vendor/;s=Name`. Pure: a syntax check and a parse, so config errors are reported before connect.
 */

export interface ParsedNodeId {
  namespace: number | undefined;
  namespaceUri: string | undefined;
  type: 'i' | 's' | 'g' | 'b';
  identifier: string;
}

const NODE_ID = /^(?:(?:ns=(\d+)|nsu=([^;]+));)?(i|s|g|b)=(.+)$/s;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function parseNodeId(text: string): ParsedNodeId | undefined {
  const m = NODE_ID.exec(text.trim());
  if (!m) return undefined;
  const [, ns, nsu, type, identifier] = m;
  if (identifier === undefined || type === undefined) return undefined;
  if (type === 'i' && !/^\d+$/.test(identifier)) return undefined;
  if (type === 'g' && !GUID.test(identifier)) return undefined;
  return {
    namespace: ns === undefined ? (nsu === undefined ? 0 : undefined) : Number(ns),
    namespaceUri: nsu,
    type: type as ParsedNodeId['type'],
    identifier,
  };
}

/** A config-friendly metric name from a browse name or path: `Spindle.Speed` → `spindle_speed`. */
export function metricNameFromPath(path: string): string {
  const snake = path
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
  const name = snake.length === 0 ? 'value' : snake;
  return name.length > 64 ? name.slice(name.length - 64).replace(/^_+/, '') : name;
}
