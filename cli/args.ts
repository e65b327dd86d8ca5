import { parseArgs } from 'node:util';

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Strict argument parsing; unknown flags are usage errors (exit 2), reported as a message, not a stack trace. */
export function parse(
  argv: string[],
  options: Record<string, { type: 'string' | 'boolean'; short?: string }>,
): ParsedArgs | { error: string } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** `--format`: `table` (the default) or `json`, or the usage error to print. */
export function outputFormat(value: unknown): 'table' | 'json' | { error: string } {
  const format = value ?? 'table';
  if (format === 'table' || format === 'json') return format;
  return { error: `--format must be table or json, not "${String(format)}"` };
}
