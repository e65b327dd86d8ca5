/**
 * Folds vitest JSON reports of repeated runs into a flake report: every test that failed at least once, how often,
 * and its first failure. Pure (no I/O), so the summary logic has unit tests of its own.
 */

/** The part of vitest's `--reporter=json` output (jest-compatible) the report reads. */
export interface VitestJsonReport {
  numTotalTests?: number;
  numFailedTests?: number;
  success?: boolean;
  testResults: {
    name: string;
    status: string;
    message?: string;
    assertionResults: {
      fullName: string;
      status: string;
      failureMessages?: string[];
      duration?: number | null;
    }[];
  }[];
}

export interface RunOutcome {
  run: number;
  /** the JSON report, or undefined when vitest wrote none (it crashed, or was killed) */
  report: VitestJsonReport | undefined;
  exitCode: number | null;
  durationMs: number;
  /** the tail of vitest's output, kept for a run without a report */
  tail?: string;
}

export interface FlakyTest {
  file: string;
  /** the test's full name; for a whole file that failed to load or whose hook failed, `(file)` */
  test: string;
  failedRuns: number[];
  firstFailure: string;
}

export interface FlakeSummary {
  runs: number;
  passedRuns: number;
  /** runs that produced no report at all */
  brokenRuns: number[];
  flaky: FlakyTest[];
}

const FILE_LEVEL = '(file)';

/** The first lines of a failure message, without ANSI colours. */
export function shortFailure(message: string, lines = 12): string {
  return (
    message
      // biome-ignore lint/suspicious/noControlCharactersInRegex: strips terminal colour codes
      .replace(/\u001b\[[0-9;]*m/g, '')
      .split('\n')
      .slice(0, lines)
      .join('\n')
      .trim()
  );
}

export function summarise(outcomes: readonly RunOutcome[], root = ''): FlakeSummary {
  const byKey = new Map<string, FlakyTest>();
  const note = (file: string, test: string, run: number, message: string) => {
    const rel = root && file.startsWith(root) ? file.slice(root.length).replace(/^\//, '') : file;
    const key = `${rel}\u0000${test}`;
    const entry = byKey.get(key) ?? { file: rel, test, failedRuns: [], firstFailure: shortFailure(message) };
    if (!entry.failedRuns.includes(run)) entry.failedRuns.push(run);
    byKey.set(key, entry);
  };
  let passedRuns = 0;
  const brokenRuns: number[] = [];
  for (const o of outcomes) {
    if (!o.report) {
      brokenRuns.push(o.run);
      continue;
    }
    let failed = false;
    for (const file of o.report.testResults) {
      const failedTests = file.assertionResults.filter((a) => a.status === 'failed');
      for (const a of failedTests) {
        failed = true;
        note(file.name, a.fullName, o.run, (a.failureMessages ?? []).join('\n') || 'failed (no message)');
      }
      // a file that failed without a failed test: it did not load, or a hook threw
      if (file.status === 'failed' && failedTests.length === 0) {
        failed = true;
        note(file.name, FILE_LEVEL, o.run, file.message || 'the file failed without a failed test');
      }
    }
    if (!failed && o.exitCode !== 0) {
      failed = true;
      note('(run)', `vitest exited with ${o.exitCode}`, o.run, o.tail ?? '');
    }
    if (!failed) passedRuns++;
  }
  const flaky = [...byKey.values()].sort(
    (a, b) => b.failedRuns.length - a.failedRuns.length || a.file.localeCompare(b.file),
  );
  return { runs: outcomes.length, passedRuns, brokenRuns, flaky };
}

/** The report as Markdown: what a person reads after `npm run test:repeat`. */
export function formatMarkdown(s: FlakeSummary, context: { command: string; conditions: string[] }): string {
  const out: string[] = [];
  out.push('# Flake report', '');
  out.push(`Command: \`${context.command}\``);
  if (context.conditions.length > 0) out.push(`Conditions: ${context.conditions.join('; ')}`);
  out.push(`Runs: ${s.runs}, passed: ${s.passedRuns}, without a report: ${s.brokenRuns.length}`, '');
  if (s.brokenRuns.length > 0) out.push(`Runs that wrote no report: ${s.brokenRuns.join(', ')}`, '');
  if (s.flaky.length === 0) {
    out.push(
      s.brokenRuns.length === 0
        ? 'Every test passed in every run.'
        : 'No test failed in the runs that reported.',
    );
    return `${out.join('\n')}\n`;
  }
  out.push('| failed | file | test |', '|---|---|---|');
  for (const f of s.flaky)
    out.push(
      `| ${f.failedRuns.length}/${s.runs} (runs ${f.failedRuns.join(', ')}) | ${f.file} | ${f.test} |`,
    );
  out.push('');
  for (const f of s.flaky) {
    out.push(`## ${f.file} › ${f.test}`, '', '```', f.firstFailure, '```', '');
  }
  return `${out.join('\n')}\n`;
}
