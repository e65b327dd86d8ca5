/**
 * Sparkplug B 3.0 topic namespace (spec chapter 4):
 * `spBv1.0/{group}/{NBIRTH|NDATA|NDEATH|NCMD}/{node}`, `spBv1.0/{group}/{DBIRTH|DDATA|DDEATH|DCMD}/{node}/{device}`,
 * `spBv1.0/STATE/{hostId}`. Ids are non-empty UTF-8 without `/`, `+` or `#` (they are MQTT topic levels).
 * `parseTopic` returns a `SparkplugTopicError` value for anything else; it never throws.
 */
import { SparkplugTopicError } from './errors.js';

export const NAMESPACE = 'spBv1.0';

export type NodeMessageType = 'NBIRTH' | 'NDATA' | 'NDEATH' | 'NCMD';
export type DeviceMessageType = 'DBIRTH' | 'DDATA' | 'DDEATH' | 'DCMD';
export type MessageType = NodeMessageType | DeviceMessageType | 'STATE';

export type SpbTopic =
  | { type: NodeMessageType; group: string; node: string }
  | { type: DeviceMessageType; group: string; node: string; device: string }
  | { type: 'STATE'; hostId: string };

const NODE_TYPES: ReadonlySet<string> = new Set<NodeMessageType>(['NBIRTH', 'NDATA', 'NDEATH', 'NCMD']);
const DEVICE_TYPES: ReadonlySet<string> = new Set<DeviceMessageType>(['DBIRTH', 'DDATA', 'DDEATH', 'DCMD']);

/** undefined when `id` can be a Sparkplug topic level, else why not. */
export function checkTopicId(id: string): string | undefined {
  if (typeof id !== 'string' || id.length === 0) return 'is empty';
  if (id.includes('/') || id.includes('+') || id.includes('#') || id.includes('\0')) {
    return 'contains /, +, # or NUL';
  }
  return undefined;
}

export function parseTopic(topic: string): SpbTopic | SparkplugTopicError {
  if (typeof topic !== 'string') return new SparkplugTopicError(String(topic), 'topic is not a string');
  const parts = topic.split('/');
  if (parts[0] !== NAMESPACE)
    return new SparkplugTopicError(topic, `topic does not start with ${NAMESPACE}/`);
  const ids = (list: string[]): SparkplugTopicError | undefined => {
    for (const id of list) {
      const bad = checkTopicId(id);
      if (bad) return new SparkplugTopicError(topic, `topic level ${JSON.stringify(id)} ${bad}`);
    }
    return undefined;
  };
  if (parts[1] === 'STATE' && parts.length === 3) {
    const hostId = parts[2] ?? '';
    return ids([hostId]) ?? { type: 'STATE', hostId };
  }
  const [, group = '', type = '', node = '', device] = parts;
  if (NODE_TYPES.has(type)) {
    if (parts.length !== 4) return new SparkplugTopicError(topic, `${type} topic needs exactly 4 levels`);
    return ids([group, node]) ?? { type: type as NodeMessageType, group, node };
  }
  if (DEVICE_TYPES.has(type)) {
    if (parts.length !== 5 || device === undefined) {
      return new SparkplugTopicError(topic, `${type} topic needs exactly 5 levels`);
    }
    return ids([group, node, device]) ?? { type: type as DeviceMessageType, group, node, device };
  }
  return new SparkplugTopicError(topic, `unknown Sparkplug message type ${JSON.stringify(type)}`);
}

/** The topic string for a Sparkplug message. Ids must pass `checkTopicId` (callers validate config ids up front). */
export function topicFor(t: SpbTopic): string {
  if (t.type === 'STATE') return `${NAMESPACE}/STATE/${t.hostId}`;
  if ('device' in t) return `${NAMESPACE}/${t.group}/${t.type}/${t.node}/${t.device}`;
  return `${NAMESPACE}/${t.group}/${t.type}/${t.node}`;
}
