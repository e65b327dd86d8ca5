import { type Static, type TSchema, Type } from '@sinclair/typebox';

/** A duration: `500ms`, `1s`, `1.5m`, `2h`, `1d`, or a number of milliseconds. */
export const Duration = Type.Union(
  [Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)$' }), Type.Number({ minimum: 0 })],
  { description: 'duration: 500ms, 1s, 1.5m, 2h, 1d, or milliseconds as a number' },
);
export type Duration = Static<typeof Duration>;

/** A size: `512KiB`, `64MiB`, `1GiB`, `10MB`, or a number of bytes. */
export const ByteSize = Type.Union(
  [
    Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?(B|KB|MB|GB|KiB|MiB|GiB|TiB)$' }),
    Type.Integer({ minimum: 0 }),
  ],
  { description: 'size: 512KiB, 64MiB, 1GiB, 10MB, or bytes as a number' },
);
export type ByteSize = Static<typeof ByteSize>;

export const Id = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: '[A-Za-z0-9_-]{1,64}' });
export const MetricName = Type.String({ pattern: '^[A-Za-z0-9_]{1,64}$', description: '[A-Za-z0-9_]{1,64}' });
export const Tags = Type.Record(
  Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' }),
  Type.String({ minLength: 1 }),
  {
    description: 'extra InfluxDB tags for every series of this device',
  },
);
export const Port = Type.Integer({ minimum: 0, maximum: 65535 });
/** `/healthz`, `/readyz` and `/metrics` of a process (agent and ingester alike), on 127.0.0.1 unless `host` says otherwise */
export const HealthHttp = Strict({ port: Port, host: Type.Optional(Type.String()) });
export const LogLevel = Type.Union(
  ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
  { default: 'info' },
);

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

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const UNIT_BYTES: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
};

/** Milliseconds of a validated Duration. */
export function toMs(d: Duration): number {
  if (typeof d === 'number') return d;
  const m = /^([0-9.]+)([a-z]+)$/.exec(d);
  const unit = m?.[2] === undefined ? undefined : UNIT_MS[m[2]];
  if (!m || unit === undefined) throw new TypeError(`not a duration: ${d}`);
  return Math.round(Number(m[1]) * unit);
}

/** Bytes of a validated ByteSize. */
export function toBytes(s: ByteSize): number {
  if (typeof s === 'number') return s;
  const m = /^([0-9.]+)([A-Za-z]+)$/.exec(s);
  const unit = m?.[2] === undefined ? undefined : UNIT_BYTES[m[2]];
  if (!m || unit === undefined) throw new TypeError(`not a size: ${s}`);
  return Math.round(Number(m[1]) * unit);
}

/** An object schema that rejects unknown keys, so a typo is an error and not a silently ignored setting. */
export function Strict<T extends Parameters<typeof Type.Object>[0]>(
  props: T,
  opts: { description?: string } = {},
) {
  return Type.Object(props, { additionalProperties: false, ...opts });
}

export type { Static, TSchema };
