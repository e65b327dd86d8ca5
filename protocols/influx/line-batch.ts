/**
 * The lines of one message, grouped as InfluxDB prefers them: every field of one series (measurement + tags) at one
 * timestamp on one line (`telemetry,device=a,node=n,site=s f1=1,f2=2i 1700000000000`), as Telegraf batches the
 * metrics of one timestamp. Values go in already escaped (`fieldText`), so nothing is built per value but the field
 * entry; a field written twice at one time keeps the last value, as InfluxDB would overwrite it. Pure.
 */
import type { Point } from '@influxdata/influxdb-client';
import { formatLine, type ParsedLine, parseLine } from './line-protocol.js';

export interface BatchLine {
  /** unescaped measurement (the field-type registry's key) */
  readonly measurement: string;
  /** escaped `measurement,tags` */
  readonly series: string;
  /** ms, as written */
  readonly time: string;
  /** field key → escaped value, in arrival order */
  readonly fields: Map<string, string>;
}

/** ms time for undated points (the client's `convertTime`): what `Point.toLineProtocol` needs to write ms. */
const MS_SETTINGS = {
  convertTime: (t: string | number | Date | undefined): string | undefined => {
    if (t === undefined) return String(Date.now());
    if (typeof t === 'number') return String(Math.floor(t));
    if (t instanceof Date) return String(t.getTime());
    return t;
  },
};

export class LineBatch {
  readonly lines: BatchLine[] = [];
  readonly #index = new Map<string, BatchLine>();
  #last: BatchLine | undefined;

  /** lines in the batch */
  get size(): number {
    return this.lines.length;
  }

  /** Adds one field to the line of `series` at `time` (made when there is none yet). */
  add(measurement: string, series: string, time: string, key: string, escaped: string): void {
    let l = this.#last;
    if (l === undefined || l.time !== time || l.series !== series) {
      const k = `${series} ${time}`;
      l = this.#index.get(k);
      if (l === undefined) {
        l = { measurement, series, time, fields: new Map() };
        this.lines.push(l);
        this.#index.set(k, l);
      }
      this.#last = l;
    }
    l.fields.set(key, escaped);
  }

  /** Adds the fields of a parsed line (or of a line we wrote). */
  addParsed(p: ParsedLine): void {
    for (const [k, v] of p.fields) this.add(p.measurement, p.series, p.time, k, v);
  }

  /** Adds a `Point` (analytics, the odd status line): serialised once by the client, grouped like the rest. */
  addPoint(point: Point): boolean {
    const line = point.toLineProtocol(MS_SETTINGS);
    const parsed = line === undefined ? undefined : parseLine(line);
    if (parsed === undefined) return false;
    this.addParsed(parsed);
    return true;
  }

  /** Every line, as written. */
  toLines(): string[] {
    const out: string[] = [];
    for (const l of this.lines) if (l.fields.size > 0) out.push(lineText(l));
    return out;
  }
}

/** One batch line as line protocol (fields sorted by key, as `Point` writes them). */
export function lineText(l: BatchLine): string {
  return formatLine(l.series, [...l.fields], l.time);
}
