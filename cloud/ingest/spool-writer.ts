import type { Point } from '@influxdata/influxdb-client';
import type { Logger } from '../../config/logging.js';
import { measurementOf } from '../sink/line-attribution.js';
import type { DeadLetterFile } from './dead-letter.js';
import { type FieldType, type FieldTypeRegistry, fieldTypeOf } from './field-types.js';
import type { PointWriter } from './retrying-writer.js';
import { type Spool, SpoolError } from './spool.js';
import type { SpoolLine } from './spool-line-codec.js';

export interface SpoolWriterStats {
  messages: number;
  lines: number;
  /** fields taken out of points for a type conflict (dead-lettered) */
  typeConflicts: number;
  /** integer values written as float into float fields */
  coerced: number;
  /** points without any field (dead-lettered) */
  empty: number;
  /** messages written straight to InfluxDB because the spool could not store them (disk full, I/O error) */
  direct: number;
}

export interface SpoolWriterOptions {
  spool: Spool;
  types: FieldTypeRegistry;
  dead: DeadLetterFile;
  /** used when the spool cannot store a message: the message is then acknowledged only after InfluxDB stored it */
  direct: PointWriter;
  log: Logger;
  now?: () => number;
}

/**
 * What the message handler writes a message's points to. Resolves once they are committed to the spool (the
 * PUBACK follows): waits while the spool is full (back-pressure), checks every field against the type registry
 * (conflicts dead-lettered with the reason, never sent to InfluxDB), and falls back to a direct InfluxDB write when
 * the spool cannot store them. Rejects only when the signal aborts (the message then stays unacknowledged).
 */
export class SpoolWriter implements PointWriter {
  readonly #o: SpoolWriterOptions;
  readonly #settings: { convertTime: (t: string | number | Date | undefined) => string | undefined };
  readonly #stats: SpoolWriterStats = {
    messages: 0,
    lines: 0,
    typeConflicts: 0,
    coerced: 0,
    empty: 0,
    direct: 0,
  };

  constructor(o: SpoolWriterOptions) {
    this.#o = o;
    const now = o.now ?? Date.now;
    this.#settings = {
      convertTime: (t) => {
        if (t === undefined) return String(now());
        if (typeof t === 'number') return String(Math.floor(t));
        if (t instanceof Date) return String(t.getTime());
        return t;
      },
    };
  }

  stats(): SpoolWriterStats {
    return { ...this.#stats };
  }

  async write(points: readonly Point[], signal: AbortSignal): Promise<void> {
    if (points.length === 0) return;
    await this.#o.spool.waitForRoom(signal);
    const lines: SpoolLine[] = [];
    const dead: { data: string; reason: string }[] = [];
    for (const p of points) {
      let line = p.toLineProtocol(this.#settings);
      if (line === undefined) {
        this.#stats.empty++;
        dead.push({ data: p.toString(), reason: 'point has no measurement or no fields' });
        continue;
      }
      const check = this.#o.types.check(measurementOf(line), p);
      this.#stats.coerced += check.coerced;
      for (const c of check.conflicts) {
        this.#stats.typeConflicts++;
        dead.push({ data: line, reason: `${c.reason}; field value ${c.value}` });
      }
      if (!check.point) continue;
      if (check.conflicts.length > 0 || check.coerced > 0) line = p.toLineProtocol(this.#settings);
      if (line === undefined) continue;
      lines.push({ line, types: typesOf(p.fields) });
    }
    if (dead.length > 0) {
      this.#o.log.warn(
        { lines: dead.length, first: dead[0]?.reason, file: this.#o.dead.path },
        'values not stored: dead-lettered with the reason',
      );
      await this.#o.dead.add('line', dead);
    }
    if (lines.length === 0) return;
    try {
      this.#o.spool.append(lines);
    } catch (err) {
      if (!(err instanceof SpoolError)) throw err;
      this.#stats.direct++;
      this.#o.log.error(
        { err: err.message },
        'spool cannot store; writing this message straight to InfluxDB',
      );
      await this.#o.direct.write(points, signal);
    }
    this.#stats.messages++;
    this.#stats.lines += lines.length;
  }
}

function typesOf(fields: Record<string, string>): Record<string, FieldType> {
  const out: Record<string, FieldType> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = fieldTypeOf(v);
  return out;
}
