/**
 * How a config section is declared once — its keys, their types, descriptions, units and defaults — so that the
 * validator, the resolved TypeScript type, the reference documentation and the sample configs all come from it.
 *
 * - `required(schema, meta)` / `optional(schema, meta)` annotate a key: `description` (one line, shown in
 *   docs/configuration.md and the samples), `unit`, `default` (applied by the loader) or `defaultText` (a default
 *   the code computes, e.g. "the smallest samplingInterval"), `example` (for samples).
 * - `Section(props, { check })` is a strict object (unknown keys are errors) whose resolved type has every key with
 *   a `default` filled in. `check` holds the rules a schema cannot express; the loader runs it on the section once
 *   the section itself is schema-valid, so `plantpulse check` and the running process refuse the same things.
 *
 * Resolving is TypeBox `Value.Decode`: Duration and ByteSize are transforms (to ms and bytes), a Section's decode
 * fills its defaults (themselves decoded once, when the section is declared).
 */
import {
  CloneType,
  type Evaluate,
  type StaticDecode,
  type StaticEncode,
  type TObject,
  type TOptional,
  type TProperties,
  type TSchema,
  type TTransform,
  Type,
} from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { ConfigIssue } from './errors.js';
import type { KeyPath } from './key-path.js';

export interface KeyMeta<V = unknown> {
  /** one line for the configuration reference */
  description: string;
  /** engineering unit of a number (`V`, `registers`, `messages/s`); durations and sizes carry their own */
  unit?: string;
  /** an example value for the sample configs, when there is no default */
  example?: V;
}

export interface OptionalMeta<V> extends KeyMeta<V> {
  /** a default the code computes, described for the documentation (never applied by the loader) */
  defaultText?: string;
}

declare const DEFAULTED: unique symbol;
/**
 * A key the loader fills in when it is missing: resolved configs always have it. The mark is a type only (the
 * schema object is a plain optional key); Section strips it before TypeBox computes static types.
 */
export type TDefaulted<T extends TSchema> = TOptional<T> & { readonly [DEFAULTED]: T };

function annotate<T extends TSchema>(schema: T, meta: Record<string, unknown>): T {
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta)) {
    if (v === undefined) continue;
    extra[k === 'example' ? 'examples' : k] = k === 'example' ? [v] : v;
  }
  // TypeBox's type clone keeps transform codecs (functions), which Value.Clone refuses
  return CloneType({ ...schema, ...extra } as T);
}

/** A key that must be given. */
export function required<T extends TSchema>(schema: T, meta: KeyMeta<StaticEncode<T>>): T {
  return annotate(schema, { ...meta });
}

/** An optional key; with `default` it is always present once resolved. */
export function optional<T extends TSchema>(
  schema: T,
  meta: OptionalMeta<StaticEncode<T>> & { default: StaticEncode<T> },
): TDefaulted<T>;
export function optional<T extends TSchema>(schema: T, meta: OptionalMeta<StaticEncode<T>>): TOptional<T>;
export function optional<T extends TSchema>(
  schema: T,
  meta: OptionalMeta<StaticEncode<T>> & { default?: StaticEncode<T> },
): TOptional<T> {
  return Type.Optional(annotate(schema, { ...meta })) as TOptional<T>;
}

type DefaultedKeys<P extends TProperties> = {
  [K in keyof P]: P[K] extends { readonly [DEFAULTED]: TSchema } ? K : never;
}[keyof P];

/** The properties as TypeBox sees them (defaulted keys are plain optional keys). */
export type Unmarked<P extends TProperties> = {
  [K in keyof P]: P[K] extends { readonly [DEFAULTED]: infer U extends TSchema } ? TOptional<U> : P[K];
};

type Decoded<P extends TProperties> = StaticDecode<TObject<Unmarked<P>>>;

/** The resolved shape of a section: decoded values, defaulted keys present. */
export type Resolved<P extends TProperties> = Evaluate<
  Decoded<P> & {
    [K in DefaultedKeys<P>]-?: K extends keyof Decoded<P> ? Exclude<Decoded<P>[K], undefined> : never;
  }
>;

export type TSection<P extends TProperties> = TTransform<TObject<Unmarked<P>>, Resolved<P>>;

/** Context a section check may ask about. */
export interface CheckContext {
  /** true when the value at this path (relative to the section) came from a `${env:…}`/`${file:…}`/`${cred:…}` */
  fromReference(path: KeyPath): boolean;
}

/** Rules a schema cannot express; issue paths are relative to the section. */
export type SectionCheck<V> = (value: V, ctx: CheckContext) => ConfigIssue[];

const CHECK = Symbol.for('plantpulse.config.check');

export interface SectionOptions<V> {
  description?: string;
  check?: SectionCheck<V>;
}

/** A strict object section with defaults (see the file comment). */
export function Section<P extends TProperties>(
  props: P,
  opts: SectionOptions<Resolved<P>> = {},
): TSection<P> {
  const object = Type.Object(props as Unmarked<P>, {
    additionalProperties: false,
    ...(opts.description === undefined ? {} : { description: opts.description }),
  });
  const defaults: [string, unknown][] = [];
  for (const [key, schema] of Object.entries(props)) {
    if (!('default' in schema)) continue;
    // a wrong default is a bug of ours: fail at import, in every test, not in a user's config
    if (!Value.Check(schema, schema.default))
      throw new TypeError(`default of ${key} does not match its schema`);
    defaults.push([key, Value.Decode(schema, Value.Clone(schema.default))]);
  }
  const section = Type.Transform(object)
    .Decode((v) => {
      const out: Record<string, unknown> = { ...v };
      for (const [key, value] of defaults) if (out[key] === undefined) out[key] = Value.Clone(value);
      return out as unknown as Resolved<P>;
    })
    .Encode((v) => v as unknown as Decoded<P>);
  return opts.check ? withCheck(section, opts.check) : section;
}

/** The same schema with `check` attached (see Section). */
export function withCheck<T extends TSchema>(schema: T, check: SectionCheck<StaticDecode<T>>): T {
  const out = CloneType(schema);
  (out as unknown as Record<symbol, unknown>)[CHECK] = check;
  return out;
}

/** The check attached to a schema node, if any. */
export function checkOf(schema: TSchema): SectionCheck<unknown> | undefined {
  const c = (schema as unknown as Record<symbol, unknown>)[CHECK];
  return typeof c === 'function' ? (c as SectionCheck<unknown>) : undefined;
}
