/**
 * Window boundaries for every period: 1m and 15m (aligned in local time), 1h (local hour), shift (from the
 * calendar) and day (local calendar day). A window's start is its identity in InfluxDB, so recomputing a window
 * overwrites it. Pure.
 */
import type { ShiftCalendar } from './calendar.js';
import type { TimeZone } from './time-zone.js';

export type Period = '1m' | '15m' | '1h' | 'shift' | 'day';

export interface Window {
  period: Period;
  start: number;
  end: number;
  /** for shift windows: the shift's name */
  shift?: string;
}

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
const QUARTER = 15 * MINUTE;

export class WindowClock {
  constructor(
    private readonly tz: TimeZone,
    private readonly calendar: ShiftCalendar,
  ) {}

  /** Windows of `period` overlapping [from, to), in order. */
  overlapping(period: Period, from: number, to: number): Window[] {
    const out: Window[] = [];
    if (to <= from) return out;
    if (period === 'shift') {
      for (const s of this.calendar.shifts(from, to)) {
        out.push({ period, start: s.start, end: s.end, shift: s.name });
      }
      return out;
    }
    let start = this.startOf(period, from);
    for (let guard = 0; start < to && guard < 100_000; guard++) {
      const end = this.next(period, start);
      out.push({ period, start, end });
      start = end;
    }
    return out;
  }

  /** Shift name at `ts` (for tagging 1m/15m/1h windows), if `ts` is in a shift. */
  shiftAt(ts: number): string | undefined {
    return this.calendar.shiftAt(ts)?.name;
  }

  private startOf(period: Exclude<Period, 'shift'>, ts: number): number {
    switch (period) {
      case '1m':
        return ts - ((((ts + this.tz.offset(ts)) % MINUTE) + MINUTE) % MINUTE);
      case '15m':
        return ts - ((((ts + this.tz.offset(ts)) % QUARTER) + QUARTER) % QUARTER);
      case '1h':
        return this.tz.startOfHour(ts);
      case 'day':
        return this.tz.startOfDay(ts);
    }
  }

  private next(period: Exclude<Period, 'shift'>, start: number): number {
    switch (period) {
      case '1m':
        return start + MINUTE;
      case '15m':
        return start + QUARTER;
      case '1h':
        return this.tz.startOfHour(start + 3_600_000 + 1);
      case 'day':
        return this.tz.toUtc(this.tz.addDays(this.tz.parts(start), 1), 0);
    }
  }
}
