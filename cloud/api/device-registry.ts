/**
 * What the cloud knows about sites, lines, devices, their metrics and whether they are online.
 *
 * The ingester keeps it current from Sparkplug births (`upsertBirth`) and deaths/births (`setStatus`); device tags
 * (line, kind, …) come from the agent config through telemetry tags (`setTags`). When the registry is empty (the
 * cloud process just started and no birth arrived yet) the API fills it from InfluxDB (`registry-fallback.ts`).
 * Pure in-memory; no I/O.
 */
import type { MetricInfo } from '../../protocols/metric.js';

export interface DeviceInfo {
  site: string;
  device: string;
  /** Sparkplug edge node that reports the device */
  node?: string;
  /** extra tags from the agent's device config (`line`, `kind`, …) */
  tags: Record<string, string>;
  metrics: MetricInfo[];
  /** undefined: never heard of its status */
  online?: boolean;
  reason?: string;
  /** ms: when `online` last changed */
  since?: number;
}

/** Structurally the Sparkplug host's BirthInfo (cloud/host). A birth without `device` is a node birth. */
export interface BirthLike {
  site: string;
  node: string;
  device?: string;
  metrics: MetricInfo[];
  tags?: Record<string, string>;
  timestamp?: number;
}

/** Structurally the Sparkplug host's DeviceStatus. Without `device` it applies to every device of the node. */
export interface StatusLike {
  site: string;
  node?: string;
  device?: string;
  online: boolean;
  reason: string;
  timestamp: number;
}

export interface LineInfo {
  site: string;
  line: string;
  devices: string[];
}

export interface SiteInfo {
  site: string;
  lines: string[];
  devices: number;
  online: number;
}

/**
 * Tag holding a device's production line (the agent config's `tags: { line: line3 }`,
 * docs/architecture.md#configuration).
 */
export const LINE_TAG = 'line';
/** Devices without a line tag are listed under this line. */
export const NO_LINE = '';

const key = (site: string, device: string) => `${site}\u0000${device}`;

export class DeviceRegistry {
  readonly #devices = new Map<string, DeviceInfo>();
  /** node-level status, applied to devices born later under a dead node */
  readonly #nodes = new Map<string, { online: boolean; reason: string; since: number }>();
  /** tags known from configuration (e.g. the analytics machines' `line`), by device id, at any site */
  #staticTags: Record<string, Record<string, string>> = {};

