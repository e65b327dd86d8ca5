/**
 * The Modbus component's device keys — `modbus:` (the connection) and `poll:` (what to read) — declared once:
 * validator, resolved types, docs/configuration.md and sample.yaml all come from here.
 */
import { type StaticDecode, Type } from '@sinclair/typebox';
import { DurationAtLeast, MetricName, OneOf } from '../../../config/schemas/common.js';
import { optional, required, Section } from '../../../config/spec.js';
import { BYTE_ORDERS, VALUE_TYPES } from '../../../protocols/modbus/point.js';
import {
  DEFAULT_MAX_GAP,
  MAX_BITS_PER_READ,
  MAX_REGISTERS_PER_READ,
} from '../../../protocols/modbus/request-planner.js';
import { RECONNECT_BACKOFF_FIELDS } from '../connection-fields.js';
import { SCALED_POINT_FIELDS } from '../point-fields.js';

/** The fastest poll we accept: below this a gateway only burns CPU and the bus. */
export const MIN_POLL = '10ms';

export const ModbusTable = Type.Union([
  Type.Literal('coil'),
  Type.Literal('discrete'),
  Type.Literal('holding'),
  Type.Literal('input'),
]);
export const ModbusType = OneOf(VALUE_TYPES);
export const ByteOrder = OneOf(BYTE_ORDERS);

export const ModbusPoint = Section({
  name: required(MetricName, { description: 'metric name', example: 'state_code' }),
  table: required(ModbusTable, {
    description: 'coil (0x), discrete (1x), holding (4x) or input (3x)',
    example: 'holding',
  }),
  address: required(Type.Integer({ minimum: 0, maximum: 65535 }), {
    description: '0-based protocol address (register 40101 is holding 100)',
    example: 100,
  }),
  type: optional(ModbusType, {
    description: 'how the register(s) decode',
    defaultText: 'bool for coils, discrete inputs and bit points; uint16 otherwise',
  }),
  order: optional(ByteOrder, {
    description:
      'where each byte sits: ABCD big endian, CDAB word swap, BADC byte swap, DCBA both (any width; 64-bit also ABCDEFGH…)',
    defaultText: 'ABCD',
  }),
  bit: optional(Type.Integer({ minimum: 0, maximum: 15 }), {
    description: 'bit 0–15 of a holding/input register (the point is then a bool)',
  }),
  length: optional(Type.Integer({ minimum: 1, maximum: 125 }), {
    description: 'string length',
    unit: 'registers',
  }),
  ...SCALED_POINT_FIELDS,
});
export type ModbusPoint = StaticDecode<typeof ModbusPoint>;

export const PollGroup = Section({
  every: required(DurationAtLeast(MIN_POLL), { description: 'poll interval', example: '1s' }),
  points: required(Type.Array(ModbusPoint, { minItems: 1 }), { description: 'registers and bits to read' }),
});
export type PollGroup = StaticDecode<typeof PollGroup>;

export const ModbusConnection = Section({
  url: required(Type.String({ pattern: '^(tcp|rtu|rtu\\+tcp)://' }), {
    description:
      'tcp://host:502, rtu:///dev/ttyUSB0?baud=19200&parity=even&dataBits=8&stopBits=1, rtu+tcp://host:4001',
    example: 'tcp://127.0.0.1:502',
  }),
  unitId: optional(Type.Integer({ minimum: 0, maximum: 255 }), {
    description: 'unit (slave) id; gateways route by it',
    default: 1,
  }),
  timeout: optional(DurationAtLeast('1ms'), {
    description: 'per request; no request waits longer',
    default: '1s',
  }),
  maxRegistersPerRequest: optional(Type.Integer({ minimum: 1, maximum: MAX_REGISTERS_PER_READ }), {
    description: 'largest register read; lower it for devices that cannot serve 125',
    unit: 'registers',
    default: MAX_REGISTERS_PER_READ,
  }),
  maxBitsPerRequest: optional(Type.Integer({ minimum: 1, maximum: MAX_BITS_PER_READ }), {
    description: 'largest coil/discrete read',
    unit: 'bits',
    default: MAX_BITS_PER_READ,
  }),
  maxGap: optional(Type.Integer({ minimum: 0, maximum: 124 }), {
    description: 'read across holes of up to this many registers to save requests (0: never)',
    unit: 'registers',
    default: DEFAULT_MAX_GAP,
  }),
  interFrameDelay: optional(DurationAtLeast('0ms'), {
    description: 'silence between transactions on a shared serial line or gateway',
    defaultText: 't3.5 of the baud rate for rtu://, 0 otherwise',
  }),
  skipUnitAfterTimeouts: optional(Type.Integer({ minimum: 1 }), {
    description:
      'on a shared line or gateway, a unit that timed out this often in a row is skipped for a backoff period',
    unit: 'timeouts',
    default: 2,
  }),
  reconnectAfterFailures: optional(Type.Integer({ minimum: 1 }), {
    description: 'polls in a row with a link fault before the connection is re-created',
    unit: 'polls',
    default: 3,
  }),
  ...RECONNECT_BACKOFF_FIELDS,
});
export type ModbusConnection = StaticDecode<typeof ModbusConnection>;

/** The device keys this component owns. */
export const modbusSpec = {
  modbus: optional(ModbusConnection, { description: 'a Modbus TCP, RTU or RTU-over-TCP device' }),
  poll: optional(Type.Array(PollGroup), { description: 'what to read, grouped by interval' }),
};
