/**
 * The data identifiers (DI) a plant reads from its sub-meters, with their BCD formats and units: DL/T 645-2007
 * Appendix A (4-byte DI, written DI3 DI2 DI1 DI0: `00010000` is forward active energy, total) and DL/T 645-1997
 * (2-byte DI: `9010`). Any other identifier is read with an explicit `format`. Pure: no I/O.
 */
import { type NumberFormat, parseNumberFormat, readNumberFormat } from './bcd-format.js';

export type Dlt645Version = 2007 | 1997;
export const DLT645_VERSIONS = [2007, 1997] as const;

export interface DataIdentifier {
  di: string;
  version: Dlt645Version;
  /** what the meter reports, in words */
  title: string;
  format: string;
  unit: string;
  /** the top bit of the most significant byte is the sign (2007: combined energy, current, power, power factor) */
  signed: boolean;
  /** a BCD time after the value (2007 max demand: `YYMMDDhhmm`) */
  time?: string;
}

const TARIFFS = [
  'total',
  'tariff 1 (sharp 尖)',
  'tariff 2 (peak 峰)',
  'tariff 3 (flat 平)',
  'tariff 4 (valley 谷)',
];
const PHASES: readonly [string, string][] = [
  ['01', 'phase A'],
  ['02', 'phase B'],
  ['03', 'phase C'],
];

function energy2007(group: string, title: string, unit: string, signed: boolean): DataIdentifier[] {
  return TARIFFS.map((t, i) => ({
    di: `00${group}0${i}00`,
    version: 2007 as const,
    title: `${title}, ${t}`,
    format: 'XXXXXX.XX',
    unit,
    signed,
  }));
}

function perPhase2007(
  prefix: string,
  title: string,
  format: string,
  unit: string,
  signed: boolean,
  total: boolean,
): DataIdentifier[] {
  const rows: [string, string][] = total ? [['00', 'total'], ...PHASES] : [...PHASES];
  return rows.map(([p, name]) => ({
    di: `${prefix}${p}00`,
    version: 2007 as const,
    title: `${title}, ${name}`,
    format,
    unit,
    signed,
  }));
}

function energy1997(base: number, title: string, unit: string): DataIdentifier[] {
  return TARIFFS.map((t, i) => ({
    di: (base + i).toString(16).toUpperCase(),
    version: 1997 as const,
    title: `${title}, ${t}`,
    format: 'XXXXXX.XX',
    unit,
    signed: false,
  }));
}

function perPhase1997(
  base: number,
  title: string,
  format: string,
  unit: string,
  total: boolean,
): DataIdentifier[] {
  const offsets = total ? [0, 1, 2, 3] : [1, 2, 3];
  const names = ['total', 'phase A', 'phase B', 'phase C'];
  return offsets.map((o) => ({
    di: (base + o).toString(16).toUpperCase(),
    version: 1997 as const,
    title: `${title}, ${names[o]}`,
    format,
    unit,
    signed: false,
  }));
}

export const DATA_IDENTIFIERS: readonly DataIdentifier[] = [
  ...energy2007('00', 'combined active energy', 'kWh', true),
  ...energy2007('01', 'forward active energy', 'kWh', false),
  ...energy2007('02', 'reverse active energy', 'kWh', false),
  ...energy2007('03', 'combined reactive energy 1', 'kvarh', true),
  ...energy2007('04', 'combined reactive energy 2', 'kvarh', true),
  ...energy2007('05', 'reactive energy, quadrant I', 'kvarh', false),
  ...energy2007('06', 'reactive energy, quadrant II', 'kvarh', false),
  ...energy2007('07', 'reactive energy, quadrant III', 'kvarh', false),
  ...energy2007('08', 'reactive energy, quadrant IV', 'kvarh', false),
  ...perPhase2007('0201', 'voltage', 'XXX.X', 'V', false, false),
  ...perPhase2007('0202', 'current', 'XXX.XXX', 'A', true, false),
  ...perPhase2007('0203', 'active power', 'XX.XXXX', 'kW', true, true),
  ...perPhase2007('0204', 'reactive power', 'XX.XXXX', 'kvar', true, true),
  ...perPhase2007('0205', 'apparent power', 'XX.XXXX', 'kVA', true, true),
  ...perPhase2007('0206', 'power factor', 'X.XXX', '', true, true),
  { di: '02800002', version: 2007, title: 'grid frequency', format: 'XX.XX', unit: 'Hz', signed: false },
  {
    di: '02800004',
    version: 2007,
    title: 'current active demand',
    format: 'XX.XXXX',
    unit: 'kW',
    signed: true,
  },
  {
    di: '01010000',
    version: 2007,
    title: 'forward active maximum demand, total, and when it occurred',
    format: 'XX.XXXX',
    unit: 'kW',
    signed: false,
    time: 'YYMMDDhhmm',
  },
  {
    di: '01020000',
    version: 2007,
    title: 'reverse active maximum demand, total, and when it occurred',
    format: 'XX.XXXX',
    unit: 'kW',
    signed: false,
    time: 'YYMMDDhhmm',
  },
  ...energy1997(0x9010, 'forward active energy', 'kWh'),
  ...energy1997(0x9020, 'reverse active energy', 'kWh'),
  ...energy1997(0x9110, 'forward reactive energy', 'kvarh'),
  ...energy1997(0x9120, 'reverse reactive energy', 'kvarh'),
  ...perPhase1997(0xb610, 'voltage', 'XXXX', 'V', false),
  ...perPhase1997(0xb620, 'current', 'XX.XX', 'A', false),
  ...perPhase1997(0xb630, 'active power', 'XX.XXXX', 'kW', true),
  ...perPhase1997(0xb640, 'reactive power', 'XX.XX', 'kvar', true),
  ...perPhase1997(0xb650, 'power factor', 'X.XXX', '', true),
  {
    di: 'A010',
    version: 1997,
    title: 'forward active maximum demand, total',
    format: 'XX.XXXX',
    unit: 'kW',
    signed: false,
  },
  {
    di: 'B010',
    version: 1997,
    title: 'time of the forward active maximum demand',
    format: 'XXXXXXXX',
    unit: '',
    signed: false,
  },
];

