/**
 * The Modbus polling source: plans each poll group's reads at construction, reads them through a shared line,
 * decodes with protocols/modbus and returns samples (bad ones included) and failures as values.
 */
import type { Logger } from 'pino';
import type { AgentDevice } from '../../../config/schemas/agent.js';
import { toMs } from '../../../config/schemas/common.js';
import { PlantpulseError } from '../../../protocols/errors.js';
import type { MetricInfo } from '../../../protocols/metric.js';
import { rtuFrameGapMs, serialCharTimeMs } from '../../../protocols/modbus/frame.js';
import { effectiveType, type ModbusPointSpec } from '../../../protocols/modbus/point.js';
import { decodeBit, decodePoint, metricKindOf } from '../../../protocols/modbus/register-codec.js';
import { describePlan, planRequests, type ReadRequest } from '../../../protocols/modbus/request-planner.js';
import type { Sample } from '../../../protocols/sample.js';
import type { ReconnectPolicy } from '../../runner/reconnect-policy.js';
import type { PollGroupInfo, PollingSource, ReadFailure, ReadResult } from '../source.js';
import { type LineLease, LineRegistry } from './line-registry.js';
import { MODBUS_FAILURE_CODES } from './modbus-failures.js';
import type { Clock } from './modbus-line.js';
import { type ModbusEndpoint, parseModbusUrl } from './modbus-url.js';

export const MODBUS_DEFAULTS = {
  unitId: 1,
  timeoutMs: 1000,
  reconnectAfterFailures: 3,
  backoffInitialMs: 500,
  backoffMaxMs: 30_000,
} as const;

export class ModbusConfigError extends PlantpulseError {
  constructor(
    readonly device: string,
    readonly problems: string[],
  ) {
    super('MODBUS_CONFIG', `device ${device}: ${problems.join('; ')}`);
  }
}

export interface ModbusSourceDeps {
  log: Logger;
  /** share lines between devices; without it each source gets its own connection */
  lines?: LineRegistry;
  clock?: Clock;
}

interface PlannedGroup {
  intervalMs: number;
  requests: ReadRequest[];
  description: string;
}

export interface ModbusSource extends PollingSource {
  readonly endpoint: ModbusEndpoint;
  readonly unitId: number;
  /** how the runner re-creates this source's connection (agent/runner reads it) */
  readonly reconnectPolicy: ReconnectPolicy;
  /** the planned reads of each poll group, for diagnostics and tests */
  readonly plan: readonly (readonly ReadRequest[])[];
}

/** Semantic problems of a device's Modbus config (URL, points, limits), for the config loader; empty when fine. */
export function checkModbusDevice(device: AgentDevice): string[] {
  try {
    planDevice(device);
    return [];
  } catch (err) {
    if (err instanceof ModbusConfigError) return err.problems;
    if (err instanceof PlantpulseError) return [err.message];
    throw err;
  }
}

function planDevice(device: AgentDevice): { endpoint: ModbusEndpoint; groups: PlannedGroup[] } {
  const conn = device.modbus;
  if (conn === undefined) throw new ModbusConfigError(device.id, ['no modbus section']);
  const endpoint = parseModbusUrl(conn.url);
  const problems: string[] = [];
  const groups: PlannedGroup[] = [];
  const names = new Set<string>();
  (device.poll ?? []).forEach((g, i) => {
    // duplicates inside a group are the planner's to report; here only those across groups
    for (const p of g.points) {
      if (names.has(p.name)) problems.push(`poll[${i}] point ${p.name}: also in an earlier poll group`);
    }
    for (const p of g.points) names.add(p.name);
    const limits: { maxRegistersPerRequest?: number; maxBitsPerRequest?: number; maxGap?: number } = {};
    if (conn.maxRegistersPerRequest !== undefined)
      limits.maxRegistersPerRequest = conn.maxRegistersPerRequest;
    if (conn.maxBitsPerRequest !== undefined) limits.maxBitsPerRequest = conn.maxBitsPerRequest;
    if (conn.maxGap !== undefined) limits.maxGap = conn.maxGap;
    const plan = planRequests(g.points as ModbusPointSpec[], limits);
    if (!plan.ok) {
      for (const pr of plan.problems) problems.push(`poll[${i}] point ${pr.point}: ${pr.message}`);
      return;
    }
    const intervalMs = toMs(g.every);
    if (intervalMs <= 0) problems.push(`poll[${i}]: every must be more than 0`);
    groups.push({ intervalMs, requests: plan.requests, description: describePlan(plan.requests) });
  });
  if (groups.length === 0 && problems.length === 0) problems.push('no poll groups');
  if (problems.length > 0) throw new ModbusConfigError(device.id, problems);
  return { endpoint, groups };
}

const TABLE_LABEL = {
  coil: 'coils',
  discrete: 'discrete inputs',
  holding: 'holding',
  input: 'input',
} as const;

/**
 * Builds the source. No I/O: the connection is opened by connect(). Throws ModbusConfigError on a config the
 * schema accepted but that cannot be polled (bool without bit, a point wider than a request, …).
 */
