import { readFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { AgentConfig } from '../../agent/config/agent-spec.js';
import { loadAgentConfig } from '../../agent/config/load-agent-config.js';
import { ConfigError } from '../../config/errors.js';
import { encodeConfig, loadCloudConfig } from '../../config/load.js';
import { redactConfig } from '../../config/redact.js';
import { CloudConfig } from '../../config/schemas/cloud.js';
import { parseYamlSource } from '../../config/yaml-source.js';
import { parse } from '../args.js';
import type { Command, CommandIo } from './command.js';

export type ConfigKind = 'agent' | 'cloud';

const USAGE = `Usage: plantpulse check -c FILE [--kind agent|cloud]

Validates a config file and prints it resolved (references substituted) with every secret shown as [redacted].
The kind is detected from the file (an agent config has devices, a cloud config has influx) unless --kind is given.

Exit codes: 0 valid, 2 invalid config or usage error, 1 unexpected failure.`;

/** `plantpulse check`: validate a config, print it resolved and redacted (exit 0) or every problem (exit 2). */
export async function runCheck(argv: string[], io: CommandIo): Promise<number> {
  const args = parse(argv, {
    config: { type: 'string', short: 'c' },
    kind: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if ('error' in args) return usageError(io, args.error);
  if (args.values['help']) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const file = args.values['config'];
  if (typeof file !== 'string' || file === '') return usageError(io, 'missing -c FILE');
  if (args.positionals.length > 0) return usageError(io, `unexpected argument "${args.positionals[0]}"`);
  const kindArg = args.values['kind'];
  if (kindArg !== undefined && kindArg !== 'agent' && kindArg !== 'cloud') {
    return usageError(io, `--kind must be agent or cloud, not "${String(kindArg)}"`);
  }

  try {
    const kind = kindArg ?? (await detectKind(file));
    if (typeof kind === 'object') {
      io.stderr.write(`${file}: ${kind.error}\n`);
      return 2;
    }
    // printed in file form (durations as 1s, sizes as 256MiB) with every default filled in
    const loaded =
      kind === 'agent'
        ? await loadAgentConfig(file).then((l) => ({ ...l, config: encodeConfig(AgentConfig, l.config) }))
        : await loadCloudConfig(file).then((l) => ({ ...l, config: encodeConfig(CloudConfig, l.config) }));
    io.stdout.write(
      `# ${kind} config ${file} is valid. Resolved (defaults filled in), with secrets shown as [redacted].\n` +
        stringify(redactConfig(loaded.config, loaded.secrets), { lineWidth: 0 }),
    );
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(configProblemsText(err, file));
      return 2;
    }
    io.stderr.write(`check: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

/** Every problem of a config, one per line, and how many: what `check` (and `agent --once`) print for exit 2. */
export function configProblemsText(err: ConfigError, file: string): string {
  const n = err.problems.length;
  return `${err.message}\n${n} problem${n === 1 ? '' : 's'} in ${file}\n`;
}

/**
 * agent when the file has `devices`, cloud when it has `influx`. A file that cannot be read or parsed is given to
 * the agent loader, which reports that problem with its position.
 */
export async function detectKind(file: string): Promise<ConfigKind | { error: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return 'agent';
  }
  const src = parseYamlSource(text, file);
  if (src.broken) return 'agent';
  const top = src.data;
  const has = (k: string) => typeof top === 'object' && top !== null && !Array.isArray(top) && k in top;
  if (has('devices') && has('influx')) {
    return { error: 'has both devices (agent) and influx (cloud); use --kind agent|cloud' };
  }
  if (has('devices')) return 'agent';
  if (has('influx')) return 'cloud';
  return {
    error: 'cannot tell an agent config (devices) from a cloud config (influx); use --kind agent|cloud',
  };
}

function usageError(io: CommandIo, message: string): number {
  io.stderr.write(`check: ${message}\n\n${USAGE}\n`);
  return 2;
}

export const checkCommand: Command = {
  summary: 'validate a config file and print it resolved, secrets redacted',
  usage: USAGE,
  run: runCheck,
};
