/**
 * The device-read commands of the MC protocol the agent uses (subcommands for MELSEC-Q/L series, which iQ-R and
 * iQ-F CPUs accept too; SH-080008 chapter 8):
 *  - 0401 batch read, in word units (subcommand 0000) or bit units (0001);
 *  - 0403 random read: scattered words and double words in one request.
 * Each has the request body the client writes, the parser the server (simulator) uses, and the response codec.
 * Pure: no I/O.
 */
import type { McAddress, McSeries } from './devices.js';
import { FieldReader, FieldWriter, type McFormat, McFrameError } from './frame.js';

export const COMMANDS = { batchRead: 0x0401, randomRead: 0x0403 } as const;
export const SUBCOMMANDS = { word: 0x0000, bit: 0x0001 } as const;

/** Most words one batch read returns (SH-080008, 0401: 960 words), and bits (Q/L subcommand, ASCII: 3584). */
export const MAX_BATCH_WORDS = 960;
export const MAX_BATCH_BITS = 3584;
/** Most word + double-word points one random read (Q/L subcommand) names. */
export const MAX_RANDOM_POINTS = 192;

export interface BatchRead {
  kind: 'batch';
  unit: 'word' | 'bit';
  head: McAddress;
  count: number;
}

export interface RandomRead {
  kind: 'random';
  words: McAddress[];
  dwords: McAddress[];
}

export type McReadCommand = BatchRead | RandomRead;

/** command, subcommand and body of a read */
export function encodeReadCommand(
  cmd: McReadCommand,
  format: McFormat,
  series: McSeries,
): { command: number; subcommand: number; body: Uint8Array } {
  const w = new FieldWriter(format, series);
  if (cmd.kind === 'batch') {
    w.device(cmd.head).num(cmd.count, 2);
    return { command: COMMANDS.batchRead, subcommand: SUBCOMMANDS[cmd.unit], body: w.bytes() };
  }
  w.num(cmd.words.length, 1).num(cmd.dwords.length, 1);
  for (const a of cmd.words) w.device(a);
  for (const a of cmd.dwords) w.device(a);
  return { command: COMMANDS.randomRead, subcommand: SUBCOMMANDS.word, body: w.bytes() };
}

/**
 * A request body → the read it asks for (the simulator's side). Returns undefined for a command or subcommand this
 * codec does not serve (the server answers C059); throws McFrameError on a body that does not parse.
 */
export function decodeReadCommand(
  command: number,
  subcommand: number,
  body: Uint8Array,
  format: McFormat,
  series: McSeries,
): McReadCommand | undefined {
  const r = new FieldReader(body, format, series);
  let out: McReadCommand | undefined;
  if (command === COMMANDS.batchRead && (subcommand === SUBCOMMANDS.word || subcommand === SUBCOMMANDS.bit)) {
    const head = r.device('head device');
    const count = r.num(2, 'number of device points');
    out = { kind: 'batch', unit: subcommand === SUBCOMMANDS.bit ? 'bit' : 'word', head, count };
  } else if (command === COMMANDS.randomRead && subcommand === SUBCOMMANDS.word) {
    const nw = r.num(1, 'word access points');
    const nd = r.num(1, 'double word access points');
    const words = Array.from({ length: nw }, () => r.device('word access device'));
    const dwords = Array.from({ length: nd }, () => r.device('double word access device'));
    out = { kind: 'random', words, dwords };
  } else return undefined;
  if (r.remaining !== 0) throw new McFrameError(`${r.remaining} byte(s) after the request data`);
  return out;
}

/**
 * The response data of a read, from the values the server holds: `words` for a word batch read (16-bit each),
 * `bits` for a bit batch read, or for a random read the words then the double words (32-bit each).
 */
export function encodeReadData(
  cmd: McReadCommand,
  values: { words?: readonly number[]; bits?: readonly boolean[]; dwords?: readonly number[] },
  format: McFormat,
  series: McSeries,
): Uint8Array {
  const w = new FieldWriter(format, series);
  if (cmd.kind === 'batch' && cmd.unit === 'bit') return w.bits(values.bits ?? []).bytes();
  for (const v of values.words ?? []) w.num(v & 0xffff, 2);
  for (const v of values.dwords ?? []) w.num(v >>> 0, 4);
  return w.bytes();
}

/**
 * The response data of a read → 16-bit words (a double word of a random read becomes its low word then its high
 * word, as the PLC stores it) or bits. Throws McFrameError when the data is not as long as the request asks.
 */
export function decodeReadData(
  cmd: McReadCommand,
  data: Uint8Array,
  format: McFormat,
  series: McSeries,
): { kind: 'words'; words: number[] } | { kind: 'bits'; bits: boolean[] } {
  const r = new FieldReader(data, format, series);
  const expectEnd = () => {
    if (r.remaining !== 0)
      throw new McFrameError(`the response holds ${r.remaining} byte(s) more than asked`);
  };
  if (cmd.kind === 'batch' && cmd.unit === 'bit') {
    const bits = r.bits(cmd.count, 'read data');
    // binary pads an odd count with a nibble
    expectEnd();
    return { kind: 'bits', bits };
  }
  const words: number[] = [];
  const n = cmd.kind === 'batch' ? cmd.count : cmd.words.length;
  for (let i = 0; i < n; i++) words.push(r.num(2, 'read data'));
  if (cmd.kind === 'random') {
    for (let i = 0; i < cmd.dwords.length; i++) {
      const d = r.num(4, 'read data (double word)');
      words.push(d & 0xffff, Math.floor(d / 0x10000) & 0xffff);
    }
  }
  expectEnd();
  return { kind: 'words', words };
}
