/**
 * What `plantpulse agent --once` found: per device, whether it answered, and one row per configured point and per
 * derived metric — the value decoded exactly as the agent would publish it, or why there is none.
 */
import type { Quality, SampleValue } from '../../protocols/sample.js';

/** Why a value is bad (or a device unreachable): a stable code and a message a plant engineer can act on. */
export interface RowError {
  /** MODBUS_TIMEOUT, MODBUS_EXCEPTION, MODBUS_CONNECT, an OPC UA status name (BadNodeIdUnknown), … */
  code: string;
  message: string;
}

export interface OnceRow {
  device: string;
  metric: string;
  /** null when bad, or when the metric needs history */
  value: SampleValue;
  unit?: string;
  /** absent only for a derived metric that one reading cannot give (`needsHistory`) */
  quality?: Quality;
  /** ms since epoch: the sample's source time; absent with `needsHistory` */
  timestamp?: number;
  /** computed at the edge (a virtual sensor), not read from the device */
  derived: boolean;
  /** set when quality is bad or uncertain and the source said why */
  error?: RowError;
  /** a derived metric that needs readings over time: why it is not shown */
  needsHistory?: string;
}

export interface DeviceOnce {
  device: string;
  /** the source component's name (`modbus`, `opcua` …), `none` for a device without a connection */
  protocol: string;
  /** where it was read: the Modbus URL and unit id, or the OPC UA endpoint */
  target: string;
  /** false when the device could not be connected or answered nothing at all */
  reachable: boolean;
  /** why it is unreachable */
  error?: RowError;
  rows: OnceRow[];
}

export interface OnceReport {
  devices: DeviceOnce[];
}

/** True when every device answered and every point read (and derived from this read) is good. */
export function allGood(report: OnceReport): boolean {
  return report.devices.every(
    (d) => d.reachable && d.rows.every((r) => r.needsHistory !== undefined || r.quality === 'good'),
  );
}

/** Counts for the summary line. */
export function summarise(report: OnceReport): {
  devices: number;
  unreachable: string[];
  good: number;
  uncertain: number;
  bad: number;
  needsHistory: number;
} {
  const s = { devices: report.devices.length, unreachable: [] as string[], good: 0, uncertain: 0, bad: 0 };
  let needsHistory = 0;
  for (const d of report.devices) {
    if (!d.reachable) s.unreachable.push(d.device);
    for (const r of d.rows) {
      if (r.quality === undefined) needsHistory++;
      else s[r.quality]++;
    }
  }
  return { ...s, needsHistory };
}
