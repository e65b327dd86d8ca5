/**
 * MQTT 3.1.1 packets as bytes, for the broker fuzz target: just enough of an encoder to build well-formed
 * packets the fuzzer then cuts, mutates, or gives a remaining length they do not have.
 */

/** The remaining-length varint (1–4 bytes, 7 bits each); values above 268,435,455 are not encodable. */
export function varint(n: number): Uint8Array {
  const out: number[] = [];
  let x = n;
  do {
    let b = x % 128;
    x = Math.floor(x / 128);
    if (x > 0) b |= 0x80;
    out.push(b);
  } while (x > 0 && out.length < 4);
  return Uint8Array.from(out);
}

/** The largest remaining length MQTT can express. */
export const MAX_REMAINING = 268_435_455;

function str(s: string | Uint8Array): Uint8Array {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  const out = new Uint8Array(2 + b.length);
  out[0] = (b.length >> 8) & 0xff;
  out[1] = b.length & 0xff;
  out.set(b, 2);
  return out;
}

function join(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A packet: fixed header byte, the remaining length of `body` (or `claimed`), the body. */
export function packet(first: number, body: Uint8Array, claimed = body.length): Uint8Array {
  return join([Uint8Array.of(first & 0xff), varint(claimed), body]);
}

export interface ConnectFields {
  clientId: string;
  username?: string;
  password?: string;
  keepalive: number;
  clean: boolean;
  will?: { topic: string; payload: Uint8Array; qos: number; retain: boolean };
  /** protocol level: 4 = 3.1.1, 3 = 3.1 (with the name MQIsdp), anything else is refused */
  level?: number;
  /** raw flags byte, overriding the ones the fields imply */
  flags?: number;
}

export function connect(c: ConnectFields): Uint8Array {
  const level = c.level ?? 4;
  let flags = c.clean ? 0x02 : 0;
  if (c.will) flags |= 0x04 | ((c.will.qos & 3) << 3) | (c.will.retain ? 0x20 : 0);
  if (c.password !== undefined) flags |= 0x40;
  if (c.username !== undefined) flags |= 0x80;
  const parts = [
    str(level === 3 ? 'MQIsdp' : 'MQTT'),
    Uint8Array.of(level, c.flags ?? flags, (c.keepalive >> 8) & 0xff, c.keepalive & 0xff),
    str(c.clientId),
  ];
  if (c.will) parts.push(str(c.will.topic), str(c.will.payload));
  if (c.username !== undefined) parts.push(str(c.username));
  if (c.password !== undefined) parts.push(str(c.password));
  return packet(0x10, join(parts));
}

export function publish(
  topic: string,
  payload: Uint8Array,
  qos: number,
  id: number,
  retain = false,
): Uint8Array {
  const head = (0x30 | ((qos & 3) << 1) | (retain ? 1 : 0)) & 0xff;
  const parts = [str(topic)];
  if (qos > 0) parts.push(Uint8Array.of((id >> 8) & 0xff, id & 0xff));
  parts.push(payload);
  return packet(head, join(parts));
}

export function subscribe(id: number, filters: readonly [string, number][]): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.of((id >> 8) & 0xff, id & 0xff)];
  for (const [f, qos] of filters) parts.push(str(f), Uint8Array.of(qos & 0xff));
  return packet(0x82, join(parts));
}

export function unsubscribe(id: number, filters: readonly string[]): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.of((id >> 8) & 0xff, id & 0xff)];
  for (const f of filters) parts.push(str(f));
  return packet(0xa2, join(parts));
}

/** PUBACK (0x40), PUBREC (0x50), PUBREL (0x62), PUBCOMP (0x70): a packet id only. */
export function ack(first: number, id: number): Uint8Array {
  return packet(first, Uint8Array.of((id >> 8) & 0xff, id & 0xff));
}

export const PINGREQ = Uint8Array.of(0xc0, 0);
export const DISCONNECT = Uint8Array.of(0xe0, 0);
