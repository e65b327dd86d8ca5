/**
 * MELSEC device memory as the MC protocol (3E frame, subcommands for MELSEC-Q/L series) names it: which devices the
 * agent reads, their codes in binary and ASCII frames, whether they are bits or words, and how their numbers are
 * written. Pure: no imports of ours.
 *
 * Device codes: MELSEC Communication Protocol Reference Manual (SH-080008), "Devices" table of chapter 8 (binary code
 * one byte, ASCII code two characters padded with '*').
 *
 * Numbering: D, R, ZR, TN, CN, SD, M, L and SM are decimal; W and B hexadecimal; X and Y hexadecimal on MELSEC-Q/L
 * and iQ-R but octal on iQ-F (FX5) and FX, as the engineering tool shows them. A frame carries a device number as
 * its value in binary (X17 on an FX5U is 15) and as the digits the engineer writes in ASCII ("X*000017").
 */
export type McDeviceKind = 'bit' | 'word';

export interface McDeviceInfo {
  /** as written in addresses: D, ZR, SM … */
  name: string;
  kind: McDeviceKind;
  /** one-byte device code of binary frames */
  binary: number;
  /** two-character device code of ASCII frames */
  ascii: string;
  /** the base of its numbers when the series does not change it (X and Y: see deviceBase) */
  base: 10 | 16;
  /** what it is, for messages and the docs */
  title: string;
}

const table = [
  { name: 'SM', kind: 'bit', binary: 0x91, ascii: 'SM', base: 10, title: 'special relay' },
  { name: 'X', kind: 'bit', binary: 0x9c, ascii: 'X*', base: 16, title: 'input' },
  { name: 'Y', kind: 'bit', binary: 0x9d, ascii: 'Y*', base: 16, title: 'output' },
  { name: 'M', kind: 'bit', binary: 0x90, ascii: 'M*', base: 10, title: 'internal relay' },
  { name: 'L', kind: 'bit', binary: 0x92, ascii: 'L*', base: 10, title: 'latch relay' },
  { name: 'B', kind: 'bit', binary: 0xa0, ascii: 'B*', base: 16, title: 'link relay' },
  { name: 'SD', kind: 'word', binary: 0xa9, ascii: 'SD', base: 10, title: 'special register' },
  { name: 'D', kind: 'word', binary: 0xa8, ascii: 'D*', base: 10, title: 'data register' },
  { name: 'W', kind: 'word', binary: 0xb4, ascii: 'W*', base: 16, title: 'link register' },
  { name: 'TN', kind: 'word', binary: 0xc2, ascii: 'TN', base: 10, title: 'timer current value' },
  { name: 'CN', kind: 'word', binary: 0xc5, ascii: 'CN', base: 10, title: 'counter current value' },
  { name: 'R', kind: 'word', binary: 0xaf, ascii: 'R*', base: 10, title: 'file register' },
  { name: 'ZR', kind: 'word', binary: 0xb0, ascii: 'ZR', base: 10, title: 'file register (serial)' },
] as const satisfies readonly McDeviceInfo[];

export type McDeviceName = (typeof table)[number]['name'];

export const MC_DEVICES: Readonly<Record<McDeviceName, McDeviceInfo>> = Object.fromEntries(
  table.map((d) => [d.name, d]),
) as Record<McDeviceName, McDeviceInfo>;

export const MC_DEVICE_NAMES = table.map((d) => d.name) as readonly McDeviceName[];

/** PLC families: they differ in how X and Y are numbered. */
export const MC_SERIES = ['iQ-R', 'Q', 'L', 'iQ-F'] as const;
export type McSeries = (typeof MC_SERIES)[number];

/** The largest device number a 3E frame can carry (three bytes in binary, six digits in ASCII). */
export const MAX_DEVICE_NUMBER = 0xffffff;

/** How the numbers of a device are written on this series. */
export function deviceBase(device: McDeviceName, series: McSeries): 8 | 10 | 16 {
  if ((device === 'X' || device === 'Y') && series === 'iQ-F') return 8;
  return MC_DEVICES[device].base;
}

export function isMcDeviceName(s: string): s is McDeviceName {
  return Object.hasOwn(MC_DEVICES, s);
}

export function deviceByBinaryCode(code: number): McDeviceInfo | undefined {
  return table.find((d) => d.binary === code);
}

export function deviceByAsciiCode(code: string): McDeviceInfo | undefined {
  return table.find((d) => d.ascii === code);
}

/** A device and its number (the value, whatever base the engineer writes it in). */
export interface McAddress {
  device: McDeviceName;
  number: number;
}

const DIGITS: Record<8 | 10 | 16, RegExp> = { 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9A-F]+$/ };
const BASE_NAME = { 8: 'octal', 10: 'decimal', 16: 'hexadecimal' } as const;

/**
 * Reads an address as the engineering tool writes it ("D100", "X1F", "ZR20000"; case-insensitive) for a series.
 * Returns the address or why it is not one.
 */
export function parseMcAddress(text: string, series: McSeries): McAddress | { problem: string } {
  const m = /^([A-Za-z]{1,2}?)([0-9A-Fa-f]+)$/.exec(text.trim());
  // two-letter names first: "SD1" is SD 1, not S D1; "B1" is B 1
  const upper = text.trim().toUpperCase();
  const name = MC_DEVICE_NAMES.filter((n) => n.length === 2)
    .concat(MC_DEVICE_NAMES.filter((n) => n.length === 1))
    .find((n) => upper.startsWith(n) && upper.length > n.length);
  if (m === null || name === undefined)
    return {
      problem: `"${text}" is not a device address; write a device and its number, e.g. D100, M20, X1F (devices: ${MC_DEVICE_NAMES.join(', ')})`,
    };
  const digits = upper.slice(name.length);
  const base = deviceBase(name, series);
  if (!DIGITS[base].test(digits)) {
    const hint =
      (name === 'X' || name === 'Y') && base === 8
        ? ` (X and Y are octal on ${series}: X7 is followed by X10)`
        : (name === 'X' || name === 'Y') && base === 16
          ? ` (X and Y are hexadecimal on ${series})`
          : '';
    return { problem: `"${text}": ${name} numbers are ${BASE_NAME[base]}${hint}` };
  }
  const number = Number.parseInt(digits, base);
  if (number > MAX_DEVICE_NUMBER || digits.replace(/^0+(?=.)/, '').length > 6)
    return { problem: `"${text}": device number too large for a 3E frame (six digits at most)` };
  return { device: name, number };
}

/** The address as the engineering tool writes it on this series ("X17" on iQ-F, "X0F" never: "XF"). */
export function formatMcAddress(a: McAddress, series: McSeries): string {
  return `${a.device}${a.number.toString(deviceBase(a.device, series)).toUpperCase()}`;
}
