/**
 * The MC component's device keys — `mc:` (the PLC and its port) and `mcPoll:` (what to read) — declared once:
 * validator, resolved types, docs/configuration.md and sample.yaml all come from here. (`poll:` is Modbus's key,
 * with registers; the device schema merges every component's keys, so MC devices get their own.)
 */
import { type StaticDecode, Type } from '@sinclair/typebox';
import { DurationAtLeast, MetricName, OneOf } from '../../../config/schemas/common.js';
import { optional, required, Section } from '../../../config/spec.js';
import { MAX_BATCH_BITS, MAX_BATCH_WORDS } from '../../../protocols/mc/commands.js';
import { MC_SERIES } from '../../../protocols/mc/devices.js';
import { MC_VALUE_TYPES } from '../../../protocols/mc/point.js';
import { RECONNECT_BACKOFF_FIELDS } from '../connection-fields.js';
import { SCALED_POINT_FIELDS } from '../point-fields.js';

/** The fastest poll we accept. */
export const MIN_MC_POLL = '10ms';

export const McPoint = Section({
  name: required(MetricName, { description: 'metric name', example: 'part_count' }),
  device: required(Type.String({ minLength: 2, maxLength: 12 }), {
    description:
      'device and number as GX Works writes it: D100, W1F, R0, ZR2000, TN0, CN3, SD210 (words); M20, X17, Y20, B0, L5, SM400 (bits)',
    example: 'D100',
  }),
  type: optional(OneOf(MC_VALUE_TYPES), {
    description: 'how the word(s) decode; 32/64-bit values take consecutive words, low word first',
    defaultText: 'bool for bit devices, int16 for word devices',
  }),
  length: optional(Type.Integer({ minimum: 1, maximum: 480 }), {
    description: 'string length',
    unit: 'words',
  }),
  ...SCALED_POINT_FIELDS,
});
export type McPoint = StaticDecode<typeof McPoint>;

export const McPollGroup = Section({
  every: required(DurationAtLeast(MIN_MC_POLL), { description: 'poll interval', example: '1s' }),
  points: required(Type.Array(McPoint, { minItems: 1 }), { description: 'devices to read' }),
});
export type McPollGroup = StaticDecode<typeof McPollGroup>;

const Byte = Type.Integer({ minimum: 0, maximum: 255 });

export const McConnection = Section({
  url: required(Type.String({ pattern: '^(tcp|udp)://' }), {
    description:
      "tcp://host:port or udp://host:port of an MC protocol port opened in the PLC's Ethernet settings (no standard port number)",
    example: 'tcp://192.168.3.39:5002',
  }),
  series: required(OneOf(MC_SERIES), {
    description: 'the CPU family: iQ-F (FX5U/FX5UC) numbers X and Y in octal, Q, L and iQ-R in hexadecimal',
    example: 'iQ-F',
  }),
  format: optional(OneOf(['binary', 'ascii'] as const), {
    description: 'the port\'s "Communication Data Code": binary or ascii',
    default: 'binary',
  }),
  timeout: optional(DurationAtLeast('1ms'), {
    description:
      'per request; also sent as the monitoring timer (in 250 ms steps). A 3E frame has no serial number, so after a timeout the connection is closed',
    default: '1s',
  }),
  network: optional(Byte, {
    description: 'network No. of the access route (0: the local network)',
    default: 0,
  }),
  pc: optional(Byte, {
    description: 'PC No. of the access route (255: the connected station)',
    default: 255,
  }),
  moduleIo: optional(Type.Integer({ minimum: 0, maximum: 0xffff }), {
    description: 'request destination module I/O No. (1023 = 03FF: the own CPU)',
    default: 1023,
  }),
  station: optional(Byte, { description: 'request destination module station No.', default: 0 }),
  maxWordsPerRequest: optional(Type.Integer({ minimum: 1, maximum: MAX_BATCH_WORDS }), {
    description: 'largest word batch read',
    unit: 'words',
    default: MAX_BATCH_WORDS,
  }),
  maxBitsPerRequest: optional(Type.Integer({ minimum: 1, maximum: MAX_BATCH_BITS }), {
    description: 'largest bit batch read',
    unit: 'points',
    default: MAX_BATCH_BITS,
  }),
  maxGap: optional(Type.Integer({ minimum: 0, maximum: 256 }), {
    description: 'read across holes of up to this many words (×16 points for bit devices) to save requests',
    unit: 'words',
    default: 16,
  }),
  randomRead: optional(Type.Boolean(), {
    description:
      'gather scattered one- and two-word points into random reads (0403); false: one batch read each',
    default: true,
  }),
  reconnectAfterFailures: optional(Type.Integer({ minimum: 1 }), {
    description: 'polls in a row with a link fault before the connection is re-created',
    unit: 'polls',
    default: 1,
  }),
  ...RECONNECT_BACKOFF_FIELDS,
});
export type McConnection = StaticDecode<typeof McConnection>;

/** The device keys this component owns. */
export const mcSpec = {
  mc: optional(McConnection, {
    description: 'a Mitsubishi MELSEC PLC over the MC protocol (3E frame, binary or ASCII, TCP or UDP)',
  }),
  mcPoll: optional(Type.Array(McPollGroup), {
    description: 'what to read from the PLC, grouped by interval',
  }),
};
