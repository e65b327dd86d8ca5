import { type Static, Type } from '@sinclair/typebox';
import { Duration, MetricName, Strict } from './common.js';

export const ModbusTable = Type.Union(
  [Type.Literal('coil'), Type.Literal('discrete'), Type.Literal('holding'), Type.Literal('input')],
  { description: 'coil (0x), discrete (1x), holding (4x) or input (3x)' },
);
export const ModbusType = Type.Union(
  ['bool', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64', 'string'].map((t) =>
    Type.Literal(t),
  ),
);
/** Byte/word order: ABCD (big endian), CDAB (word swap), BADC (byte swap), DCBA (little endian); 64-bit forms too. */
export const ByteOrder = Type.Union(
  ['ABCD', 'CDAB', 'BADC', 'DCBA', 'ABCDEFGH', 'GHEFCDAB', 'BADCFEHG', 'HGFEDCBA'].map((o) =>
    Type.Literal(o),
  ),
);

export const ModbusPoint = Strict({
  name: MetricName,
  table: ModbusTable,
  /** 0-based protocol address (what goes on the wire), not the 40001-style reference */
  address: Type.Integer({ minimum: 0, maximum: 65535 }),
  type: Type.Optional(ModbusType),
  order: Type.Optional(ByteOrder),
  /** bit 0–15 of a holding/input register, for type bool */
  bit: Type.Optional(Type.Integer({ minimum: 0, maximum: 15 })),
  /** string length in registers */
  length: Type.Optional(Type.Integer({ minimum: 1, maximum: 125 })),
  scale: Type.Optional(Type.Number()),
  offset: Type.Optional(Type.Number()),
  unit: Type.Optional(Type.String({ maxLength: 32 })),
  /** report by exception: publish only when the value moved by more than this (absolute) */
  deadband: Type.Optional(Type.Number({ minimum: 0 })),
});
export type ModbusPoint = Static<typeof ModbusPoint>;

export const PollGroup = Strict({
  every: Duration,
  points: Type.Array(ModbusPoint, { minItems: 1 }),
});
export type PollGroup = Static<typeof PollGroup>;

export const ModbusConnection = Strict({
  /** tcp://host:502 | rtu:///dev/ttyUSB0?baud=19200&parity=even&dataBits=8&stopBits=1 | rtu+tcp://host:4001 */
  url: Type.String({ pattern: '^(tcp|rtu|rtu\\+tcp)://' }),
  unitId: Type.Optional(Type.Integer({ minimum: 0, maximum: 255, default: 1 })),
  timeout: Type.Optional(Duration),
  maxRegistersPerRequest: Type.Optional(Type.Integer({ minimum: 1, maximum: 125 })),
  maxBitsPerRequest: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000 })),
  maxGap: Type.Optional(Type.Integer({ minimum: 0, maximum: 124 })),
  /** silence between transactions on a shared serial line or gateway */
  interFrameDelay: Type.Optional(Duration),
  /** consecutive failed requests before the connection is re-created */
  reconnectAfterFailures: Type.Optional(Type.Integer({ minimum: 1 })),
  backoff: Type.Optional(Strict({ initial: Type.Optional(Duration), max: Type.Optional(Duration) })),
});
export type ModbusConnection = Static<typeof ModbusConnection>;
