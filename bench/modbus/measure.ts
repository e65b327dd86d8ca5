/** What the benchmark measures per phase: values/s, poll lateness percentiles, CPU and peak RSS. */
export interface PhaseResult {
  name: string;
  values: number;
  seconds: number;
  valuesPerSecond: number;
  latenessP50Ms: number;
  latenessP99Ms: number;
  cpuPercent: number;
  peakRssMiB: number;
  failures: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? 0;
}

/**
 * Tracks one phase: `start()`, then `add()` values and `late()` lateness, then `finish()`. Only values that arrive
 * within the window (`durationMs` from start) count, so both loops are measured over exactly the same span.
 */
export class PhaseMeter {
  values = 0;
  failures = 0;
  private endAt = Number.POSITIVE_INFINITY;
  private readonly lateness: number[] = [];
  private startedAt = 0;
  private cpu0: NodeJS.CpuUsage = process.cpuUsage();
  private peakRss = 0;
  private rssTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly name: string,
    private readonly durationMs: number,
  ) {}

  add(values: number): void {
    if (performance.now() <= this.endAt) this.values += values;
  }

  start(): void {
    this.startedAt = performance.now();
    this.endAt = this.startedAt + this.durationMs;
    this.cpu0 = process.cpuUsage();
    this.peakRss = process.memoryUsage().rss;
    this.rssTimer = setInterval(() => {
      this.peakRss = Math.max(this.peakRss, process.memoryUsage().rss);
    }, 200);
  }

  late(ms: number): void {
    this.lateness.push(Math.max(0, ms));
  }

  finish(): PhaseResult {
    if (this.rssTimer) clearInterval(this.rssTimer);
    const seconds = (Math.min(performance.now(), this.endAt) - this.startedAt) / 1000;
    const cpu = process.cpuUsage(this.cpu0);
    const sorted = [...this.lateness].sort((a, b) => a - b);
    return {
      name: this.name,
      values: this.values,
      seconds,
      valuesPerSecond: this.values / seconds,
      latenessP50Ms: percentile(sorted, 50),
      latenessP99Ms: percentile(sorted, 99),
      cpuPercent: ((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 100,
      peakRssMiB: Math.max(this.peakRss, process.memoryUsage().rss) / 1024 / 1024,
      failures: this.failures,
    };
  }
}
