/** The messages between the supervisor and a fuzzing child process (over the IPC channel of `fork`). */
import type { CrashReport } from './report.js';

export interface ChildConfig {
  target: string;
  seed: number;
  /** first case index to run, and one past the last */
  from: number;
  to: number;
  workDir: string;
  influxUrl?: string;
  /** stop after this many distinct crashes */
  maxCrashes: number;
  /** a JSON file of saved inputs to replay (each once) instead of generating cases; `from` is the reported case */
  replayFile?: string;
}

export interface MemorySample {
  atCase: number;
  /** heapUsed + arrayBuffers after a full GC */
  bytes: number;
}

export type ChildMessage =
  | { t: 'ready' }
  /** case `i` starts (the supervisor arms the hang timer) */
  | { t: 'case'; i: number }
  /** a longer step starts (liveness check, minimisation): the hang timer gets `ms` */
  | { t: 'busy'; what: string; ms: number }
  | { t: 'crash'; report: CrashReport }
  /** a better (smaller) input for the crash with this signature */
  | { t: 'minimised'; report: CrashReport }
  | { t: 'memory'; sample: MemorySample }
  | { t: 'done'; cases: number; duplicates: number; coverage: Record<string, number> }
  | { t: 'fatal'; message: string };
