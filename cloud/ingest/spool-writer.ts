import type { Point } from '@influxdata/influxdb-client';
import type { Logger } from '../../config/logging.js';
import { LineBatch } from '../../protocols/influx/line-batch.js';
import { escapeTag } from '../../protocols/influx/line-protocol.js';
import type { LineBlock } from '../sink/line-block.js';
import type { DeadLetterFile } from './dead-letter.js';
import type { FieldTypeRegistry } from './field-types.js';
import type { LineWriter } from './retrying-writer.js';
import { type Spool, SpoolError } from './spool.js';

export interface SpoolWriterStats {
  messages: number;
  lines: number;
  /** field values taken out of lines for a type conflict (dead-lettered) */
  typeConflicts: number;
  /** integer values written as float into float fields */
  coerced: number;
  /** points without any field (dead-lettered) */
  empty: number;
  /** messages written straight to InfluxDB because the spool could not store them (disk full, I/O error) */
  direct: number;
  /** spool transactions (group commits: one fsync each) */
  groups: number;
  /** the most messages one group commit stored */
  largestGroup: number;
}

export interface SpoolWriterOptions {
  spool: Spool;
  types: FieldTypeRegistry;
  dead: DeadLetterFile;
  /** used when the spool cannot store a message: the message is then acknowledged only after InfluxDB stored it */
  direct: LineWriter;
  log: Logger;
}

interface Pending {
  block: LineBlock;
  signal: AbortSignal;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * What the message handler writes a message's lines to. Serialises them once, here: every field is checked against
 * the type registry (a conflicting value is dead-lettered alone with the reason, never sent to InfluxDB; the rest
 * of its line is kept). The message's lines become one spool row. Messages handed in while a commit runs (several
 * in flight, `MqttConsumer`) are committed together: one transaction, one fsync per group (group commit), in the
 * order they came. `writeBatch` resolves once its message is committed (the PUBACK follows); it waits while the
 * spool is full (back-pressure) and falls back to a direct InfluxDB write when the spool cannot store. Rejects only
 * when the signal aborts (the message then stays unacknowledged).
 */
export class SpoolWriter {
  readonly #o: SpoolWriterOptions;
  readonly #stats: SpoolWriterStats = {
    messages: 0,
    lines: 0,
    typeConflicts: 0,
    coerced: 0,
    empty: 0,
    direct: 0,
    groups: 0,
    largestGroup: 0,
  };
  #pending: Pending[] = [];
  #flushing = false;

  constructor(o: SpoolWriterOptions) {
    this.#o = o;
  }

  stats(): SpoolWriterStats {
    return { ...this.#stats };
  }

  /** `Point`s (analytics, tests): grouped into lines like the host's values, then as `writeBatch`. */
  async write(points: readonly Point[], signal: AbortSignal): Promise<void> {
    if (points.length === 0) return;
    const batch = new LineBatch();
    const dead: { data: string; reason: string }[] = [];
    for (const p of points) {
      if (!batch.addPoint(p)) {
        this.#stats.empty++;
        dead.push({ data: p.toString(), reason: 'point has no measurement or no fields' });
      }
    }
    if (dead.length > 0) await this.#deadLetter(dead);
    await this.writeBatch(batch, signal);
  }

  /** One message's lines: resolves once they are committed to the spool (or, failing that, stored in InfluxDB). */
  async writeBatch(batch: LineBatch, signal: AbortSignal): Promise<void> {
    if (batch.size === 0) return;
    const dead: { data: string; reason: string }[] = [];
    const block = this.#serialise(batch, dead);
    if (dead.length > 0) await this.#deadLetter(dead);
    if (block.lines === 0) return;
    signal.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      this.#pending.push({ block, signal, resolve, reject });
      if (!this.#flushing) {
        this.#flushing = true;
        // after the current turn: every message the MQTT client hands over meanwhile joins this group
        setImmediate(() => void this.#flush());
      }
    });
  }

  /** The batch as `\n`-joined line protocol, each field checked against the type registry. */
  #serialise(batch: LineBatch, dead: { data: string; reason: string }[]): LineBlock {
    const types = this.#o.types;
    let text = '';
    let lines = 0;
    for (const l of batch.lines) {
      let fields = '';
      // forEach, not for…of: no [key, value] array per field
      l.fields.forEach((v, k) => {
        let value = v;
        const verdict = types.checkField(l.measurement, k, v);
        if (verdict !== undefined) {
          if ('coerced' in verdict) {
            value = verdict.coerced;
            this.#stats.coerced++;
          } else {
            this.#stats.typeConflicts++;
            dead.push({
              data: `${l.series} ${escapeTag(k)}=${v} ${l.time}`,
              reason: `${verdict.conflict}; field value ${v}`,
            });
            return;
          }
        }
        fields += `${fields.length > 0 ? ',' : ''}${escapeTag(k)}=${value}`;
      });
      if (fields.length === 0) continue;
      text += `${lines > 0 ? '\n' : ''}${l.series} ${fields} ${l.time}`;
      lines++;
    }
    return { text, lines };
  }

  async #deadLetter(dead: { data: string; reason: string }[]): Promise<void> {
    this.#o.log.warn(
      { lines: dead.length, first: dead[0]?.reason, file: this.#o.dead.path },
      'values not stored: dead-lettered with the reason',
    );
    await this.#o.dead.add('line', dead);
  }

  /** Commits what is pending, group by group, in order, until nothing is left. */
  async #flush(): Promise<void> {
    const { spool } = this.#o;
    try {
      while (this.#pending.length > 0) {
        const first = this.#pending[0] as Pending;
        try {
          await spool.waitForRoom(first.signal);
        } catch (err) {
          // stopping: nothing pending is acknowledged; the broker redelivers it
          const all = this.#pending;
          this.#pending = [];
          for (const p of all) p.reject(err);
          return;
        }
        const group = this.#pending;
        this.#pending = [];
        try {
          spool.appendGroup(group.map((p) => p.block));
          this.#committed(group);
          for (const p of group) p.resolve();
        } catch (err) {
          if (!(err instanceof SpoolError)) {
            for (const p of group) p.reject(err);
            continue;
          }
          await this.#direct(group, err);
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  #committed(group: readonly Pending[]): void {
    this.#stats.groups++;
    this.#stats.largestGroup = Math.max(this.#stats.largestGroup, group.length);
    this.#stats.messages += group.length;
    for (const p of group) this.#stats.lines += p.block.lines;
  }

  /** The spool cannot store: each message goes straight to InfluxDB and is acknowledged after that write. */
  async #direct(group: readonly Pending[], err: SpoolError): Promise<void> {
    this.#o.log.error(
      { err: err.message, messages: group.length },
      'spool cannot store; writing these messages straight to InfluxDB',
    );
    for (const p of group) {
      try {
        await this.#o.direct.write([p.block], p.signal);
        this.#stats.direct++;
        this.#stats.messages++;
        this.#stats.lines += p.block.lines;
        p.resolve();
      } catch (e) {
        p.reject(e);
      }
    }
  }
}
