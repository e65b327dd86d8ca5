/**
 * The S7 component's device keys — `s7:` (the PLC and how to reach it) and `variables:` (what to read) — declared
 * once: validator, resolved types, docs/configuration.md and sample.yaml all come from here. (`poll:` is Modbus's
 * key, with registers; the device schema merges every component's keys, so S7 PLCs get their own.)
 */
import { type StaticDecode, Type } from '@sinclair/typebox';
import { DurationAtLeast, MetricName, OneOf, Port } from '../../../config/schemas/common.js';
import { optional, required, Section } from '../../../config/spec.js';
import { MAX_STRING_LENGTH, S7_TYPES } from '../../../protocols/s7/point.js';
import { DEFAULT_MAX_GAP_BYTES, MAX_ITEMS_PER_REQUEST } from '../../../protocols/s7/request-planner.js';
import { RECONNECT_BACKOFF_FIELDS } from '../connection-fields.js';
import { SCALED_POINT_FIELDS } from '../point-fields.js';

/** The fastest poll we accept. */
export const MIN_S7_POLL = '10ms';

/** A TSAP as Siemens tools show it: '02.00', '0x0200' or '0200' (two bytes, hex). */
const Tsap = Type.String({ pattern: '^(0[xX])?[0-9A-Fa-f]{2}\\.?[0-9A-Fa-f]{2}$' });

export const S7Point = Section({
  name: required(MetricName, { description: 'metric name', example: 'part_count' }),
  address: required(Type.String({ minLength: 2, maxLength: 32 }), {
    description:
      'STEP 7 address: DB1.DBX4.1, DB1.DBB0, DB1.DBW2, DB1.DBD4, DB1.8 (type gives the width), M0.1, MW2, I0.0 (E), Q0.0 (A), T5, C3 (Z)',
    example: 'DB1.DBD0',
  }),
  type: optional(OneOf(S7_TYPES), {
    description: 'S7 type: bool, byte, char, word, int, dword, dint, real, lreal, string, date_and_time',
    defaultText: 'bool for a bit, byte/word/dword for B/W/D addresses, word for T and C',
  }),
  length: optional(Type.Integer({ minimum: 1, maximum: MAX_STRING_LENGTH }), {
    description: 'for type string: n of STRING[n] (the 2-byte header comes before the characters)',
    unit: 'characters',
  }),
  ...SCALED_POINT_FIELDS,
});
export type S7Point = StaticDecode<typeof S7Point>;

export const S7VariableGroup = Section({
  every: required(DurationAtLeast(MIN_S7_POLL), { description: 'poll interval', example: '1s' }),
  points: required(Type.Array(S7Point, { minItems: 1 }), {
    description: 'PLC variables to read, merged into as few requests as the PDU allows',
  }),
});
export type S7VariableGroup = StaticDecode<typeof S7VariableGroup>;

export const S7Connection = Section({
  host: required(Type.String({ minLength: 1 }), {
    description: "the PLC's address",
    example: '192.168.0.10',
  }),
  port: optional(Port, { description: 'ISO-on-TCP (RFC 1006) port', default: 102 }),
  rack: optional(Type.Integer({ minimum: 0, maximum: 7 }), {
    description: "the CPU's rack (S7-300/400: from the hardware config; S7-1200/1500: 0)",
    default: 0,
  }),
  slot: optional(Type.Integer({ minimum: 0, maximum: 31 }), {
    description: "the CPU's slot (S7-1200/1500: 1; S7-300: 2; S7-400: from the hardware config)",
    default: 1,
  }),
  localTsap: optional(Tsap, {
    description:
      "with remoteTsap, instead of rack/slot: the agent's TSAP (LOGO! and S7-200 SMART: as set in the PLC)",
    defaultText: "'01.00'",
  }),
  remoteTsap: optional(Tsap, {
    description: "the PLC's TSAP, instead of rack/slot (LOGO!: '02.00', S7-200 SMART: '03.01')",
  }),
  pduSize: optional(Type.Integer({ minimum: 240, maximum: 960 }), {
    description:
      'largest PDU the agent asks for; the PLC answers with its own (S7-1200, S7-300, LOGO!: 240; S7-1500: 960) and the smaller is used',
    unit: 'bytes',
    default: 960,
  }),
  maxGap: optional(Type.Integer({ minimum: 0, maximum: 256 }), {
    description: 'read across holes of up to this many bytes to save items (0: never)',
    unit: 'bytes',
    default: DEFAULT_MAX_GAP_BYTES,
  }),
  maxItemsPerRequest: optional(Type.Integer({ minimum: 1, maximum: MAX_ITEMS_PER_REQUEST }), {
    description: 'items in one read request (S7-300/400 accept at most 20)',
    default: MAX_ITEMS_PER_REQUEST,
  }),
  timeout: optional(DurationAtLeast('1ms'), {
    description: 'per request, and for connecting; no request waits longer',
    default: '2s',
  }),
  reconnectAfterFailures: optional(Type.Integer({ minimum: 1 }), {
    description: 'polls in a row with a link fault before the connection is re-created',
    unit: 'polls',
    default: 3,
  }),
  ...RECONNECT_BACKOFF_FIELDS,
});
export type S7Connection = StaticDecode<typeof S7Connection>;

/** The device keys this component owns. */
export const s7Spec = {
  s7: optional(S7Connection, {
    description: 'a Siemens S7 PLC (S7-300/400/1200/1500, LOGO!, S7-200 SMART) over ISO-on-TCP',
  }),
  variables: optional(Type.Array(S7VariableGroup), {
    description: 'what to read from the PLC, grouped by interval',
  }),
};
