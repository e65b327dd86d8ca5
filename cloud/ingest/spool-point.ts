import { Point } from '@influxdata/influxdb-client';
import type { FieldType } from './field-types.js';
import type { SpoolLine } from './spool-line-codec.js';

/** An escaped field value of each type: what the sink reads from `Point.fields` to tell field types apart. */
const SAMPLE_VALUE: Record<FieldType, string> = {
  float: '0',
  integer: '0i',
  unsigned: '0u',
  string: '""',
  boolean: 'true',
};

/**
 * A spooled line handed back to the sink as a Point: it serialises to exactly the line that was spooled (time and
 * all), and its `fields` carry the field types the sink needs to attribute a refusal to its lines.
 */
export class SpooledPoint extends Point {
  readonly #line: string;

  constructor(l: SpoolLine) {
    super();
    this.#line = l.line;
    for (const [k, t] of Object.entries(l.types)) this.fields[k] = SAMPLE_VALUE[t];
  }

  override toLineProtocol(): string {
    return this.#line;
  }

  override toString(): string {
    return this.#line;
  }
}
