/**
 * CPU and memory of a child process (and its descendants) from /proc, sampled before and after a measured window:
 * utime + stime from /proc/<pid>/stat, VmRSS from /proc/<pid>/status, write_bytes from /proc/<pid>/io.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_S = 100; // USER_HZ on Linux

/** This pid and every descendant, through /proc/<pid>/task/<tid>/children. */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop() as number;
    out.push(p);
    for (const tid of safeList(`/proc/${p}/task`)) {
      const text = safeRead(`/proc/${p}/task/${tid}/children`);
      for (const c of text.split(/\s+/)) if (c) stack.push(Number(c));
    }
  }
  return out;
}

/** CPU seconds (user + system) used so far by one process; 0 when it has gone. */
export function cpuSeconds(pid: number): number {
  const stat = safeRead(`/proc/${pid}/stat`);
  // fields after the command name (which may contain spaces), which ends at the last ')'
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11] ?? 0);
  const stime = Number(rest[12] ?? 0);
  return (utime + stime) / TICKS_PER_S;
}

/** Resident set in MiB; 0 when the process has gone. */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(safeRead(`/proc/${pid}/status`));
  return m ? Number(m[1]) / 1024 : 0;
}

/** Bytes the process caused to be written to storage so far (0 when unreadable). */
export function writeBytes(pid: number): number {
  const m = /write_bytes:\s+(\d+)/.exec(safeRead(`/proc/${pid}/io`));
  return m ? Number(m[1]) : 0;
}

export interface UsageWindow {
  seconds: number;
  /** CPU seconds per second of the window ×100: percent of one core */
  cpuPercent: number;
  /** peak RSS seen while sampling, MiB (summed over the tree when `tree`) */
  peakRssMiB: number;
  /** steady-state RSS: the median of the samples in the window's second half, MiB */
  steadyRssMiB: number;
  /** storage bytes written during the window */
  writtenBytes: number;
}

/**
 * Measures pids over a window: `start()` then `stop()`. RSS is sampled every 250 ms (peak kept). With `tree`, the
 * descendants present at each sample count too (a process tree such as npm → node).
 */
export class UsageMeter {
  private t0 = 0;
  private cpu0 = new Map<number, number>();
  private w0 = 0;
  private peak = 0;
  private samples: number[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pids: readonly number[],
    private readonly tree = false,
  ) {}

  private all(): number[] {
    return this.tree ? this.pids.flatMap((p) => processTree(p)) : [...this.pids];
  }

  private sampleRss(): void {
    const rss = this.all().reduce((a, p) => a + rssMiB(p), 0);
    this.peak = Math.max(this.peak, rss);
    this.samples.push(rss);
  }

  start(): void {
    this.t0 = performance.now();
    this.cpu0 = new Map(this.all().map((p) => [p, cpuSeconds(p)]));
    this.w0 = this.all().reduce((a, p) => a + writeBytes(p), 0);
    this.peak = 0;
    this.samples = [];
    this.sampleRss();
    this.timer = setInterval(() => this.sampleRss(), 250);
    // a case that throws inside its window never calls stop(): the sampler must not keep the run alive
    this.timer.unref();
  }

  stop(): UsageWindow {
    if (this.timer) clearInterval(this.timer);
    this.sampleRss();
    const seconds = (performance.now() - this.t0) / 1000;
    let cpu = 0;
    for (const p of this.all()) cpu += cpuSeconds(p) - (this.cpu0.get(p) ?? 0);
    const written = this.all().reduce((a, p) => a + writeBytes(p), 0) - this.w0;
    return {
      seconds,
      cpuPercent: seconds > 0 ? (cpu / seconds) * 100 : 0,
      peakRssMiB: this.peak,
      steadyRssMiB: median(this.samples.slice(Math.floor(this.samples.length / 2))),
      writtenBytes: Math.max(0, written),
    };
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function safeList(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
