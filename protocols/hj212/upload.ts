/**
 * Data uploads of HJ 212-2017 and their acknowledgement. A datalogger sends real-time data (CN 2011), minute data
 * (2051), hourly data (2061) and daily data (2031); the CP holds `DataTime=yyyyMMddHHmmss` and, per factor,
 * `<code>-Rtd` (real-time value), `-Avg/-Min/-Max` (over the period), `-Cou` (amount over the period), their
 * O2-corrected twins `-ZsRtd/-ZsAvg/-ZsMin/-ZsMax`, and `-Flag` (data flag). When the Flag's A bit asks for a
 * reply, the platform answers with a data response (CN 9014, ST 91, the packet's QN, CP empty). Pure.
 */
import { type DataSegment, encodeDataSegment, FLAG_2017, FLAG_REPLY } from './data-segment.js';
import { FACTOR_CODE_PATTERN } from './pollutants.js';

export const UPLOAD_COMMANDS = {
  '2011': 'realtime',
  '2051': 'minute',
  '2061': 'hour',
  '2031': 'day',
} as const;
export type UploadCommand = keyof typeof UPLOAD_COMMANDS;
export type UploadPeriod = (typeof UPLOAD_COMMANDS)[UploadCommand];

export const VALUE_FIELDS = ['Rtd', 'Avg', 'Min', 'Max', 'Cou', 'ZsRtd', 'ZsAvg', 'ZsMin', 'ZsMax'] as const;
export type ValueField = (typeof VALUE_FIELDS)[number];
/** fields carried in a packet that are not values: the flag, the equipment flag, when the sample was taken */
const INFO_FIELDS = new Set(['Flag', 'EFlag', 'SampleTime']);

export interface FactorValue {
  code: string;
  field: ValueField;
  value: number;
  /** the factor's -Flag, when the packet carries one */
  flag?: string;
}

export interface Upload {
  period: UploadPeriod;
  /** DataTime, ms since epoch */
  dataTime: number;
  values: FactorValue[];
  /** items that could not be read (each a sentence); the other values still count */
  problems: string[];
}

export function isUploadCommand(cn: string): cn is UploadCommand {
  return Object.hasOwn(UPLOAD_COMMANDS, cn);
}

/**
 * `yyyyMMddHHmmss` (the datalogger's local time) → ms since epoch, with the datalogger's UTC offset in minutes
 * (China: +480). undefined when the text is not a valid time.
 */
export function parseDataTime(text: string, utcOffsetMinutes: number): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const utc = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(utc);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59)
    return undefined;
  return utc - utcOffsetMinutes * 60_000;
}

/** ms since epoch → `yyyyMMddHHmmss` in the given UTC offset. */
export function formatDataTime(ms: number, utcOffsetMinutes: number): string {
  const d = new Date(ms + utcOffsetMinutes * 60_000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The values of a data upload (the segment's CN is one of UPLOAD_COMMANDS). Returns a problem instead when the
 * whole packet is unusable (no or bad DataTime).
 */
export function readUpload(seg: DataSegment, utcOffsetMinutes: number): Upload | { problem: string } {
  if (!isUploadCommand(seg.cn)) return { problem: `CN ${seg.cn} is not a data upload` };
  const items = seg.cp.flat();
  const dt = items.find(([k]) => k === 'DataTime')?.[1];
  if (dt === undefined) return { problem: 'no DataTime in CP' };
  const dataTime = parseDataTime(dt, utcOffsetMinutes);
  if (dataTime === undefined) return { problem: `DataTime ${dt} is not yyyyMMddHHmmss` };
  const problems: string[] = [];
  const flags = new Map<string, string>();
  for (const [k, v] of items) if (k.endsWith('-Flag')) flags.set(k.slice(0, -5), v);
  const values: FactorValue[] = [];
  const seen = new Set<string>();
  for (const [k, v] of items) {
    if (k === 'DataTime') continue;
    const dash = k.lastIndexOf('-');
    const code = dash > 0 ? k.slice(0, dash) : '';
    const field = k.slice(dash + 1);
    if (!FACTOR_CODE_PATTERN.test(code)) {
      problems.push(`${k}: not <factor code>-<field>`);
      continue;
    }
    if (INFO_FIELDS.has(field)) continue;
    if (!(VALUE_FIELDS as readonly string[]).includes(field)) {
      problems.push(`${k}: unknown field ${field}`);
      continue;
    }
    if (seen.has(k)) {
      problems.push(`${k}: appears twice`);
      continue;
    }
    seen.add(k);
    if (!NUMBER.test(v)) {
      problems.push(`${k}=${v}: not a number`);
      continue;
    }
    const flag = flags.get(code);
    values.push({
      code,
      field: field as ValueField,
      value: Number(v),
      ...(flag === undefined ? {} : { flag }),
    });
  }
  return { period: UPLOAD_COMMANDS[seg.cn], dataTime, values, problems };
}

/** Whether the sender asked for a reply (the Flag's A bit). */
export function wantsReply(seg: DataSegment): boolean {
  return seg.flag !== undefined && (seg.flag & FLAG_REPLY) !== 0;
}

/** The data response (CN 9014) to an upload: the upload's QN, ST 91 (system interaction), CP empty. */
export function dataResponse(seg: DataSegment): string {
  return encodeDataSegment({
    ...(seg.qn === undefined ? {} : { qn: seg.qn }),
    st: '91',
    cn: '9014',
    pw: seg.pw,
    mn: seg.mn,
    flag: FLAG_2017,
    cp: [],
  });
}

/** What a datalogger sends: a data upload segment for one period (the simulator and tests write with this). */
export function uploadSegment(opts: {
  qn: string;
  st: string;
  command: UploadCommand;
  pw: string;
  mn: string;
  reply: boolean;
  dataTime: string;
  factors: { code: string; values: Partial<Record<ValueField, number>>; flag?: string }[];
}): string {
  return encodeDataSegment({
    qn: opts.qn,
    st: opts.st,
    cn: opts.command,
    pw: opts.pw,
    mn: opts.mn,
    flag: FLAG_2017 | (opts.reply ? FLAG_REPLY : 0),
    cp: [
      [['DataTime', opts.dataTime]],
      ...opts.factors.map((f) => {
        const items: [string, string][] = Object.entries(f.values).map(([k, v]) => [
          `${f.code}-${k}`,
          String(v),
        ]);
        if (f.flag !== undefined) items.push([`${f.code}-Flag`, f.flag]);
        return items;
      }),
    ],
  });
}
