import type { Point } from '@influxdata/influxdb-client';
import type { Logger } from '../../config/logging.js';
import type { HostApplication } from '../host/host-application.js';
import type { HostResult, OutMsg } from '../host/host-types.js';
import type { DeadLetterFile } from './dead-letter.js';
import type { HostPointMapper } from './points-from-host.js';
import type { SpoolWriter } from './spool-writer.js';

/** Problems that mean the whole message could not be read: the raw message is dead-lettered. */
const UNREADABLE = new Set(['SPB_DECODE', 'UNS_DECODE', 'SPB_TOPIC', 'UNS_TOPIC', 'HOST_INTERNAL']);

export interface IngestStats {
  messages: number;
  samples: number;
  /** InfluxDB lines made (one per series and timestamp: a device's values of one time share a line) */
  points: number;
  problems: Record<string, number>;
  dropped: Record<string, number>;
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
}

/**
 * One MQTT message → decoded samples → InfluxDB lines (grouped per device and time) → stored. Resolves once stored (the PUBACK follows);
 * every value that cannot be stored is counted, logged and explained, and unreadable messages are dead-lettered.
 */
export function createMessageHandler(d: MessageHandlerDeps) {
  const stats: IngestStats = { messages: 0, samples: 0, points: 0, problems: {}, dropped: {} };

  async function handle(topic: string, payload: Buffer, signal: AbortSignal): Promise<void> {
    stats.messages++;
    const r = d.host.handle(topic, payload);
    for (const p of r.problems) {
      stats.problems[p.code] = (stats.problems[p.code] ?? 0) + 1;
      if (p.code === 'REBIRTH_REQUESTED') d.log.info({ topic, detail: p.message }, 'rebirth requested');
      else d.log.warn({ topic, code: p.code, dropped: p.dropped, detail: p.message }, 'message problem');
    }
    const unreadable = r.problems.filter((p) => UNREADABLE.has(p.code));
    if (unreadable.length > 0) {
      await d.dead.add('message', [
        {
          data: JSON.stringify({ topic, payloadBase64: payload.toString('base64') }),
          reason: unreadable.map((p) => `${p.code}: ${p.message}`).join('; '),
        },
      ]);
    }
    for (const c of r.commands) {
      d.command(c).catch((err: unknown) => d.log.warn({ err, topic: c.topic }, 'host command not published'));
    }
    const { batch, dropped } = d.mapper.map(r);
    for (const x of dropped) {
      stats.dropped[x.code] = (stats.dropped[x.code] ?? 0) + x.count;
      d.log.warn({ topic, code: x.code, count: x.count, reason: x.reason }, 'values not stored');
    }
    if (d.extra) for (const p of d.extra(r)) batch.addPoint(p);
    await d.writer.writeBatch(batch, signal);
    stats.samples += r.samples.length;
    stats.points += batch.size;
    d.after?.(r);
  }

  return { handle, stats: (): IngestStats => structuredClone(stats) };
}
