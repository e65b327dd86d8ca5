/**
 * The HJ 212 data segment: `QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…;[PNUM=…;PNO=…;]CP=&&…&&`. The command parameters
 * (CP) are groups separated by `;`, items inside a group by `,`, each `key=value`. The standard defines no escape:
 * `;`, `,`, `=` and `&` are delimiters only, so `encodeDataSegment` refuses a key or value that holds one, and
 * `parseDataSegment` refuses a segment it cannot split unambiguously. Pure.
 */
import { PlantpulseError } from '../errors.js';

export class Hj212SegmentError extends PlantpulseError {
  constructor(code: 'HJ212_MALFORMED' | 'HJ212_ENCODE', message: string) {
    super(code, message);
  }
}

export interface DataSegment {
  /** request number: yyyyMMddHHmmssSSS, the reply repeats it */
  qn?: string;
  /** system code: 22 air quality, 31 flue gas (废气), 32 wastewater (污水), 91 system interaction, … */
  st: string;
  /** command number: 2011 real-time data, 2051 minute, 2061 hourly, 2031 daily, 9014 data response, … */
  cn: string;
  /** access password */
  pw: string;
  /** the monitoring point's unique code */
  mn: string;
  /** bits: V5…V0 protocol version (1 = HJ 212-2017), D packet split, A reply wanted */
  flag?: number;
  /** total packets and this packet's number, when Flag's D bit splits data */
  pnum?: number;
  pno?: number;
  /** CP groups, each a list of key/value items, in packet order */
  cp: [string, string][][];
}

/** The Flag's A bit: the sender wants a reply. */
export const FLAG_REPLY = 0b01;
/** The Flag's D bit: the data is split over several packets (PNUM, PNO). */
export const FLAG_SPLIT = 0b10;
/** The Flag of an HJ 212-2017 packet without reply or split (version 1 in bits 2…7). */
export const FLAG_2017 = 0b100;

const HEADER_KEYS = new Set(['QN', 'ST', 'CN', 'PW', 'MN', 'Flag', 'PNUM', 'PNO']);
const CP_START = 'CP=&&';

function malformed(message: string): Hj212SegmentError {
  return new Hj212SegmentError('HJ212_MALFORMED', message);
}

/** Reads a data segment; throws HJ212_MALFORMED with what is wrong. */
export function parseDataSegment(text: string): DataSegment {
  const at = text.indexOf(CP_START);
  if (at === -1) throw malformed('no CP=&& in the data segment');
  if (!text.endsWith('&&') || text.length < at + CP_START.length + 2)
    throw malformed('the CP field does not end with &&');
  const head = text.slice(0, at);
  const cpText = text.slice(at + CP_START.length, text.length - 2);
  const fields = new Map<string, string>();
  for (const part of head.split(';')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw malformed(`header field ${JSON.stringify(part)} is not key=value`);
    const key = part.slice(0, eq);
    if (!HEADER_KEYS.has(key)) throw malformed(`unknown header field ${key}`);
    if (fields.has(key)) throw malformed(`header field ${key} appears twice`);
    fields.set(key, part.slice(eq + 1));
  }
  const need = (k: string): string => {
    const v = fields.get(k);
    if (v === undefined || v === '') throw malformed(`no ${k} in the header`);
    return v;
  };
  const int = (k: string): number | undefined => {
    const v = fields.get(k);
    if (v === undefined) return undefined;
    if (!/^[0-9]{1,4}$/.test(v)) throw malformed(`${k}=${v} is not a number`);
    return Number(v);
  };
  const cp: [string, string][][] = [];
  if (cpText !== '') {
    for (const group of cpText.split(';')) {
      if (group === '') continue;
      const items: [string, string][] = [];
      for (const item of group.split(',')) {
        const eq = item.indexOf('=');
        if (eq <= 0) throw malformed(`CP item ${JSON.stringify(item)} is not key=value`);
        const value = item.slice(eq + 1);
        if (value.includes('=') || value.includes('&'))
          throw malformed(`CP item ${JSON.stringify(item)} has a delimiter in its value`);
        items.push([item.slice(0, eq), value]);
      }
      cp.push(items);
    }
  }
  const qn = fields.get('QN');
  const flag = int('Flag');
  const pnum = int('PNUM');
  const pno = int('PNO');
  return {
    ...(qn === undefined ? {} : { qn }),
    st: need('ST'),
    cn: need('CN'),
    pw: fields.get('PW') ?? '',
    mn: need('MN'),
    ...(flag === undefined ? {} : { flag }),
    ...(pnum === undefined ? {} : { pnum }),
    ...(pno === undefined ? {} : { pno }),
    cp,
  };
}

const DELIMITERS = /[;,=&\r\n]/;

function checkText(what: string, text: string): void {
  if (DELIMITERS.test(text))
    throw new Hj212SegmentError(
      'HJ212_ENCODE',
      `${what} ${JSON.stringify(text)} holds a delimiter (; , = & CR LF)`,
    );
}

/** Writes a data segment; throws HJ212_ENCODE when a field holds a delimiter (the standard has no escape). */
export function encodeDataSegment(s: DataSegment): string {
  const head: [string, string | number | undefined][] = [
    ['QN', s.qn],
    ['ST', s.st],
    ['CN', s.cn],
    ['PW', s.pw],
    ['MN', s.mn],
    ['Flag', s.flag],
    ['PNUM', s.pnum],
    ['PNO', s.pno],
  ];
  const parts: string[] = [];
  for (const [k, v] of head) {
    if (v === undefined) continue;
    checkText(k, String(v));
    parts.push(`${k}=${v}`);
  }
  const groups = s.cp
    .filter((g) => g.length > 0)
    .map((g) =>
      g
        .map(([k, v]) => {
          checkText('CP key', k);
          if (k === '') throw new Hj212SegmentError('HJ212_ENCODE', 'a CP key is empty');
          checkText(`CP value of ${k}`, v);
          return `${k}=${v}`;
        })
        .join(','),
    );
  return `${parts.join(';')};CP=&&${groups.join(';')}&&`;
}
