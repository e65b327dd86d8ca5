/**
 * The MC polling source: plans each poll group's reads and encodes their request frames at construction, sends them
 * over one link to the PLC, decodes the answers with protocols/mc (values through the Modbus register codec) and
 * returns samples (bad ones included) and failures as values.
 */
import type { Logger } from 'pino';
import { PlantpulseError } from '../../../protocols/errors.js';
import { decodeReadData, encodeReadCommand } from '../../../protocols/mc/commands.js';
import { formatMcAddress, type McAddress } from '../../../protocols/mc/devices.js';
import { endCodeMessage, endCodeText } from '../../../protocols/mc/end-codes.js';
import { decodeResponse, encodeRequest, McFrameError, type McRoute } from '../../../protocols/mc/frame.js';
import { asRegisterPoint, type ResolvedMcPoint, resolveMcPoint } from '../../../protocols/mc/point.js';
import { describeMcPlan, type McPlannedRead, planMcReads } from '../../../protocols/mc/request-planner.js';
import type { MetricInfo } from '../../../protocols/metric.js';
import type { ModbusPointSpec } from '../../../protocols/modbus/point.js';
import { decodePoint, metricKindOf } from '../../../protocols/modbus/register-codec.js';
import type { Sample } from '../../../protocols/sample.js';
import type { ReconnectPolicy } from '../../runner/reconnect-policy.js';
import type { PollGroupInfo, PollingSource, ReadFailure, ReadResult } from '../source.js';
import type { McDevice } from './check.js';
import { MC_FAILURE_CODES as CODES, type McLinkFailure } from './mc-failures.js';
import { McLink } from './mc-link.js';
import { type McEndpoint, parseMcUrl } from './mc-url.js';

export interface McSourceDeps {
  log: Logger;
}

interface PlannedRequest {
  read: McPlannedRead;
  frame: Uint8Array;
  label: string;
  /** per point: the Modbus point that decodes its words (undefined for bits) */
  decoders: (ModbusPointSpec | undefined)[];
}

export interface McSource extends PollingSource {
  readonly endpoint: McEndpoint;
  readonly reconnectPolicy: ReconnectPolicy;
  /** the planned requests of each poll group, for diagnostics and tests */
  readonly plan: readonly (readonly McPlannedRead[])[];
}

