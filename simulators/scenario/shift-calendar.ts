/**
 * When the plant works: the scenario's shifts minus breaks, in its time zone, as UTC intervals. Machines follow it
 * (off outside planned time, warm-up at shift start); the cloud's analytics gets the same calendar for OEE.
 */
import type { Calendar } from '../../config/schemas/analytics.js';

const DAY_MS = 86_400_000;
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export interface Interval {
  start: number;
  end: number;
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** UTC offset (ms) of `zone` at instant `t`: local wall time − UTC. */
const formatters = new Map<string, Intl.DateTimeFormat>();

export function zoneOffset(zone: string, t: number): number {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(t)))
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  const local = Date.UTC(
    p['year'] ?? 1970,
    (p['month'] ?? 1) - 1,
    p['day'] ?? 1,
    p['hour'] ?? 0,
    p['minute'] ?? 0,
    p['second'] ?? 0,
  );
  return local - Math.floor(t / 1000) * 1000;
}

export class ShiftCalendar {
  readonly #cal: Calendar;
  readonly #zone: string;
  readonly #cache = new Map<number, Interval[]>();
  #noBreaks: ShiftCalendar | undefined;
  #window: { from: number; to: number; list: Interval[] } | undefined;

  constructor(calendar: Calendar, zone = 'Asia/Shanghai') {
    this.#cal = calendar;
    this.#zone = zone;
  }

  /** Planned intervals of shifts that start on the local day `day` (days since 1970-01-01, local). */
  #day(day: number): Interval[] {
    const hit = this.#cache.get(day);
    if (hit) return hit;
    const out: Interval[] = [];
    const localMidnight = day * DAY_MS;
    const dateText = new Date(localMidnight).toISOString().slice(0, 10);
    const weekday = WEEKDAYS[new Date(localMidnight).getUTCDay()] ?? 'mon';
    const holiday = this.#cal.nonWorkingDates?.includes(dateText) ?? false;
    // local → UTC with the offset at (about) that local time
    const utc = (localMs: number) =>
      localMs - zoneOffset(this.#zone, localMs - zoneOffset(this.#zone, localMs));
    if (!holiday) {
      for (const s of this.#cal.shifts) {
        if (s.days !== undefined && !s.days.includes(weekday)) continue;
        const start = minutes(s.start);
        let end = minutes(s.end);
        if (end <= start) end += 24 * 60;
        let pieces: [number, number][] = [[start, end]];
        for (const b of s.breaks ?? []) {
          let bs = minutes(b.start);
          let be = minutes(b.end);
          if (bs < start) bs += 24 * 60;
          if (be <= bs) be += 24 * 60;
          pieces = pieces.flatMap(([a, z]): [number, number][] =>
            be <= a || bs >= z
              ? [[a, z]]
              : (
                  [
                    [a, bs],
                    [be, z],
                  ] as [number, number][]
                ).filter(([x, y]) => y > x),
          );
        }
        for (const [a, z] of pieces)
          out.push({ start: utc(localMidnight + a * 60_000), end: utc(localMidnight + z * 60_000) });
      }
    }
    out.sort((x, y) => x.start - y.start);
    this.#cache.set(day, out);
    return out;
  }

  /** Planned intervals overlapping [from, to), merged and clipped. */
  intervals(from: number, to: number): Interval[] {
    const firstDay = Math.floor((from + zoneOffset(this.#zone, from)) / DAY_MS) - 1;
    const lastDay = Math.floor((to + zoneOffset(this.#zone, to)) / DAY_MS);
    const all: Interval[] = [];
    for (let d = firstDay; d <= lastDay; d++) all.push(...this.#day(d));
    all.sort((x, y) => x.start - y.start);
    const merged: Interval[] = [];
    for (const i of all) {
      const last = merged[merged.length - 1];
      if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
      else merged.push({ ...i });
    }
    return merged
      .filter((i) => i.end > from && i.start < to)
      .map((i) => ({ start: Math.max(i.start, from), end: Math.min(i.end, to) }));
  }

  /** Whether t is planned production time, and until when that holds (at most 8 days ahead). */
  at(t: number): { planned: boolean; until: number } {
    let w = this.#window;
    if (w === undefined || t < w.from || t > w.to - 8 * DAY_MS) {
      const from = t - DAY_MS;
      const to = t + 30 * DAY_MS;
      w = { from, to, list: this.intervals(from, to) };
      this.#window = w;
    }
    const list = w.list;
    // first interval ending after t
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid]?.end ?? 0) <= t) lo = mid + 1;
      else hi = mid;
    }
    const next = list[lo];
    if (next === undefined) return { planned: false, until: w.to };
    if (next.start <= t) return { planned: true, until: next.end };
    return { planned: false, until: next.start };
  }

  /** Whether t is inside a shift (breaks included): base loads and boilers follow this. */
  inShift(t: number): boolean {
    this.#noBreaks ??= new ShiftCalendar(
      { ...this.#cal, shifts: this.#cal.shifts.map((s) => ({ ...s, breaks: [] })) },
      this.#zone,
    );
    return this.#noBreaks.at(t).planned;
  }
}
