/**
 * The DL/T 645 polling source: one request per data identifier, through the bus the meter shares with its
 * neighbours; decodes with protocols/dlt645 and returns samples (bad ones included) and failures as values.
 */
import type { Logger } from 'pino';
import { type PointLayout, pointLayout } from '../../../protocols/dlt645/data-identifiers.js';
import { decodePointValue } from '../../../protocols/dlt645/point-value.js';
import { PlantpulseError } from '../../../protocols/errors.js';
import type { MetricInfo } from '../../../protocols/metric.js';
import type { Sample } from '../../../protocols/sample.js';
import type { ReconnectPolicy } from '../../runner/reconnect-policy.js';
import type { PollGroupInfo, PollingSource, ReadFailure, ReadResult } from '../source.js';
import { type BusLease, BusRegistry } from './bus-registry.js';
import type { Dlt645Device } from './check.js';
import { DLT645_FAILURE_CODES as CODES } from './dlt645-failures.js';
import { type Dlt645Endpoint, parseDlt645Url } from './dlt645-url.js';

export interface Dlt645SourceDeps {
  log: Logger;
  /** share buses between meters; without it each source gets its own connection */
  buses?: BusRegistry;
}

interface PlannedPoint {
  name: string;
  timeName: string | undefined;
  layout: PointLayout;
}

export interface Dlt645Source extends PollingSource {
  readonly endpoint: Dlt645Endpoint;
  readonly address: string;
  readonly reconnectPolicy: ReconnectPolicy;
}

/** Builds the source of a device the component check accepted. No I/O: connect() opens the bus. */
export function createDlt645Source(device: Dlt645Device, deps: Dlt645SourceDeps): Dlt645Source {
  const conn = device.dlt645;
  const endpoint = parseDlt645Url(conn.url);
  if (typeof conn.address !== 'string')
    throw new PlantpulseError('DLT645_CONFIG', `device ${device.id}: the address must be quoted text`);
  const address = conn.address;
  const { version, timeout: timeoutMs, preamble } = conn;
  const log = deps.log.child({ component: 'dlt645', device: device.id });
  const buses = deps.buses ?? new BusRegistry(deps.log);
  const groups: { intervalMs: number; points: PlannedPoint[] }[] = (device.readings ?? []).map((g) => ({
    intervalMs: g.every,
    points: g.points.map((p) => ({
      name: p.name,
      timeName: p.timeName,
      layout: pointLayout(version, {
        di: String(p.di),
        ...(p.format === undefined ? {} : { format: p.format }),
        ...(p.signed === undefined ? {} : { signed: p.signed }),
        ...(p.unit === undefined ? {} : { unit: p.unit }),
      }),
    })),
  }));
  const metrics: MetricInfo[] = groups.flatMap((g) =>
    g.points.flatMap((p) => {
      const info: MetricInfo = {
        name: p.name,
        kind: 'double',
        description: `DL/T 645-${version} ${p.layout.di} ${p.layout.value.text}`,
      };
      if (p.layout.unit !== undefined) info.unit = p.layout.unit;
      const time: MetricInfo[] =
        p.timeName === undefined
          ? []
          : [
              {
                name: p.timeName,
                kind: 'string',
                description: `DL/T 645-${version} ${p.layout.di} time (meter-local)`,
              },
            ];
      return [info, ...time];
    }),
  );
  const groupInfo: PollGroupInfo[] = groups.map((g) => ({
    intervalMs: g.intervalMs,
    description: `${g.points.length} data identifier(s) from meter ${address}: ${g.points.map((p) => p.layout.di).join(' ')}`,
  }));
  const reconnectPolicy: ReconnectPolicy = {
    afterFailures: conn.reconnectAfterFailures,
    initialMs: conn.backoff.initial,
    maxMs: conn.backoff.max,
  };
  const deviceId = device.id;
  let lease: BusLease | undefined;

  const bad = (p: PlannedPoint, at: number): Sample[] =>
    [p.name, ...(p.timeName === undefined ? [] : [p.timeName])].map((metric) => ({
      device: deviceId,
      metric,
      value: null,
      timestamp: at,
      quality: 'bad',
    }));
  const names = (p: PlannedPoint) => [p.name, ...(p.timeName === undefined ? [] : [p.timeName])];

  async function read(groupIndex: number, signal: AbortSignal): Promise<ReadResult> {
    const group = groups[groupIndex];
    if (group === undefined) throw new RangeError(`device ${deviceId} has no reading group ${groupIndex}`);
    const samples: Sample[] = [];
    const failures: ReadFailure[] = [];
    /** the meter did not answer in this reading: its other points are not waited for */
    let silent: string | undefined;
    for (const p of group.points) {
      const label = `${p.layout.di} @${address}`;
      const bus = lease?.bus;
      if (bus === undefined) {
        const at = Date.now();
        failures.push({
          code: CODES.notConnected,
          message: `${label}: not connected`,
          linkFault: true,
          metrics: names(p),
        });
        samples.push(...bad(p, at));
        continue;
      }
      if (silent !== undefined) {
        failures.push({
          code: CODES.notAsked,
          message: `${label}: not asked, the meter did not answer ${silent} in this reading`,
          linkFault: false,
          noAnswer: true,
          metrics: names(p),
        });
        samples.push(...bad(p, Date.now()));
        continue;
      }
      const r = await bus.read({ version, address, di: p.layout.di, timeoutMs, preamble, label }, signal);
      if (!r.ok) {
        failures.push({ ...r.failure, metrics: names(p) });
        // a cancelled read (shutdown, reconnect) read nothing: it reports no value, not a bad one
        if (r.failure.code === CODES.aborted) continue;
        if (r.failure.code === CODES.timeout) silent = p.layout.di;
        samples.push(...bad(p, r.at));
        continue;
      }
      try {
        const v = decodePointValue(p.layout, r.value);
        samples.push({ device: deviceId, metric: p.name, value: v.value, timestamp: r.at, quality: 'good' });
        if (p.timeName !== undefined && v.time !== undefined)
          samples.push({
            device: deviceId,
            metric: p.timeName,
            value: v.time,
            timestamp: r.at,
            quality: 'good',
          });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        failures.push({
          code: CODES.badData,
          message: `${label}: ${message}`,
          linkFault: false,
          metrics: names(p),
        });
        samples.push(...bad(p, r.at));
      }
    }
    if (failures.length > 0)
      log.debug(
        { group: groupIndex, failures: failures.map((f) => f.code) },
        'reading finished with failures',
      );
    return { samples, failures };
  }

  return {
    kind: 'polling',
    device: deviceId,
    endpoint,
    address,
    reconnectPolicy,
    metrics,
    groups: groupInfo,
    async connect(signal: AbortSignal): Promise<void> {
      lease ??= buses.lease(endpoint, { address, interFrameDelayMs: conn.interFrameDelay });
      await lease.bus.open(timeoutMs, signal);
    },
    read,
    async close(): Promise<void> {
      const l = lease;
      lease = undefined;
      if (l === undefined) return;
      // a bus every meter stopped answering on is re-opened; one silent meter does not reset its neighbours
      if (l.bus.linkSuspect) l.bus.reset(`device ${deviceId} closed a suspect bus`);
      l.release();
    },
  };
}
