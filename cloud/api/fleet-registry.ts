/**
 * The fleet view (README "Fleet view"): per gateway (Sparkplug edge node), what its NBIRTH said about it — version,
 * start time, configuration hash (`Properties/Version`, `Properties/Started`, `Properties/Config Hash`) — whether it
 * is online, when the ingester last heard from it, and how far behind real time its latest data was (a gateway
 * delivering its outbox after an outage lags; a live one does not), and what its outbox holds (the agent's `outbox_*`
 * node metrics, in its NBIRTH and periodic NDATA: protocols/sparkplug/outbox-metrics.ts). Those are samples of a
 * "device" named after the node (cloud/host); they are the gateway's state now, so they do not count towards lag.
 * Device health comes from the device registry.
 */
import {
  OUTBOX_BYTES_METRIC,
  OUTBOX_MESSAGES_METRIC,
  OUTBOX_OLDEST_AGE_METRIC,
} from '../../protocols/sparkplug/outbox-metrics.js';
import type { HostResultLike } from './ingest-feed.js';

export const VERSION_PROPERTY = 'Version';
export const STARTED_PROPERTY = 'Started';
/** published by the agent's configuration reload (agreed name); shown as it is */
export const CONFIG_HASH_PROPERTY = 'Config Hash';

export interface GatewayState {
  site: string;
  node: string;
  /** null: known only from the births kept on disk, not heard from since the ingester started */
  online: boolean | null;
  reason: string | null;
  /** when online/offline last changed (ms) */
  since: number | null;
  version: string | null;
  configHash: string | null;
  /** the agent process's start (ms), from `Properties/Started` */
  started: number | null;
  /** the last NBIRTH seen (ms, ingester clock) */
  bornAt: number | null;
  /** the last message of any kind (ms, ingester clock) */
  lastSeen: number | null;
  /** receive time − newest sample time of the last data message (ms) */
  lagMs: number | null;
  /** what its outbox held when it last said (null: never said, e.g. an agent older than this, or the JSON format) */
  outbox: OutboxState | null;
}

/** The agent's `outbox_*` node metrics, as of `at` (the gateway's clock). */
export interface OutboxState {
  /** batches waiting (not yet acknowledged by the broker) */
  messages: number;
  bytes: number;
  /** ms since the oldest waiting batch was stored */
  oldestAgeMs: number;
  /** when the gateway measured them (ms) */
  at: number;
}

const OUTBOX_FIELDS: ReadonlyMap<string, 'messages' | 'bytes' | 'oldestAgeMs'> = new Map([
  [OUTBOX_MESSAGES_METRIC, 'messages'],
  [OUTBOX_BYTES_METRIC, 'bytes'],
  [OUTBOX_OLDEST_AGE_METRIC, 'oldestAgeMs'],
]);

/** what the fleet reads of a host result: births (NBIRTH properties), node status, sample times */
export type FleetInput = HostResultLike;

export class FleetRegistry {
  readonly #gateways = new Map<string, GatewayState>();

  #get(site: string, node: string): GatewayState {
    const key = `${site}\u0000${node}`;
    let g = this.#gateways.get(key);
    if (!g) {
      g = {
        site,
        node,
        online: null,
        reason: null,
        since: null,
        version: null,
        configHash: null,
        started: null,
        bornAt: null,
        lastSeen: null,
        lagMs: null,
        outbox: null,
      };
      this.#gateways.set(key, g);
    }
    return g;
  }

  /** Node births kept on disk (ingester restart): the facts, without claiming the gateway is online. */
  restore(births: FleetInput['births']): void {
    for (const b of births) if (b.device === undefined) this.#facts(this.#get(b.site, b.node), b.properties);
  }

  /** What the Sparkplug host made of one message, at `now` (the ingester's clock). */
  onHostResult(r: FleetInput, now: number): void {
    const touched = new Set<GatewayState>();
    for (const b of r.births) {
      const g = this.#get(b.site, b.node);
      touched.add(g);
      if (b.device !== undefined) continue;
      this.#facts(g, b.properties);
      g.bornAt = now;
      // a birth without the outbox metrics (an older agent after a downgrade): what an earlier one said is void
      if (!b.metrics.some((m) => OUTBOX_FIELDS.has(m.name))) g.outbox = null;
    }
    for (const s of r.status) {
      const g = this.#get(s.site, s.node);
      touched.add(g);
      if (s.device !== undefined) continue;
      if (g.online !== s.online) g.since = s.timestamp;
      g.online = s.online;
      g.reason = s.reason;
    }
    // a message's samples are one node's: its gateway is looked up once per run of samples, not per value
    const newest = new Map<GatewayState, number>();
    let g: GatewayState | undefined;
    const rows = r.samples;
    for (let i = 0; i < rows.length; i++) {
      const site = rows.site(i);
      const node = rows.node(i);
      if (g === undefined || g.node !== node || g.site !== site) {
        g = this.#get(site, node);
        touched.add(g);
      }
      const field = rows.device(i) === node ? OUTBOX_FIELDS.get(rows.metric(i)) : undefined;
      const t = rows.timestamp(i);
      if (field !== undefined) this.#outbox(g, field, rows.value(i), t);
      else newest.set(g, Math.max(newest.get(g) ?? Number.NEGATIVE_INFINITY, t));
    }
    for (const [gw, t] of newest) gw.lagMs = Math.max(0, now - t);
    for (const g of touched) g.lastSeen = now;
  }

  /**
   * One `outbox_*` value. Reports arrive in order (one MQTT session, QoS 1), so the last one received wins, even when
   * the gateway's clock stepped back. A value that is not a count (not the agent's: a negative, a string) is not taken.
   */
  #outbox(g: GatewayState, field: 'messages' | 'bytes' | 'oldestAgeMs', value: unknown, at: number): void {
    const n = typeof value === 'bigint' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return;
    // a report of only some of them keeps the others
    g.outbox = {
      messages: g.outbox?.messages ?? 0,
      bytes: g.outbox?.bytes ?? 0,
      oldestAgeMs: g.outbox?.oldestAgeMs ?? 0,
      at,
    };
    g.outbox[field] = n;
  }

  #facts(g: GatewayState, p: Readonly<Record<string, string>> | undefined): void {
    g.version = p?.[VERSION_PROPERTY] ?? null;
    g.configHash = p?.[CONFIG_HASH_PROPERTY] ?? null;
    const started = p?.[STARTED_PROPERTY] === undefined ? Number.NaN : Date.parse(p[STARTED_PROPERTY]);
    g.started = Number.isFinite(started) ? started : null;
  }

  list(): GatewayState[] {
    return [...this.#gateways.values()]
      .map((g) => ({ ...g, outbox: g.outbox === null ? null : { ...g.outbox } }))
      .sort((a, b) => a.site.localeCompare(b.site) || a.node.localeCompare(b.node));
  }
}

/** −1, 0, 1 for dotted numeric versions (`0.10.2` > `0.9.7`); a pre-release (`1.0.0-rc1`) is below its release. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core = '', pre] = v.replace(/^v/, '').split('-', 2);
    return { nums: core.split('.').map((n) => Number.parseInt(n, 10) || 0), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < Math.max(x.nums.length, y.nums.length); i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}
