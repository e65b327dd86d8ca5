/** One row of the benchmark table: a measured figure, the baseline measured in the same run, and the target. */
export interface BenchRow {
  /** stable id, e.g. `modbus.values_per_s` */
  id: string;
  stage: string;
  what: string;
  value: number;
  unit: string;
  /** the same-run baseline: a physical limit, a raw library loop, a peer */
  baseline?: { name: string; value: number; unit: string };
  /** value / baseline (or baseline / value when `lowerIsBetter`) */
  ratio?: number;
  /** the target, as text, and whether this run met it (null: no target) */
  target?: { text: string; met: boolean };
  note?: string;
}

export interface BenchContext {
  smoke: boolean;
  /** progress on stderr, never on stdout */
  progress(msg: string): void;
}

/** A benchmark case: measures one stage, returns its rows. Registered in bench/run.ts. */
export interface BenchCase {
  title: string;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}

export function ratioRow(
  row: Omit<BenchRow, 'ratio' | 'target'> & { baseline: NonNullable<BenchRow['baseline']> },
  target?: { text: string; atLeast?: number; atMost?: number },
): BenchRow {
  const ratio = row.baseline.value === 0 ? 0 : row.value / row.baseline.value;
  const out: BenchRow = { ...row, ratio };
  if (target) {
    const met =
      (target.atLeast === undefined || ratio >= target.atLeast) &&
      (target.atMost === undefined || ratio <= target.atMost);
    out.target = { text: target.text, met };
  }
  return out;
}
