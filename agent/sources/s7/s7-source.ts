/**
 * The S7 polling source: resolves and plans each variable group at construction (re-planned for the PDU the PLC
 * negotiates), reads the requests through one S7Link, decodes with protocols/s7 and returns samples (bad ones
 * included) and failures as values.
 */
import type { Logger } from 'pino';
import type { MetricInfo } from '../../../protocols/metric.js';
import { decodeS7Point } from '../../../protocols/s7/codec.js';
import { type ResolvedS7Point, resolveS7Point, s7MetricKind } from '../../../protocols/s7/point.js';
import {
  describeItem,
  describeS7Plan,
  type Plan,
  type PlannedItem,
  planS7Requests,
} from '../../../protocols/s7/request-planner.js';
import { itemRefusal, S7_ITEM_OK } from '../../../protocols/s7/return-codes.js';
import type { Sample } from '../../../protocols/sample.js';
import type { ReconnectPolicy } from '../../runner/reconnect-policy.js';
import type { PollGroupInfo, PollingSource, ReadFailure, ReadResult } from '../source.js';
import { type S7Device, tsapNumber } from './check.js';
import { S7Link, type S7LinkOptions } from './s7-client.js';
import { S7LinkError } from './s7-failures.js';
import type { S7Point } from './spec.js';

export interface S7SourceDeps {
  log: Logger;
  clock?: { now(): number };
}

export interface S7Source extends PollingSource {
  readonly reconnectPolicy: ReconnectPolicy;
  /** each group's plan for the PDU size in use (the configured one until a connection negotiated another) */
  readonly plan: readonly Plan<S7Point>[];
  /** the PDU size the PLC negotiated on the last connect */
  readonly pduSize: number | undefined;
}

function resolveGroup(device: S7Device, points: readonly S7Point[]): ResolvedS7Point<S7Point>[] {
  return points.map((p) => {
    const r = resolveS7Point(p);
    // the component check refused the device otherwise
    if (!r.ok) throw new RangeError(`device ${device.id}: ${r.problems.map((x) => x.message).join('; ')}`);
    return r.resolved;
  });
}

