/** Line protocol, a seeded PRNG and the fixture's time-of-use bands, for the fixture plant. */

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const esc = (s: string) => s.replace(/[,= ]/g, (c) => `\\${c}`);
export const tagStr = (tags: Record<string, string>) =>
  Object.entries(tags)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${esc(k)}=${esc(v)}`)
    .join(',');
export function line(
  m: string,
  tags: Record<string, string>,
  fields: Record<string, number | string | boolean>,
  t: number,
) {
  const f = Object.entries(fields)
    .map(([k, v]) =>
      typeof v === 'string'
        ? `${k}="${v.replace(/"/g, '\\"')}"`
        : typeof v === 'boolean'
          ? `${k}=${v}`
          : `${k}=${v}`,
    )
    .join(',');
  return `${m},${tagStr(tags)} ${f} ${t}`;
}

/** TOU band of an hour of the day (UTC in the fixture): valley 0–7, peak 8–11 and 17–21, flat otherwise. */
export function tariffOf(t: number): 'peak' | 'flat' | 'valley' {
  const h = new Date(t).getUTCHours();
  if (h < 8) return 'valley';
  if ((h >= 8 && h < 11) || (h >= 17 && h < 21)) return 'peak';
  return 'flat';
}
export const PRICE = { peak: 1.12, flat: 0.68, valley: 0.31 } as const;