const BY_KEY = new Map(DATA_IDENTIFIERS.map((d) => [`${d.version}:${d.di}`, d]));

export function diLength(version: Dlt645Version): 4 | 2 {
  return version === 2007 ? 4 : 2;
}

/** The table's entry for a DI (`00010000`, case-insensitive), or undefined. */
export function findDataIdentifier(version: Dlt645Version, di: string): DataIdentifier | undefined {
  return BY_KEY.get(`${version}:${di.toUpperCase()}`);
}

/** `00010000` → 00 00 01 00 (DI0 first on the wire). */
export function encodeDi(di: string): Uint8Array {
  const out = new Uint8Array(di.length / 2);
  for (let i = 0; i < out.length; i++)
    out[i] = Number.parseInt(di.slice(di.length - 2 * i - 2, di.length - 2 * i), 16);
  return out;
}

export function decodeDi(bytes: Uint8Array): string {
  let s = '';
  for (let i = bytes.length - 1; i >= 0; i--) s += (bytes[i] ?? 0).toString(16).padStart(2, '0');
  return s.toUpperCase();
}

/** How one point decodes: the table's entry, overridden by the point's own format/signed/unit. */
export interface PointLayout {
  di: string;
  value: NumberFormat;
  signed: boolean;
  unit: string | undefined;
  time: string | undefined;
  /** bytes the meter sends after the DI */
  bytes: number;
}

export interface PointLayoutInput {
  di: string;
  format?: string;
  signed?: boolean;
  unit?: string;
}

/** Problems with a point's DI and format (for the config check), as text; empty when it can be read. */
export function checkPointLayout(
  version: Dlt645Version,
  p: PointLayoutInput,
): { field: 'di' | 'format'; message: string }[] {
  const n = diLength(version) * 2;
  if (!new RegExp(`^[0-9A-Fa-f]{${n}}$`).test(p.di))
    return [
      { field: 'di', message: `a DL/T 645-${version} data identifier is ${n} hex digits, got "${p.di}"` },
    ];
  if (p.format !== undefined) {
    const f = readNumberFormat(p.format);
    return 'problem' in f ? [{ field: 'format', message: f.problem }] : [];
  }
  if (findDataIdentifier(version, p.di) === undefined)
    return [
      {
        field: 'format',
        message: `${p.di.toUpperCase()} is not in the DL/T 645-${version} table this agent knows; give its format (e.g. XXXXXX.XX) and unit from the meter's manual`,
      },
    ];
  return [];
}

/** The layout of a point the check accepted. */
export function pointLayout(version: Dlt645Version, p: PointLayoutInput): PointLayout {
  const entry = findDataIdentifier(version, p.di);
  const value = parseNumberFormat(p.format ?? entry?.format ?? '');
  const time = p.format === undefined ? entry?.time : undefined;
  const timeBytes = time === undefined ? 0 : time.length / 2;
  return {
    di: p.di.toUpperCase(),
    value,
    signed: p.signed ?? (p.format === undefined ? (entry?.signed ?? false) : false),
    unit: p.unit ?? (entry?.unit === '' ? undefined : entry?.unit),
    time,
    bytes: value.bytes + timeBytes,
  };
}