/** Builds the source of a device the component check accepted. No I/O: connect() dials. */
export function createS7Source(device: S7Device, deps: S7SourceDeps): S7Source {
  const c = device.s7;
  const deviceId = device.id;
  const log = deps.log.child({ component: 's7', device: deviceId });
  const clock = deps.clock ?? Date;
  const groups = (device.variables ?? []).map((g) => ({
    intervalMs: g.every,
    points: resolveGroup(device, g.points),
  }));
  const planFor = (pduSize: number) =>
    groups.map((g) =>
      planS7Requests(g.points, { pduSize, maxGap: c.maxGap, maxItemsPerRequest: c.maxItemsPerRequest }),
    );
  let plans = planFor(c.pduSize);
  let negotiated: number | undefined;
  const linkOptions: S7LinkOptions = {
    host: c.host,
    port: c.port,
    rack: c.rack,
    slot: c.slot,
    pduSize: c.pduSize,
    timeoutMs: c.timeout,
    ...(c.remoteTsap === undefined ? {} : { remoteTsap: tsapNumber(c.remoteTsap) }),
    ...(c.localTsap === undefined ? {} : { localTsap: tsapNumber(c.localTsap) }),
  };
  const link = new S7Link(linkOptions);
  const reconnectPolicy: ReconnectPolicy = {
    afterFailures: c.reconnectAfterFailures,
    initialMs: c.backoff.initial,
    maxMs: c.backoff.max,
  };
  const metrics: MetricInfo[] = groups.flatMap((g) =>
    g.points.map((r) => {
      const info: MetricInfo = {
        name: r.point.name,
        kind: s7MetricKind(r.point, r.type),
        description: `${r.point.address} ${r.type}${r.type === 'string' ? `[${r.width - 2}]` : ''}`,
      };
      if (r.point.unit !== undefined) info.unit = r.point.unit;
      return info;
    }),
  );
  const groupInfo: PollGroupInfo[] = groups.map((g, i) => ({
    intervalMs: g.intervalMs,
    description: describeS7Plan(plans[i] ?? { requests: [], tooLarge: [] }),
  }));
  const target = `${c.host}:${c.port}`;
  plans.forEach((p, i) => {
    log.info({ group: i, intervalMs: groups[i]?.intervalMs, target }, describeS7Plan(p));
  });

  const bad = (r: ResolvedS7Point, at: number): Sample => ({
    device: deviceId,
    metric: r.point.name,
    value: null,
    timestamp: at,
    quality: 'bad',
  });

  function decodeItem(item: PlannedItem<S7Point>, data: Buffer, at: number, out: ReadResult): void {
    for (const { resolved, offset } of item.points) {
      const d = decodeS7Point(resolved, data, offset);
      if (d.ok) {
        out.samples.push({
          device: deviceId,
          metric: resolved.point.name,
          value: d.value,
          timestamp: at,
          quality: 'good',
        });
      } else {
        out.failures.push({
          code: d.code,
          message: d.message,
          linkFault: false,
          metrics: [resolved.point.name],
        });
        out.samples.push(bad(resolved, at));
      }
    }
  }

  async function read(groupIndex: number, signal: AbortSignal): Promise<ReadResult> {
    const plan = plans[groupIndex];
    if (plan === undefined) throw new RangeError(`device ${deviceId} has no variable group ${groupIndex}`);
    const out: ReadResult = { samples: [], failures: [] };
    for (const r of plan.tooLarge) {
      out.failures.push({
        code: 'S7_PDU_TOO_SMALL',
        message: `${r.point.name}: ${r.width} bytes do not fit one item at the PLC's PDU size ${negotiated ?? c.pduSize}`,
        linkFault: false,
        metrics: [r.point.name],
      });
      out.samples.push(bad(r, clock.now()));
    }
    for (const req of plan.requests) {
      const names = req.items.flatMap((i) => i.points.map((p) => p.resolved.point.name));
      let answers: Awaited<ReturnType<S7Link['read']>>;
      try {
        answers = await link.read(req.items, signal);
      } catch (err) {
        const e =
          err instanceof S7LinkError ? err : new S7LinkError('S7_LINK', String(err), { linkFault: true });
        const what = req.items.map(describeItem).join(', ');
        const failure: ReadFailure = {
          code: e.code,
          message: `${what}: ${e.message}`,
          linkFault: e.linkFault,
          metrics: names,
        };
        if (e.noAnswer) failure.noAnswer = true;
        out.failures.push(failure);
        // a cancelled read (shutdown, reconnect) polled nothing: it reports no value, not a bad one
        if (e.code === 'S7_ABORTED') continue;
        const at = clock.now();
        for (const item of req.items) for (const p of item.points) out.samples.push(bad(p.resolved, at));
        continue;
      }
      const at = clock.now();
      req.items.forEach((item, i) => {
        const a = answers[i];
        if (a === undefined || a.returnCode !== S7_ITEM_OK) {
          const refusal =
            a === undefined
              ? { code: 'S7_SHORT_ANSWER', message: 'the PLC answered fewer items than asked for' }
              : itemRefusal(a.returnCode);
          out.failures.push({
            code: refusal.code,
            message: `${describeItem(item)}: ${refusal.message}`,
            linkFault: false,
            ...(a === undefined ? {} : { detail: a.returnCode }),
            metrics: item.points.map((p) => p.resolved.point.name),
          });
          for (const p of item.points) out.samples.push(bad(p.resolved, at));
          return;
        }
        decodeItem(item, a.data, at, out);
      });
    }
    return out;
  }

  return {
    kind: 'polling',
    device: deviceId,
    reconnectPolicy,
    metrics,
    groups: groupInfo,
    get plan() {
      return plans;
    },
    get pduSize() {
      return negotiated;
    },
    async connect(signal: AbortSignal): Promise<void> {
      const pdu = await link.connect(signal);
      if (pdu !== negotiated) {
        negotiated = pdu;
        plans = planFor(Math.min(pdu, c.pduSize));
        log.info(
          { target, pduSize: pdu },
          `connected; PDU ${pdu} bytes: ${plans.map(describeS7Plan).join(' | ')}`,
        );
      }
    },
    read,
    close: () => link.close(),
  };
}