  /**
   * Tags every device with this id gets, now and when it appears later: for what Sparkplug births do not carry,
   * such as the production line from the analytics configuration. Tags learned otherwise take precedence.
   */
  setStaticTags(byDevice: Record<string, Record<string, string>>): void {
    this.#staticTags = { ...byDevice };
    for (const d of this.#devices.values()) d.tags = { ...this.#staticTags[d.device], ...d.tags };
  }

  get size(): number {
    return this.#devices.size;
  }

  isEmpty(): boolean {
    return this.#devices.size === 0;
  }

  /** A DBIRTH: the device exists, with these metrics, and is online. NBIRTHs mark the node online only. */
  upsertBirth(b: BirthLike): void {
    const ts = b.timestamp ?? Date.now();
    if (b.device === undefined) {
      this.#nodes.set(key(b.site, b.node), { online: true, reason: 'NBIRTH', since: ts });
      return;
    }
    const d = this.#ensure(b.site, b.device);
    d.node = b.node;
    d.metrics = b.metrics.map((m) => ({ ...m }));
    if (b.tags) d.tags = { ...d.tags, ...b.tags };
    this.#setOnline(d, true, 'DBIRTH', ts);
  }

  /** A status change: a device death/birth, or a node death (every device of that node goes offline). */
  setStatus(s: StatusLike): void {
    if (s.device !== undefined) {
      const d = this.#ensure(s.site, s.device);
      if (s.node !== undefined) d.node = s.node;
      this.#setOnline(d, s.online, s.reason, s.timestamp);
      return;
    }
    if (s.node === undefined) return;
    this.#nodes.set(key(s.site, s.node), { online: s.online, reason: s.reason, since: s.timestamp });
    for (const d of this.#devices.values()) {
      if (d.site === s.site && d.node === s.node) {
        if (!s.online) this.#setOnline(d, false, s.reason, s.timestamp);
      }
    }
  }

  /** Merge device tags (line, kind, …), e.g. from the telemetry tags the ingester sees. */
  setTags(site: string, device: string, tags: Record<string, string>): void {
    const d = this.#ensure(site, device);
    d.tags = { ...d.tags, ...tags };
  }

  /** Add or replace the metric list of a device without touching its status (used by the InfluxDB fallback). */
  setMetrics(site: string, device: string, metrics: MetricInfo[]): void {
    this.#ensure(site, device).metrics = metrics.map((m) => ({ ...m }));
  }

  /** Make sure a device is known (e.g. seen in InfluxDB), without claiming anything about its status. */
  touch(site: string, device: string, node?: string): DeviceInfo {
    const d = this.#ensure(site, device);
    if (node !== undefined && d.node === undefined) d.node = node;
    return structuredClone(d);
  }

  get(site: string, device: string): DeviceInfo | undefined {
    const d = this.#devices.get(key(site, device));
    return d ? structuredClone(d) : undefined;
  }

  /** Devices, sorted by site, line, device; optionally of one site and/or line. */
  list(filter: { site?: string; line?: string } = {}): DeviceInfo[] {
    const out: DeviceInfo[] = [];
    for (const d of this.#devices.values()) {
      if (filter.site !== undefined && d.site !== filter.site) continue;
      if (filter.line !== undefined && (d.tags[LINE_TAG] ?? NO_LINE) !== filter.line) continue;
      out.push(structuredClone(d));
    }
    return out.sort(
      (a, b) =>
        a.site.localeCompare(b.site) ||
        (a.tags[LINE_TAG] ?? '').localeCompare(b.tags[LINE_TAG] ?? '') ||
        a.device.localeCompare(b.device),
    );
  }

  sites(): SiteInfo[] {
    const by = new Map<string, SiteInfo & { lineSet: Set<string> }>();
    for (const d of this.#devices.values()) {
      let s = by.get(d.site);
      if (!s) {
        s = { site: d.site, lines: [], devices: 0, online: 0, lineSet: new Set() };
        by.set(d.site, s);
      }
      s.devices++;
      if (d.online === true) s.online++;
      s.lineSet.add(d.tags[LINE_TAG] ?? NO_LINE);
    }
    return [...by.values()]
      .map(({ lineSet, ...s }) => ({ ...s, lines: [...lineSet].sort() }))
      .sort((a, b) => a.site.localeCompare(b.site));
  }

  lines(site: string): LineInfo[] {
    const by = new Map<string, string[]>();
    for (const d of this.list({ site })) {
      const line = d.tags[LINE_TAG] ?? NO_LINE;
      const arr = by.get(line) ?? [];
      arr.push(d.device);
      by.set(line, arr);
    }
    return [...by.entries()].map(([line, devices]) => ({ site, line, devices }));
  }

  /** A device's line, or `NO_LINE`. */
  lineOf(site: string, device: string): string {
    return this.#devices.get(key(site, device))?.tags[LINE_TAG] ?? NO_LINE;
  }

  #ensure(site: string, device: string): DeviceInfo {
    const k = key(site, device);
    let d = this.#devices.get(k);
    if (!d) {
      d = { site, device, tags: { ...this.#staticTags[device] }, metrics: [] };
      this.#devices.set(k, d);
    }
    return d;
  }

  #setOnline(d: DeviceInfo, online: boolean, reason: string, ts: number): void {
    if (d.online !== online) d.since = ts;
    d.online = online;
    d.reason = reason;
  }
}
