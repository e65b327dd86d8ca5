/**
 * The Modbus polling source: plans each poll group's reads at construction, reads them through a shared line,
 * decodes with protocols/modbus and returns samples (bad ones included) and failures as values.
 */
import type { Logger } from 'pino';
import { PlantpulseError } from '../../../protocols/errors.js';
import type { MetricInfo } from '../../../protocols/metric.js';
import { rtuFrameGapMs, serialCharTimeMs } from '../../../protocols/modbus/frame.js';
import { effectiveType } from '../../../protocols/modbus/point.js';
import { decodeBit, decodePoint, metricKindOf } from '../../../protocols/modbus/register-codec.js';
import { describePlan, planRequests, type ReadRequest } from '../../../protocols/modbus/request-planner.js';
import type { Sample } from '../../../protocols/sample.js';
import type { ReconnectPolicy } from '../../runner/reconnect-policy.js';
import type { PollGroupInfo, PollingSource, ReadFailure, ReadResult } from '../source.js';
import type { ModbusDevice } from './check.js';
import { type LineLease, LineRegistry } from './line-registry.js';
import { MODBUS_FAILURE_CODES } from './modbus-failures.js';
import type { Clock } from './modbus-line.js';
import { type ModbusEndpoint, parseModbusUrl } from './modbus-url.js';

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

/** Plans every poll group. The device passed the component check, so the planner finds nothing to refuse. */
function planDevice(device: ModbusDevice): PlannedGroup[] {
  const conn = device.modbus;
  return (device.poll ?? []).map((g, i) => {
    const plan = planRequests(g.points, conn);
    if (!plan.ok) {
      const why = plan.problems.map((p) => `${p.point}: ${p.message}`).join('; ');
      throw new PlantpulseError('MODBUS_CONFIG', `device ${device.id} poll[${i}]: ${why}`);
    }
    return { intervalMs: g.every, requests: plan.requests, description: describePlan(plan.requests) };
  });
}

const TABLE_LABEL = {
  coil: 'coils',
  discrete: 'discrete inputs',
  holding: 'holding',
  input: 'input',
} as const;

/**
 * Builds the source of a device the component check accepted (the component's `create` refuses others). No I/O:
 * the connection is opened by connect().
 */
export function createModbusSource(device: ModbusDevice, deps: ModbusSourceDeps): ModbusSource {
  const conn = device.modbus;
  const endpoint = parseModbusUrl(conn.url);
  const groups = planDevice(device);
  const log = deps.log.child({ component: 'modbus', device: device.id });
  const clock = deps.clock ?? Date;
  const lines = deps.lines ?? new LineRegistry(deps.log, clock);
  const { unitId, timeout: timeoutMs } = conn;
  const reconnectPolicy: ReconnectPolicy = {
    afterFailures: conn.reconnectAfterFailures,
    initialMs: conn.backoff.initial,
    maxMs: conn.backoff.max,
  };
  const interFrameDelayMs =
    conn.interFrameDelay !== undefined
      ? conn.interFrameDelay
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
          skipAfterTimeouts: conn.skipUnitAfterTimeouts,
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
