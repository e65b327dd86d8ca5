/** Time-of-use prices from a configured tariff (local time, quarter-hour boundaries). Pure. */
import type { Tariff as TariffConfig } from '../../config/schemas/analytics.js';
import { parseClock, type TimeZone, WEEKDAYS } from './time-zone.js';

export class TariffClock {
  readonly currency: string;
  constructor(
    private readonly cfg: TariffConfig,
    private readonly tz: TimeZone,
  ) {
    this.currency = cfg.currency;
  }

  /** Price per unit at `ts`. A period whose end is not after its start crosses midnight. */
  priceAt(ts: number): number {
    return this.periodAt(ts)?.price ?? this.cfg.defaultPrice;
  }

  /** Name of the tariff period at `ts`; `default` outside every period. */
  periodNameAt(ts: number): string {
    return this.periodAt(ts)?.name ?? 'default';
  }

  private periodAt(ts: number): { name: string; price: number } | undefined {
    const p = this.tz.parts(ts);
    const minute = p.hour * 60 + p.minute;
    const weekday = WEEKDAYS[p.weekday] ?? 'sun';
    for (const period of this.cfg.periods) {
      const s = parseClock(period.start);
      const e = parseClock(period.end);
      const inside = e > s ? minute >= s && minute < e : minute >= s || minute < e;
      if (!inside) continue;
      // For a period crossing midnight, the part after midnight belongs to the previous day's period.
      const day = e <= s && minute < e ? (WEEKDAYS[(p.weekday + 6) % 7] ?? 'sun') : weekday;
      if (period.days && !period.days.includes(day)) continue;
      return period;
    }
    return undefined;
  }
}
