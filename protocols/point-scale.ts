/**
 * Scale and offset of a polled point (`value = raw × scale + offset`), one rule for every polling protocol (Modbus,
 * S7, …): integers stay integers unless scaled; bools and strings are never scaled. Pure: no imports of ours.
 */
export interface ScaledPoint {
  scale?: number;
  offset?: number;
}

export type RawValue = number | boolean | string | bigint;

/** True when the point's raw value is transformed by scale/offset (so it is reported as a float). */
export function isScaled(p: ScaledPoint): boolean {
  return (p.scale !== undefined && p.scale !== 1) || (p.offset !== undefined && p.offset !== 0);
}

/** Applies scale and offset. Integers (bigint too) become floats only when scaled. */
export function applyScale(p: ScaledPoint, raw: RawValue): RawValue {
  if (!isScaled(p) || typeof raw === 'boolean' || typeof raw === 'string') return raw;
  const n = typeof raw === 'bigint' ? Number(raw) : raw;
  return n * (p.scale ?? 1) + (p.offset ?? 0);
}
