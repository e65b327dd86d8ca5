/**
 * `plantpulse agent -c agent.yaml --once`: every configured point read once through the agent's own sources, printed
 * with value, unit, quality (the error for bad ones) and time — and nothing published (agent/commission/read-once.ts).
 * Exit code 0 when every point read good, 1 when one is bad or uncertain or a device is unreachable, 2 for a config
 * or usage error (the config problems exactly as `plantpulse check` prints them).
 */
import { allGood } from '../../agent/commission/once-report.js';
import { DEFAULT_FIRST_VALUES_MS, readOnce } from '../../agent/commission/read-once.js';
import type { AgentConfig } from '../../agent/config/agent-spec.js';
import { loadAgentConfig } from '../../agent/config/load-agent-config.js';
import { ConfigError } from '../../config/errors.js';
import type { LoadedConfig } from '../../config/load.js';
import { createRootLogger } from '../../config/logging.js';
import { outputFormat, parse } from '../args.js';
import { durationArg } from '../duration-arg.js';
import { onceJsonLines, onceSummary, onceTable } from './agent-once-output.js';
import { configProblemsText } from './check.js';
import type { CommandIo } from './command.js';

export const AGENT_ONCE_USAGE = `usage: plantpulse agent -c agent.yaml --once [--device <id>] [--format table|json] [--wait 10s]

Reads every configured point once through the agent's own sources and prints the decoded samples (value, unit,
quality, the error of bad ones, time), with the virtual sensors one reading gives. Publishes nothing: no MQTT
connection, no outbox, no state files (like Telegraf's --test).
  --device <id>     only this device
  --format <f>      table (default): aligned, grouped by device; json: one JSON object per line and sample
  --wait <d>        OPC UA subscriptions: how long to wait for each item's first value (default ${DEFAULT_FIRST_VALUES_MS / 1000}s)
  --log-level <l>   the agent's own log lines, on stderr (default error; warn also says why a derived value is bad)

Exit codes: 0 every point read good; 1 a point bad or uncertain, or a device unreachable; 2 config or usage error.`;

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export async function runAgentOnce(argv: string[], io: CommandIo): Promise<number> {
  const args = parse(argv, {
    config: { type: 'string', short: 'c' },
    once: { type: 'boolean' },
    device: { type: 'string' },
    format: { type: 'string' },
    wait: { type: 'string' },
    'log-level': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if ('error' in args) return usage(io, args.error);
  const v = args.values;
  if (v.help === true) {
    io.stdout.write(`${AGENT_ONCE_USAGE}\n`);
    return 0;
  }
  const file = v.config;
  if (typeof file !== 'string' || file === '') return usage(io, 'missing -c <agent.yaml>');
  if (args.positionals.length > 0) return usage(io, `unexpected argument "${args.positionals[0]}"`);
  const format = outputFormat(v.format);
  if (typeof format !== 'string') return usage(io, format.error);
  const level = v['log-level'] ?? 'error';
  if (typeof level !== 'string' || !LEVELS.includes(level))
    return usage(io, `--log-level must be one of ${LEVELS.join(', ')}`);
  let waitMs = DEFAULT_FIRST_VALUES_MS;
  if (typeof v.wait === 'string') {
    const ms = durationArg(v.wait);
    if (ms === undefined) return usage(io, `--wait takes a duration like 500ms, 10s or 1m, not "${v.wait}"`);
    waitMs = ms;
  }

  let loaded: LoadedConfig<AgentConfig>;
  try {
    loaded = await loadAgentConfig(file);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(configProblemsText(err, file));
      return 2;
    }
    throw err;
  }
  const device = typeof v.device === 'string' ? v.device : undefined;
  const ids = loaded.config.devices.map((d) => d.id);
  if (device !== undefined && !ids.includes(device)) {
    return usage(io, `no device "${device}" in ${file} (devices: ${ids.join(', ')})`);
  }
  const log = createRootLogger('plantpulse-agent', level, io.stderr);
  const report = await readOnce(loaded.config, {
    log,
    firstValuesMs: waitMs,
    ...(device === undefined ? {} : { device }),
  });
  io.stdout.write(format === 'json' ? onceJsonLines(report) : onceTable(report));
  io.stderr.write(onceSummary(report));
  return allGood(report) ? 0 : 1;
}

function usage(io: CommandIo, message: string): number {
  io.stderr.write(`agent --once: ${message}\n\n${AGENT_ONCE_USAGE}\n`);
  return 2;
}