/** Builds the source of a device the component check accepted. No I/O: connect() opens the link. */
export function createMcSource(device: McDevice, deps: McSourceDeps): McSource {
  const c = device.mc;
  const endpoint = parseMcUrl(c.url);
  const { series, format, timeout: timeoutMs } = c;
  const route: McRoute = { network: c.network, pc: c.pc, moduleIo: c.moduleIo, station: c.station };
  // the PLC gives up after the monitoring timer (250 ms steps); never 0, which would mean "wait forever"
  const timer = Math.max(1, Math.min(0xffff, Math.floor(timeoutMs / 250)));
  const log = deps.log.child({ component: 'mc', device: device.id });
  const fmt = (a: McAddress) => formatMcAddress(a, series);

  const groups = (device.mcPoll ?? []).map((g, gi) => {
    const points: ResolvedMcPoint[] = g.points.map((p) => {
      const r = resolveMcPoint(p, series);
      if (Array.isArray(r))
        throw new PlantpulseError(
          'MC_CONFIG',
          `device ${device.id} mcPoll[${gi}] ${p.name}: ${r[0]?.message}`,
        );
      return r;
    });
    const reads = planMcReads(points, {
      maxWordsPerRequest: c.maxWordsPerRequest,
      maxBitsPerRequest: c.maxBitsPerRequest,
      maxGap: c.maxGap,
      randomRead: c.randomRead,
    });
    const requests: PlannedRequest[] = reads.map((read) => {
      const cmd = encodeReadCommand(read.command, format, series);
      const label =
        read.command.kind === 'batch'
          ? `${fmt(read.command.head)}+${read.command.count} (${read.command.unit}s)`
          : `random read of ${read.points.length} point(s)`;
      return {
        read,
        frame: encodeRequest({ route, timer, ...cmd }, format, series),
        label,
        decoders: read.points.map(({ point }) =>
          point.bit ? undefined : asRegisterPoint(point.spec, point.type),
        ),
      };
    });
    return { intervalMs: g.every, requests, description: describeMcPlan(reads, fmt) };
  });

  const metrics: MetricInfo[] = groups.flatMap((g) =>
    g.requests.flatMap((r) =>
      r.read.points.map(({ point }, i) => {
        const decoder = r.decoders[i];
        const info: MetricInfo = {
          name: point.spec.name,
          kind: decoder === undefined ? 'boolean' : metricKindOf(decoder),
          description: `MC ${fmt(point.address)} ${point.type}`,
        };
        if (point.spec.unit !== undefined) info.unit = point.spec.unit;
        return info;
      }),
    ),
  );
  const groupInfo: PollGroupInfo[] = groups.map((g) => ({
    intervalMs: g.intervalMs,
    description: g.description,
  }));
  groups.forEach((g, i) => {
    log.info({ group: i, intervalMs: g.intervalMs, url: c.url, series, format }, g.description);
  });
  const reconnectPolicy: ReconnectPolicy = {
    afterFailures: c.reconnectAfterFailures,
    initialMs: c.backoff.initial,
    maxMs: c.backoff.max,
  };
  const deviceId = device.id;
  let link: McLink | undefined;

  const bad = (r: PlannedRequest, at: number): Sample[] =>
    r.read.points.map(({ point }) => ({
      device: deviceId,
      metric: point.spec.name,
      value: null,
      timestamp: at,
      quality: 'bad',
    }));

  /** the answer frame → values, or why not */
  function interpret(
    r: PlannedRequest,
    frame: Uint8Array,
  ): { words: number[] } | { bits: boolean[] } | McLinkFailure {
    try {
      const resp = decodeResponse(frame, format, series);
      if (resp.endCode !== 0)
        return {
          code: CODES.endCode,
          message: `${r.label}: ${endCodeMessage(resp.endCode)}`,
          detail: endCodeText(resp.endCode),
          linkFault: false,
        };
      const data = decodeReadData(r.read.command, resp.data, format, series);
      return data.kind === 'bits' ? { bits: data.bits } : { words: data.words };
    } catch (err) {
      if (!(err instanceof McFrameError)) throw err;
      return { code: CODES.badResponse, message: `${r.label}: ${err.message}`, linkFault: false };
    }
  }

  async function read(groupIndex: number, signal: AbortSignal): Promise<ReadResult> {
    const group = groups[groupIndex];
    if (group === undefined) throw new RangeError(`device ${deviceId} has no poll group ${groupIndex}`);
    const samples: Sample[] = [];
    const failures: ReadFailure[] = [];
    for (const r of group.requests) {
      const names = r.read.points.map(({ point }) => point.spec.name);
      const result = link
        ? await link.transact(r.frame, timeoutMs, signal)
        : {
            ok: false as const,
            at: Date.now(),
            failure: { code: CODES.notConnected, message: 'not connected', linkFault: true },
          };
      if (!result.ok) {
        failures.push({
          ...result.failure,
          message: `${r.label}: ${result.failure.message}`,
          metrics: names,
        });
        // a cancelled read (shutdown, reconnect) polled nothing: it reports no value, not a bad one
        if (result.failure.code !== CODES.aborted) samples.push(...bad(r, result.at));
        continue;
      }
      const values = interpret(r, result.frame);
      if ('code' in values) {
        failures.push({ ...values, metrics: names });
        samples.push(...bad(r, result.at));
        continue;
      }
      r.read.points.forEach(({ point, offset }, i) => {
        const decoder = r.decoders[i];
        const value =
          'bits' in values
            ? values.bits[offset] === true
            : decoder === undefined
              ? undefined
              : decodePoint(decoder, values.words, offset);
        const name = point.spec.name;
        if (value === undefined || (typeof value === 'number' && !Number.isFinite(value))) {
          failures.push({
            code: CODES.notFinite,
            message: `${name}: ${String(value)} read from ${fmt(point.address)} cannot be stored; marked bad`,
            linkFault: false,
            metrics: [name],
          });
          samples.push({ device: deviceId, metric: name, value: null, timestamp: result.at, quality: 'bad' });
          return;
        }
        samples.push({ device: deviceId, metric: name, value, timestamp: result.at, quality: 'good' });
      });
    }
    if (failures.length > 0)
      log.debug({ group: groupIndex, failures: failures.map((f) => f.code) }, 'poll finished with failures');
    return { samples, failures };
  }

  return {
    kind: 'polling',
    device: deviceId,
    endpoint,
    reconnectPolicy,
    metrics,
    groups: groupInfo,
    plan: groups.map((g) => g.requests.map((r) => r.read)),
    async connect(signal: AbortSignal): Promise<void> {
      link ??= new McLink(endpoint, format, series);
      await link.open(timeoutMs, signal);
    },
    read,
    async close(): Promise<void> {
      link?.close();
      link = undefined;
    },
  };
}
