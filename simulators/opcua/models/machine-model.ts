/**
 * The machine-model contract of the OPC UA simulator. A model is plain data plus a step function: it knows nothing
 * about OPC UA. The simulator turns each variable into a node (`ns=2;s=<name>.<path>`) and pushes the model's values
 * with source timestamps after every step. Adding a machine (an injection-moulding press with PackML states, a
 * compressor…) is one file exporting a `ModelFactory` plus one line in `machine-models.ts`.
 */

/** OPC UA built-in type names the simulator can expose. */
export type SimDataType =
  | 'Boolean'
  | 'SByte'
  | 'Byte'
  | 'Int16'
  | 'UInt16'
  | 'Int32'
  | 'UInt32'
  | 'Int64'
  | 'UInt64'
  | 'Float'
  | 'Double'
  | 'String'
  | 'DateTime'
  | 'Guid'
  | 'ByteString'
  | 'XmlElement'
  | 'NodeId'
  | 'ExpandedNodeId'
  | 'StatusCode'
  | 'QualifiedName'
  | 'LocalizedText'
  /** a standard OPC UA structure: the simulator exposes the `Range` DataType (i=884) */
  | 'Range';

/** A value as a model holds it; Int64/UInt64 as bigint, DateTime as Date, Range as `{ low, high }`. */
export type SimValue =
  | number
  | boolean
  | string
  | bigint
  | Date
  | Uint8Array
  | { low: number; high: number }
  | null
  | readonly number[]
  | readonly boolean[]
  | readonly string[];

export interface ModelVariable {
  /** dot-separated browse path below the machine object, e.g. `Spindle.Speed` */
  readonly path: string;
  readonly dataType: SimDataType;
  /** true for a one-dimensional array */
  readonly array?: boolean;
  readonly description: string;
  /** engineering unit (UNECE symbol as text), e.g. `rpm`, `mm/min`, `%` */
  readonly unit?: string;
  /** expected range, exposed as EURange so percent deadbands work */
  readonly range?: { low: number; high: number };
  /** clients may write it (a setpoint or a command) */
  readonly writable?: boolean;
}

export interface MachineModel {
  /** registry key, e.g. `cnc` */
  readonly kind: string;
  /** machine name, the first segment of every node id, e.g. `CNC01` */
  readonly name: string;
  readonly variables: readonly ModelVariable[];
  /** advance the model by `dtMs` of simulated time; `now` is the wall clock of this step */
  step(dtMs: number, now: Date): void;
  /** current value of a variable (by path) */
  get(path: string): SimValue;
  /** force a value (tests, demo scripts, client writes); the model keeps evolving from it */
  set(path: string, value: SimValue): void;
}

export interface ModelOptions {
  /** machine name: node ids are `ns=2;s=<name>.<path>` */
  name?: string;
  /** PRNG seed: the same seed gives the same run */
  seed?: number;
}

export type ModelFactory = (options: ModelOptions) => MachineModel;

/** mulberry32: a small seeded PRNG so scenarios are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A value store for models: holds values by path and rejects unknown paths (a typo is an error, not a no-op). */
export class ValueTable {
  readonly #values = new Map<string, SimValue>();

  constructor(initial: Record<string, SimValue>) {
    for (const [k, v] of Object.entries(initial)) this.#values.set(k, v);
  }

  get(path: string): SimValue {
    if (!this.#values.has(path)) throw new RangeError(`no variable ${path}`);
    return this.#values.get(path) ?? null;
  }

  set(path: string, value: SimValue): void {
    if (!this.#values.has(path)) throw new RangeError(`no variable ${path}`);
    this.#values.set(path, value);
  }

  num(path: string): number {
    const v = this.get(path);
    return typeof v === 'number' ? v : Number(v);
  }
}
