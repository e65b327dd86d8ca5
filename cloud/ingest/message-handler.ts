import type { Point } from '@influxdata/influxdb-client';
import type { Logger } from '../../config/logging.js';
import type { AcceptWindow } from '../../config/schemas/ingest.js';
import { FloodLimit } from '../../protocols/flood-limit.js';
import type { HostApplication } from '../host/host-application.js';
import type { HostResult, OutMsg } from '../host/host-types.js';
import { applyAcceptWindow } from './accept-window.js';
import type { DeadLetterFile } from './dead-letter.js';
import type { HostPointMapper } from './points-from-host.js';
import type { SpoolWriter } from './spool-writer.js';

/**
 * Problems after which the raw message is dead-lettered: it could not be read at all, or part of it was refused by a
 * bound (README "Security / Ingester"); with the window's TIMESTAMP_OUT_OF_WINDOW.
 */
const DEAD_LETTERED = new Set([
  'SPB_DECODE',
  'UNS_DECODE',
  'SPB_TOPIC',
  'UNS_TOPIC',
  'HOST_INTERNAL',
  'DEVICE_LIMIT',
  'METRIC_LIMIT',
]);
/** Values refused by the ingester's own protections, counted in `rejected` */
const REFUSALS = new Set(['DEVICE_LIMIT', 'METRIC_LIMIT']);
export const OUT_OF_WINDOW = 'TIMESTAMP_OUT_OF_WINDOW';

export interface IngestStats {
  messages: number;
  samples: number;
  /** InfluxDB lines made (one per series and timestamp: a device's values of one time share a line) */
  points: number;
  problems: Record<string, number>;
  dropped: Record<string, number>;
  /** values refused by the accepted timestamp window and the device/metric bounds, by code (all dead-lettered) */
  rejected: Record<string, number>;
  /** warnings left out of the log by the rate limit (each problem is still counted) */
  warningsSuppressed: number;
}

export interface MessageHandlerDeps {
  host: HostApplication;
  mapper: HostPointMapper;
  /** takes a message's lines; resolves once they are committed (group commit with the messages in flight) */
  writer: Pick<SpoolWriter, 'writeBatch'>;
  dead: DeadLetterFile;
  log: Logger;
  /** publish host commands (Rebirth NCMD) */
  command: (msg: OutMsg) => Promise<void>;
  /** more points from what was decoded (analytics), and live events; both optional */
  extra?: (r: HostResult) => Point[];
  after?: (r: HostResult) => void;
  /** accepted sample times (`ingest.acceptWindow`); none: every time is taken */
  acceptWindow?: AcceptWindow;
  /** at most `max` warnings per problem code per `windowMs` (`ingest.warnings`); default 10 a minute */
  warnings?: { max: number; windowMs: number };
  /** ms since epoch; default Date.now */
  clock?: () => number;
}

/**
 * One MQTT message → decoded samples → InfluxDB lines (grouped per device and time) → stored. Resolves once stored (the PUBACK follows);
 * every value that cannot be stored is counted, logged and explained, and unreadable messages are dead-lettered.
 */
export function createMessageHandler(d: MessageHandlerDeps) {
  const stats: IngestStats = {
    messages: 0,
    samples: 0,
    points: 0,
    problems: {},
    dropped: {},
    rejected: {},
    warningsSuppressed: 0,
  };
  const clock = d.clock ?? Date.now;
  const limit = new FloodLimit({ max: 10, windowMs: 60_000, ...d.warnings, clock });
  const add = (into: Record<string, number>, code: string, n: number) => {
    into[code] = (into[code] ?? 0) + n;
  };
  /** a warning about what a sender can repeat at will: at most `max` per code per window, then one saying how many were left out */
  const warn = (code: string, fields: Record<string, unknown>, msg: string) => {
    const suppressed = limit.admit(code);
    if (suppressed === undefined) stats.warningsSuppressed++;
    else d.log.warn({ code, ...fields, ...(suppressed > 0 ? { suppressed } : {}) }, msg);
  };

  async function handle(topic: string, payload: Buffer, signal: AbortSignal): Promise<void> {
    stats.messages++;
    const r = d.host.handle(topic, payload);
    const window = d.acceptWindow ? applyAcceptWindow(r, clock(), d.acceptWindow) : undefined;
    if (window) {
      r.problems.push({ code: OUT_OF_WINDOW, message: `${topic}: ${window.reason}`, dropped: window.count });
      add(stats.rejected, OUT_OF_WINDOW, window.count);
    }
    for (const p of r.problems) {
      add(stats.problems, p.code, 1);
      if (REFUSALS.has(p.code)) add(stats.rejected, p.code, p.dropped ?? 0);
      if (p.code === 'REBIRTH_REQUESTED') d.log.info({ topic, detail: p.message }, 'rebirth requested');
      else warn(p.code, { topic, dropped: p.dropped, detail: p.message }, 'message problem');
    }
    const dead = r.problems.filter((p) => DEAD_LETTERED.has(p.code) || p.code === OUT_OF_WINDOW);
    // started now, awaited with the write: the lines go to the spool in the order the messages came
    const deadLettered =
      dead.length === 0
        ? undefined
        : d.dead.add('message', [
            {
              code: [...new Set(dead.map((p) => p.code))].join(','),
              data: JSON.stringify({ topic, payloadBase64: payload.toString('base64') }),
              reason: dead.map((p) => `${p.code}: ${p.message}`).join('; '),
            },
          ]);
    for (const c of r.commands) {
      d.command(c).catch((err: unknown) => d.log.warn({ err, topic: c.topic }, 'host command not published'));
    }
    const { batch, dropped } = d.mapper.map(r);
    for (const x of dropped) {
      add(stats.dropped, x.code, x.count);
      warn(x.code, { topic, count: x.count, reason: x.reason }, 'values not stored');
    }
    if (d.extra) for (const p of d.extra(r)) batch.addPoint(p);
    await Promise.all([deadLettered, d.writer.writeBatch(batch, signal)]);
    stats.samples += r.samples.length;
    stats.points += batch.size;
    d.after?.(r);
  }

  return { handle, stats: (): IngestStats => structuredClone(stats) };
}
