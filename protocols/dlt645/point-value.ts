/** A point's value from the bytes a meter sent after the data identifier (and back, for the simulator). Pure. */
import { Dlt645DataError, decodeBcd, decodeBcdTime, encodeBcd, encodeBcdTime } from './bcd-format.js';
import type { PointLayout } from './data-identifiers.js';

export interface PointValue {
  value: number;
  /** the meter-local time that comes with it (max demand), e.g. `2026-12-05 14:30` */
  time?: string;
}

/** Decodes, or throws Dlt645DataError (DLT645_BAD_LENGTH, DLT645_BAD_BCD) with a message a user can act on. */
export function decodePointValue(layout: PointLayout, bytes: Uint8Array): PointValue {
  if (bytes.length !== layout.bytes)
    throw new Dlt645DataError(
      'DLT645_BAD_LENGTH',
      `${layout.di}: expected ${layout.bytes} data bytes (${layout.value.text}${layout.time ? ` ${layout.time}` : ''}), the meter sent ${bytes.length}; check format`,
    );
  const value = decodeBcd(bytes.subarray(0, layout.value.bytes), layout.value, layout.signed);
  if (layout.time === undefined) return { value };
  return { value, time: decodeBcdTime(bytes.subarray(layout.value.bytes), layout.time) };
}

export function encodePointValue(layout: PointLayout, v: PointValue | number): Uint8Array {
  const pv = typeof v === 'number' ? { value: v } : v;
  const value = encodeBcd(pv.value, layout.value, layout.signed);
  if (layout.time === undefined) return value;
  const time = encodeBcdTime(new Date(pv.time ?? Date.now()), layout.time);
  return Uint8Array.from([...value, ...time]);
}
