/**
 * Local-time arithmetic in an explicit IANA zone (shift calendars, tariffs and day windows are local time). Pure:
 * no clock, only Intl. Offsets are cached per 15 minutes of UTC, which is exact for every zone: offset changes
 * happen on whole or half hours.
 */
import { AnalyticsConfigError } from './errors.js';

export interface LocalDate {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
}

export interface LocalParts extends LocalDate {
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export class TimeZone {
  readonly name: string;
  private readonly fmt: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();

  constructor(name: string) {
    try {
      this.fmt = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (cause) {
      throw new AnalyticsConfigError(`unknown time zone ${JSON.stringify(name)}`, { cause });
    }
    this.name = name;
  }

  /** Offset of local time from UTC at `ts`, in ms (Asia/Shanghai: +8 h). */
  offset(ts: number): number {
    const key = Math.floor(ts / (15 * MINUTE));
    const hit = this.offsets.get(key);
    if (hit !== undefined) return hit;
    const p = this.rawParts(key * 15 * MINUTE);
    const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    const off = asUtc - key * 15 * MINUTE;
    if (this.offsets.size > 50_000) this.offsets.clear();
    this.offsets.set(key, off);
    return off;
  }

  parts(ts: number): LocalParts {
    const local = ts + this.offset(ts);
    const d = new Date(local);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      weekday: d.getUTCDay(),
    };
  }

  /** The UTC instant of a local wall-clock time (the earlier one when DST repeats it, the later when it skips). */
  toUtc(date: LocalDate, minutesOfDay: number): number {
    const wall = Date.UTC(date.year, date.month - 1, date.day) + minutesOfDay * MINUTE;
    let ts = wall - this.offset(wall);
    ts = wall - this.offset(ts);
    return ts;
  }

  /** Start of the local day containing `ts`. */
  startOfDay(ts: number): number {
    return this.toUtc(this.parts(ts), 0);
  }

  /** Start of the local hour containing `ts`. */
  startOfHour(ts: number): number {
    const local = ts + this.offset(ts);
    return ts - (((local % HOUR) + HOUR) % HOUR);
  }

  /** Local date of `ts` shifted by `days` calendar days. */
  addDays(date: LocalDate, days: number): LocalDate {
    const d = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * DAY);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
  }

  private rawParts(ts: number): Omit<LocalParts, 'weekday'> {
    const out = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
    for (const part of this.fmt.formatToParts(new Date(ts))) {
      if (part.type in out) out[part.type as keyof typeof out] = Number(part.value);
    }
    return out;
  }
}

/** Weekday (0 = Sunday) of a local date. */
export function weekdayOf(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

export function dateKey(date: LocalDate): string {
  return `${date.year}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

export function parseDate(s: string): LocalDate {
  const [y, m, d] = s.split('-').map(Number);
  return { year: y ?? 1970, month: m ?? 1, day: d ?? 1 };
}

/** Minutes since local midnight of `HH:MM`. */
export function parseClock(s: string): number {
  const [h, m] = s.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
