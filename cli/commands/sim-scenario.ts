/**
 * `plantpulse sim -s scenario.yaml [--seed N] [--speed X]`: every simulated device of a plant scenario, each printed
 * as a JSON line with where it listens; `--agent-config FILE` writes the agent `devices:` that read them all.
 */
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { ConfigError } from '../../config/errors.js';
import { loadScenario } from '../../simulators/scenario/load-scenario.js';
import { startScenario } from '../../simulators/scenario/scenario-runner.js';
import { parse } from '../args.js';
import type { CommandIo } from './command.js';

function jsonLine(io: CommandIo, obj: Record<string, unknown>): void {
  io.stdout.write(`${JSON.stringify(obj)}\n`);
}

/** A non-negative number option, `dflt` when absent, undefined when malformed. */
export function numberOption(v: string | boolean | undefined, dflt: number): number | undefined {
  if (v === undefined) return dflt;
  const n = Number(v);
  return typeof v === 'string' && v.trim() !== '' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

export async function runScenarioSim(argv: string[], io: CommandIo, usage: string): Promise<number> {
  const args = parse(argv, {
    scenario: { type: 'string', short: 's' },
    seed: { type: 'string' },
    speed: { type: 'string' },
    host: { type: 'string' },
    'agent-config': { type: 'string' },
  });
  if ('error' in args || typeof args.values['scenario'] !== 'string') {
    io.stderr.write(`${'error' in args ? args.error : 'missing -s <scenario file>'}\nusage: ${usage}\n`);
    return 2;
  }
  const speed = numberOption(args.values['speed'], 1);
  const seed = numberOption(args.values['seed'], Number.NaN);
  if (
    speed === undefined ||
    speed === 0 ||
    seed === undefined ||
    (!Number.isNaN(seed) && !Number.isInteger(seed))
  ) {
    io.stderr.write(`--speed takes a number > 0 and --seed a non-negative integer\nusage: ${usage}\n`);
    return 2;
  }
  let scenario: Awaited<ReturnType<typeof loadScenario>>;
  try {
    scenario = await loadScenario(args.values['scenario']);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const run = await startScenario({
    scenario: scenario.config,
    speed,
    ...(Number.isNaN(seed) ? {} : { seed }),
    ...(typeof args.values['host'] === 'string' ? { host: args.values['host'] } : {}),
  });
  const { seed: usedSeed, epoch } = run.plant.options;
  jsonLine(io, {
    event: 'scenario',
    name: scenario.config.name,
    site: scenario.config.site,
    seed: usedSeed,
    speed,
    epoch,
  });
  // an HJ 212 outlet's endpoint carries its datalogger's password: not printed
  for (const e of run.endpoints) {
    const { password: _pw, ...shown } = e as typeof e & { password?: string };
    jsonLine(io, { event: 'listening', ...shown });
  }
  for (const s of run.skipped) jsonLine(io, { event: 'skipped', ...s });
  const agentFile = args.values['agent-config'];
  if (typeof agentFile === 'string') {
    await writeFile(agentFile, stringify({ devices: run.agentDevices() }, { lineWidth: 0 }));
    jsonLine(io, { event: 'agent-config', file: agentFile });
  }
  return new Promise<number>((resolve) => {
    const stop = () => {
      run.close().then(
        () => resolve(0),
        (err: unknown) => {
          io.stderr.write(`closing the simulators: ${(err as Error).message}\n`);
          resolve(1);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
