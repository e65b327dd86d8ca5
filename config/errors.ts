import { PlantpulseError } from '../protocols/errors.js';
import { formatKeyPath, type KeyPath } from './key-path.js';

/** One thing wrong with a config file, located so a user can jump to it: `file:line:column path: message`. */
export interface ConfigProblem {
  file: string;
  /** 1-based; 0 when the problem has no position (the file could not be read) */
  line: number;
  /** 1-based; 0 when the problem has no position */
  column: number;
  /** key path such as `devices[0].poll[0].points[2].type`; '' for the whole document */
  path: string;
  message: string;
}

/** A problem found by a semantic check: only its key path is known; the loader adds file, line and column. */
export interface ConfigIssue {
  path: KeyPath;
  message: string;
  /** point at the key itself (unknown or duplicate keys) rather than at its value */
  anchor?: 'key' | 'value';
  /** a well-formed value out of its range (a duration under its minimum): the section still resolves, so its
   * checks still run and report their findings too */
  soft?: boolean;
}

/** `agent.yaml:12:7 devices[0].poll[0].points[2].type: must be one of bool, int16, …` */
export function formatProblem(p: ConfigProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  return p.path === '' ? `${where} ${p.message}` : `${where} ${p.path}: ${p.message}`;
}

/**
 * Every problem of a config file at once (code CONFIG_INVALID). The message lists them one per line, sorted by
 * position, so it can be printed as is. Never retryable: the file has to change.
 */
export class ConfigError extends PlantpulseError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], options: { cause?: unknown } = {}) {
    super('CONFIG_INVALID', problems.map(formatProblem).join('\n'), options);
    this.problems = problems;
  }
}

/** Orders problems by file position, then key path, and drops exact duplicates. */
export function sortProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  const out: ConfigProblem[] = [];
  for (const p of problems) {
    const key = formatProblem(p);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out.sort(
    (a, b) =>
      a.line - b.line ||
      a.column - b.column ||
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}

export { formatKeyPath, type KeyPath };
