import { type StaticDecode, type TSchema, type TUnsafe, Type } from '@sinclair/typebox';
import {
  DURATION_PATTERN,
  formatDuration,
  formatSize,
  parseDuration,
  parseSize,
  SIZE_PATTERN,
} from '../units.js';

const DURATION_TEXT = 'duration: 500ms, 1s, 1.5m, 2h, 1d, or milliseconds as a number';

function durationSchema(extra: { minDuration?: string } = {}) {
  return Type.Transform(
    Type.Union([Type.String({ pattern: DURATION_PATTERN }), Type.Number({ minimum: 0 })], {
      title: 'duration',
      expects: DURATION_TEXT,
      ...extra,
    }),
  )
    .Decode((d) => parseDuration(d) ?? Number.NaN)
    .Encode((ms) => formatDuration(ms));
}

/** A duration: `500ms`, `1s`, `1.5m`, `2h`, `1d`, or a number of milliseconds. Resolved to milliseconds. */
export const Duration = durationSchema();
/** Milliseconds, once resolved. */
export type Duration = StaticDecode<typeof Duration>;

/** A duration of at least `min` (e.g. `10ms`): shorter values are refused with the key's position. */
export function DurationAtLeast(min: string) {
  return durationSchema({ minDuration: min });
}

/** A size: `512KiB`, `64MiB`, `1GiB`, `10MB`, or a number of bytes. Resolved to bytes. */
export const ByteSize = Type.Transform(
  Type.Union([Type.String({ pattern: SIZE_PATTERN }), Type.Integer({ minimum: 0 })], {
    title: 'size',
    expects: 'size: 512KiB, 64MiB, 1GiB, 10MB, or bytes as a number',
  }),
)
  .Decode((s) => parseSize(s) ?? Number.NaN)
  .Encode((bytes) => formatSize(bytes));
/** Bytes, once resolved. */
export type ByteSize = StaticDecode<typeof ByteSize>;

export const Id = Type.String({
  pattern: '^[A-Za-z0-9_-]{1,64}$',
  title: 'id',
  expects: '[A-Za-z0-9_-]{1,64}',
});
export const MetricName = Type.String({
  pattern: '^[A-Za-z0-9_]{1,64}$',
  title: 'metric name',
  expects: '[A-Za-z0-9_]{1,64}',
});
export const Tags = Type.Record(
  Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' }),
  Type.String({ minLength: 1 }),
  { title: 'tags' },
);
export const Port = Type.Integer({ minimum: 0, maximum: 65535, title: 'port' });
/**
 * A union of literals from a list kept elsewhere (one place for the vocabulary). Typed as the list's values: TypeBox's
 * decoded types only follow unions written out as tuples.
 */
export function OneOf<const T extends readonly (string | number)[]>(values: T): TUnsafe<T[number]> {
  return Type.Union(values.map((v) => Type.Literal(v))) as unknown as TUnsafe<T[number]>;
}

export const LogLevel = OneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** Keys whose values are secrets: redacted in `plantpulse check` output and in logs. */
export const SECRET_KEYS = [
  'password',
  'token',
  'key',
  'passphrase',
  'secret',
  'tokenHash',
  'passwordHash',
] as const;

/** An object schema that rejects unknown keys, so a typo is an error and not a silently ignored setting. */
export function Strict<T extends Parameters<typeof Type.Object>[0]>(
  props: T,
  opts: { description?: string } = {},
) {
  return Type.Object(props, { additionalProperties: false, ...opts });
}

export type { TSchema };
