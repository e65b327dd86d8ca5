/** The flake hunter's report: which tests failed in which runs, with the first failure. */
import { describe, expect, it } from 'vitest';
import { formatMarkdown, summarise, type VitestJsonReport } from '../../../scripts/flakes/flake-report.js';
import { parseArgs } from '../../../scripts/flakes/test-repeat.js';

const report = (failures: { file: string; test: string; msg: string }[], fileErrors: string[] = []) =>
  ({
    testResults: [
      {
        name: '/repo/tests/a.test.ts',
        status: failures.some((f) => f.file === 'a') ? 'failed' : 'passed',
        assertionResults: [
          {
            fullName: 'a works',
            status: failures.some((f) => f.test === 'a works') ? 'failed' : 'passed',
            failureMessages: failures.filter((f) => f.test === 'a works').map((f) => f.msg),
          },
          { fullName: 'a also works', status: 'passed' },
        ],
      },
      ...fileErrors.map((m) => ({
        name: '/repo/tests/b.test.ts',
        status: 'failed',
        message: m,
        assertionResults: [],
      })),
    ],
  }) satisfies VitestJsonReport;

describe('flake report', () => {
  it('lists each test that failed at least once with its runs and first failure, most frequent first', () => {
    const s = summarise(
      [
        { run: 1, report: report([]), exitCode: 0, durationMs: 1 },
        {
          run: 2,
          report: report([
            { file: 'a', test: 'a works', msg: '\u001b[31mAssertionError\u001b[39m: expected 1\nline 2' },
          ]),
          exitCode: 1,
          durationMs: 1,
        },
        { run: 3, report: report([], ['hook timed out']), exitCode: 1, durationMs: 1 },
        {
          run: 4,
          report: report([{ file: 'a', test: 'a works', msg: 'second' }], ['hook timed out']),
          exitCode: 1,
          durationMs: 1,
        },
        { run: 5, report: undefined, exitCode: null, durationMs: 1, tail: 'killed' },
      ],
      '/repo',
    );
    expect(s).toMatchObject({ runs: 5, passedRuns: 1, brokenRuns: [5] });
    expect(s.flaky).toEqual([
      {
        file: 'tests/a.test.ts',
        test: 'a works',
        failedRuns: [2, 4],
        firstFailure: 'AssertionError: expected 1\nline 2',
      },
      { file: 'tests/b.test.ts', test: '(file)', failedRuns: [3, 4], firstFailure: 'hook timed out' },
    ]);
    const md = formatMarkdown(s, { command: 'npm run test:repeat -- 5', conditions: ['busy'] });
    expect(md).toContain('| 2/5 (runs 2, 4) | tests/a.test.ts | a works |');
    expect(md).toContain('Runs that wrote no report: 5');
  });

  it('counts a run that exited non-zero with every test passing as failed', () => {
    const s = summarise([
      { run: 1, report: report([]), exitCode: 1, durationMs: 1, tail: 'unhandled rejection' },
    ]);
    expect(s.passedRuns).toBe(0);
    expect(s.flaky[0]).toMatchObject({ test: 'vitest exited with 1', firstFailure: 'unhandled rejection' });
  });

  it('parses its arguments and refuses bad ones', () => {
    expect(parseArgs(['3', '--faketime', '2026-11-30 15:58:00', '--busy', '2', 'tests/unit'])).toMatchObject({
      runs: 3,
      faketime: '2026-11-30 15:58:00',
      busy: 2,
      filters: ['tests/unit'],
    });
    expect(() => parseArgs(['x'])).toThrow(/how many runs/);
    expect(() => parseArgs(['2', '--faketime', 'tomorrow'])).toThrow(/UTC time/);
    expect(() => parseArgs(['2', '--nope'])).toThrow(/unknown option/);
  });
});
