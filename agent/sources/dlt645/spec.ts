/**
 * The DL/T 645 component's device keys — `dlt645:` (the meter and its bus) and `readings:` (what to read) —
 * declared once: validator, resolved types, docs/configuration.md and sample.yaml all come from here. (`poll:` is
 * Modbus's key, with registers; the device schema merges every component's keys, so meters get their own.)
 */
import { type StaticDecode, Type } from '@sinclair/typebox';
import { DurationAtLeast, MetricName, OneOf } from '../../../config/schemas/common.js';
import { optional, required, Section } from '../../../config/spec.js';
import { DLT645_VERSIONS } from '../../../protocols/dlt645/data-identifiers.js';
import { DEADBAND_FIELD } from '../point-fields.js';

/** The fastest reading we accept: a 2400-baud bus carries about ten reads a second. */
export const MIN_READING_INTERVAL = '100ms';

/** YAML reads an unquoted 000012345678 as the number 12345678: accepted by the schema, refused by the check with a hint. */
const DigitsText = Type.Union([Type.String(), Type.Integer()]);

export const Dlt645Point = Section({
  name: required(MetricName, { description: 'metric name', example: 'energy_kwh' }),
  di: required(DigitsText, {
    description:
      "data identifier, quoted: 8 hex digits for 2007 ('00010000' forward active energy), 4 for 1997 ('9010')",
    example: '00010000',
  }),
  format: optional(Type.String({ maxLength: 20 }), {
    description:
      "BCD layout in the standard's notation (XXXXXX.XX: 4 bytes, 2 decimals); needed for identifiers outside the built-in table",
    defaultText: "the table's format for the identifier",
  }),
  signed: optional(Type.Boolean(), {
    description: 'the top bit of the most significant byte is the sign',
    defaultText: "the table's (2007 current, power, power factor: true); false with format",
  }),
  unit: optional(Type.String({ maxLength: 32 }), {
    description: 'engineering unit, carried in births',
    defaultText: "the table's unit for the identifier",
  }),
  timeName: optional(MetricName, {
    description:
      'for a maximum demand (01010000): also publish when it occurred, as this metric (meter-local time text)',
  }),
  deadband: DEADBAND_FIELD,
});
export type Dlt645Point = StaticDecode<typeof Dlt645Point>;

export const Dlt645ReadingGroup = Section({
  every: required(DurationAtLeast(MIN_READING_INTERVAL), { description: 'reading interval', example: '10s' }),
  points: required(Type.Array(Dlt645Point, { minItems: 1 }), {
    description: 'data identifiers to read, one request each',
  }),
});
export type Dlt645ReadingGroup = StaticDecode<typeof Dlt645ReadingGroup>;

export const Dlt645Connection = Section({
  url: required(Type.String({ pattern: '^(rtu|tcp)://' }), {
    description:
      'rtu:///dev/ttyUSB0?baud=2400&parity=even&dataBits=8&stopBits=1 (defaults 2400 8E1), or tcp://dtu:9000 for a transparent serial-to-TCP converter (DTU)',
    example: 'rtu:///dev/ttyUSB0?baud=2400&parity=even',
  }),
  address: required(DigitsText, {
    description: "the meter's 12-digit communication address from its nameplate, quoted: '000012345678'",
    example: '000012345678',
  }),
  version: optional(OneOf(DLT645_VERSIONS), {
    description: 'DL/T 645-2007 (4-byte identifiers) or the older 1997 (2-byte identifiers)',
    default: 2007,
  }),
  timeout: optional(DurationAtLeast('1ms'), {
    description: 'per request, from sending it to the last byte of the answer; no request waits longer',
    default: '1s',
  }),
  interFrameDelay: optional(DurationAtLeast('0ms'), {
    description: 'silence kept between two transactions on the bus (the largest of its meters wins)',
    default: '20ms',
  }),
  preamble: optional(Type.Integer({ minimum: 0, maximum: 8 }), {
    description: 'wake-up bytes 0xFE sent before each request',
    unit: 'bytes',
    default: 4,
  }),
  reconnectAfterFailures: optional(Type.Integer({ minimum: 1 }), {
    description:
      'readings in a row with a link fault (every meter on the bus silent) before the bus is re-opened',
    unit: 'readings',
    default: 3,
  }),
  backoff: optional(
    Section({
      initial: optional(DurationAtLeast('1ms'), {
        description: 'first wait before re-opening',
        default: '500ms',
      }),
      max: optional(DurationAtLeast('1ms'), {
        description: 'longest wait between attempts',
        default: '30s',
      }),
    }),
    { description: 'jittered exponential backoff between attempts to re-open the bus', default: {} },
  ),
});
export type Dlt645Connection = StaticDecode<typeof Dlt645Connection>;

/** The device keys this component owns. */
export const dlt645Spec = {
  dlt645: optional(Dlt645Connection, {
    description: 'a DL/T 645-2007/1997 electricity meter on an RS-485 bus',
  }),
  readings: optional(Type.Array(Dlt645ReadingGroup), {
    description: 'what to read from the meter, grouped by interval',
  }),
};
