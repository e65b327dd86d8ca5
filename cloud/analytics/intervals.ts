/** Half-open time intervals [start, end) in ms, kept sorted and disjoint. Pure. */
export interface Interval {
  start: number;
  end: number;
}

export function clip(list: readonly Interval[], from: number, to: number): Interval[] {
  const out: Interval[] = [];
  for (const iv of list) {
    const s = Math.max(iv.start, from);
    const e = Math.min(iv.end, to);
    if (e > s) out.push({ start: s, end: e });
  }
  return out;
}

/** `list` minus every interval of `cut` (both sorted and disjoint). */
export function subtract(list: readonly Interval[], cut: readonly Interval[]): Interval[] {
  let out = list.map((iv) => ({ ...iv }));
  for (const c of cut) {
    const next: Interval[] = [];
    for (const iv of out) {
      if (c.end <= iv.start || c.start >= iv.end) {
        next.push(iv);
        continue;
      }
      if (c.start > iv.start) next.push({ start: iv.start, end: c.start });
      if (c.end < iv.end) next.push({ start: c.end, end: iv.end });
    }
    out = next;
  }
  return out;
}

/** Sorted, merged union. */
export function union(list: readonly Interval[]): Interval[] {
  const sorted = [...list].filter((iv) => iv.end > iv.start).sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const iv of sorted) {
    const last = out[out.length - 1];
    if (last && iv.start <= last.end) last.end = Math.max(last.end, iv.end);
    else out.push({ ...iv });
  }
  return out;
}

export function total(list: readonly Interval[]): number {
  let sum = 0;
  for (const iv of list) sum += iv.end - iv.start;
  return sum;
}

/** Length of the overlap of [start, end) with a sorted disjoint list. */
export function overlap(list: readonly Interval[], start: number, end: number): number {
  let sum = 0;
  for (const iv of list) {
    if (iv.start >= end) break;
    const s = Math.max(iv.start, start);
    const e = Math.min(iv.end, end);
    if (e > s) sum += e - s;
  }
  return sum;
}
