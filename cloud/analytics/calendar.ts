/**
 * The shift calendar: which time is planned production time (ISO 22400 PBT before machine-reported planned stops),
 * and which shift a moment belongs to. Local time in the configured zone; shifts may cross midnight. Pure and
 * cached per local date.
 */
import type { Calendar as CalendarConfig } from '../../config/schemas/analytics.js';
import { clip, type Interval, subtract, union } from './intervals.js';
import {
  dateKey,
  type LocalDate,
  parseClock,
  parseDate,
  type TimeZone,
  WEEKDAYS,
  weekdayOf,
} from './time-zone.js';

export interface ShiftInstance {
  name: string;
  /** UTC ms of the shift's start: the `shift` window start */
  start: number;
  end: number;
  /** local date the shift starts on */
  date: string;
  /** [start, end) minus breaks, before planned stops */
  working: Interval[];
}

interface StopRule extends Interval {
  devices?: readonly string[];
}

const MINUTES_PER_DAY = 24 * 60;

export class ShiftCalendar {
  private readonly byDate = new Map<string, ShiftInstance[]>();
  private readonly stops: StopRule[];
  private readonly nonWorking: ReadonlySet<string>;

  constructor(
    private readonly cfg: CalendarConfig | undefined,
    private readonly tz: TimeZone,
  ) {
    this.nonWorking = new Set(cfg?.nonWorkingDates ?? []);
    this.stops = (cfg?.plannedStops ?? []).map((s) => {
      const [fromDate = '', fromTime = '00:00'] = s.from.split('T');
      const [toDate = '', toTime = '00:00'] = s.to.split('T');
      const rule: StopRule = {
        start: tz.toUtc(parseDate(fromDate), parseClock(fromTime)),
        end: tz.toUtc(parseDate(toDate), parseClock(toTime)),
      };
      if (s.devices) rule.devices = s.devices;
      return rule;
    });
  }

  /** True when a calendar is configured; without one every minute is planned and there are no shift windows. */
  get hasShifts(): boolean {
    return this.cfg !== undefined;
  }

  /** Shift instances overlapping [from, to), sorted by start. */
  shifts(from: number, to: number): ShiftInstance[] {
    if (!this.cfg) return [];
    const out: ShiftInstance[] = [];
    let date: LocalDate = this.tz.addDays(this.tz.parts(from), -1);
    const last = dateKey(this.tz.parts(to));
    for (let guard = 0; guard < 400; guard++) {
      for (const inst of this.instancesOn(date)) {
        if (inst.end > from && inst.start < to) out.push(inst);
      }
      if (dateKey(date) >= last) break;
      date = this.tz.addDays(date, 1);
    }
    return out.sort((a, b) => a.start - b.start);
  }

  /** The shift instance containing `ts`, if any. */
  shiftAt(ts: number): ShiftInstance | undefined {
    return this.shifts(ts, ts + 1).find((s) => s.start <= ts && ts < s.end);
  }

  /** Planned production time for `device` within [from, to): shifts minus breaks minus calendar planned stops. */
  planned(device: string, from: number, to: number): Interval[] {
    if (!this.cfg) return [{ start: from, end: to }];
    const working = union(this.shifts(from, to).flatMap((s) => clip(s.working, from, to)));
    const stops = union(this.stops.filter((s) => !s.devices || s.devices.includes(device)));
    return subtract(working, stops);
  }

  private instancesOn(date: LocalDate): ShiftInstance[] {
    const key = dateKey(date);
    const hit = this.byDate.get(key);
    if (hit) return hit;
    const list: ShiftInstance[] = [];
    if (this.cfg && !this.nonWorking.has(key)) {
      const weekday = WEEKDAYS[weekdayOf(date)] ?? 'sun';
      for (const shift of this.cfg.shifts) {
        if (shift.days && !shift.days.includes(weekday)) continue;
        const startMin = parseClock(shift.start);
        let endMin = parseClock(shift.end);
        if (endMin <= startMin) endMin += MINUTES_PER_DAY;
        const start = this.tz.toUtc(date, startMin);
        const end = this.tz.toUtc(date, endMin);
        const breaks = (shift.breaks ?? []).map((b) => {
          let bs = parseClock(b.start);
          if (bs < startMin) bs += MINUTES_PER_DAY;
          let be = parseClock(b.end);
          if (be <= bs) be += MINUTES_PER_DAY;
          return { start: this.tz.toUtc(date, bs), end: this.tz.toUtc(date, be) };
        });
        list.push({
          name: shift.name,
          start,
          end,
          date: key,
          working: subtract([{ start, end }], union(breaks)),
        });
      }
    }
    if (this.byDate.size > 1000) this.byDate.clear();
    this.byDate.set(key, list);
    return list;
  }
}