export function createModbusSource(device: AgentDevice, deps: ModbusSourceDeps): ModbusSource {
  const conn = device.modbus;
  const { endpoint, groups } = planDevice(device);
  if (conn === undefined) throw new ModbusConfigError(device.id, ['no modbus section']);
  const log = deps.log.child({ component: 'modbus', device: device.id });
  const clock = deps.clock ?? Date;
  const lines = deps.lines ?? new LineRegistry(deps.log, clock);
  const unitId = conn.unitId ?? MODBUS_DEFAULTS.unitId;
  const timeoutMs = conn.timeout === undefined ? MODBUS_DEFAULTS.timeoutMs : toMs(conn.timeout);
  const reconnectPolicy: ReconnectPolicy = {
    afterFailures: conn.reconnectAfterFailures ?? MODBUS_DEFAULTS.reconnectAfterFailures,
    initialMs:
      conn.backoff?.initial === undefined ? MODBUS_DEFAULTS.backoffInitialMs : toMs(conn.backoff.initial),
    maxMs: conn.backoff?.max === undefined ? MODBUS_DEFAULTS.backoffMaxMs : toMs(conn.backoff.max),
  };
  const interFrameDelayMs =
    conn.interFrameDelay !== undefined
      ? toMs(conn.interFrameDelay)
      : endpoint.kind === 'rtu'
        ? Math.ceil(
            rtuFrameGapMs(
              endpoint.baudRate,
              serialCharTimeMs(endpoint.baudRate, endpoint.dataBits, endpoint.parity, endpoint.stopBits),
            ),
          )
        : 0;

  const metrics: MetricInfo[] = [];
  for (const g of groups) {
    for (const r of g.requests) {
      for (const { point } of r.points) {
        const info: MetricInfo = {
          name: point.name,
          kind: metricKindOf(point),
          description: `${point.table} ${point.address} ${effectiveType(point)}${point.order ? ` ${point.order}` : ''}`,
        };
        if (point.unit !== undefined) info.unit = point.unit;
        metrics.push(info);
      }
    }
  }
  const groupInfo: PollGroupInfo[] = groups.map((g) => ({
    intervalMs: g.intervalMs,
    description: g.description,
  }));
  groups.forEach((g, i) => {
    log.info({ group: i, intervalMs: g.intervalMs, url: conn.url, unitId }, g.description);
  });

  let lease: LineLease | undefined;

  const deviceId = device.id;
  function label(r: ReadRequest): string {
    return `${TABLE_LABEL[r.table]} ${r.address}+${r.count} @unit ${unitId}`;
  }

  async function read(groupIndex: number, signal: AbortSignal): Promise<ReadResult> {
    const group = groups[groupIndex];
    if (group === undefined) throw new RangeError(`device ${deviceId} has no poll group ${groupIndex}`);
    const samples: Sample[] = [];
    const failures: ReadFailure[] = [];
    for (const r of group.requests) {
      const line = lease?.line;
      const result = line
        ? await line.transact(
            { unitId, fc: r.functionCode, address: r.address, count: r.count, timeoutMs, label: label(r) },
            signal,
          )
        : {
            ok: false as const,
            at: clock.now(),
            failure: {
              code: MODBUS_FAILURE_CODES.notConnected,
              message: `${label(r)}: not connected`,
              linkFault: true,
            },
          };
      if (!result.ok) {
        failures.push({ ...result.failure, metrics: r.points.map(({ point }) => point.name) });
        // a cancelled read (shutdown, reconnect) polled nothing: it reports no value, not a bad one
        if (result.failure.code === MODBUS_FAILURE_CODES.aborted) continue;
        for (const { point } of r.points) {
          samples.push({
            device: deviceId,
            metric: point.name,
            value: null,
            timestamp: result.at,
            quality: 'bad',
          });
        }
        continue;
      }
      const data = result.data;
      for (const { point, offset } of r.points) {
        const value =
          data.kind === 'bits' ? decodeBit(data.bits, offset) : decodePoint(point, data.words, offset);
        if (typeof value === 'number' && !Number.isFinite(value)) {
          failures.push({
            code: 'MODBUS_NOT_FINITE',
            message: `${point.name}: ${String(value)} read from ${label(r)} cannot be stored; marked bad`,
            linkFault: false,
            metrics: [point.name],
          });
          samples.push({
            device: deviceId,
            metric: point.name,
            value: null,
            timestamp: result.at,
            quality: 'bad',
          });
          continue;
        }
        samples.push({ device: deviceId, metric: point.name, value, timestamp: result.at, quality: 'good' });
      }
    }
    return { samples, failures };
  }

  return {
    kind: 'polling',
    device: deviceId,
    endpoint,
    unitId,
    reconnectPolicy,
    metrics,
    groups: groupInfo,
    plan: groups.map((g) => g.requests),
    async connect(signal: AbortSignal): Promise<void> {
      if (lease === undefined) {
        lease = lines.lease(endpoint, {
          unitId,
          interFrameDelayMs,
          unitBackoff: { initialMs: reconnectPolicy.initialMs, maxMs: reconnectPolicy.maxMs },
        });
      }
      await lease.line.open(timeoutMs, signal);
    },
    read,
    async close(): Promise<void> {
      const l = lease;
      lease = undefined;
      if (l === undefined) return;
      // A link every unit stopped answering on is re-created; one silent unit does not reset its neighbours.
      if (l.line.linkSuspect && l.line.needsReset) l.line.reset(`device ${deviceId} closed a suspect link`);
      l.release();
    },
  };
}
