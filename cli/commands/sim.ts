import { startModbusSimulator } from '../../simulators/modbus/modbus-simulator.js';
import { builtinProfiles } from '../../simulators/modbus/profiles/index.js';
import { parse } from '../args.js';
import { closeOnSignal } from '../lifecycle.js';
import type { Command, CommandIo } from './command.js';

function jsonLine(io: CommandIo, obj: Record<string, unknown>): void {
  io.stdout.write(`${JSON.stringify(obj, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
}

/**
 * `plantpulse sim`: device simulators. With `--profile NAME` it serves one built-in Modbus TCP device and prints, as
 * JSON lines, where it listens and (with --changes) every value change with its time, so a test or a curious user
 * can compare what the device did with what arrived in InfluxDB.
 */
export const simCommand: Command = {
  summary: 'run simulated devices (a built-in Modbus profile, or a plant scenario)',
  usage: [
    'plantpulse sim --profile press [--host 127.0.0.1] [--port 0] [--unit 1] [--speed 1] [--changes]',
    'plantpulse sim -s scenario.yaml [--seed N] [--speed X] [--agent-config agent-devices.yaml]',
    'plantpulse sim dlt645 [--meters 000012345678,…] [--port 0 | --pty] (DL/T 645 meters: sim dlt645 --help)',
    'plantpulse sim hj212 --port 9212 [--host …] (an HJ 212 datalogger sending to the agent: sim hj212 --help)',
    'plantpulse sim s7 [--profile press|cnc] [--port 0] [--pdu 240] (a Siemens S7 PLC: sim s7 --help)',
    'plantpulse sim mc [--profile press|cnc] [--series iQ-F] [--format binary|ascii] [--udp] (a Mitsubishi PLC)',
    'plantpulse sim backfill -s scenario.yaml --hours 24 --mqtt-url mqtt://… [options: sim backfill --help]',
    '',
    '  -s          a plant scenario (simulators/scenarios/chongqing-auto-parts.yaml): every device of it, printed',
    '              as JSON lines with its URL; --agent-config writes the agent `devices:` that read them',
    "  --seed      scenario seed (default: the scenario's): the same seed gives the same plant",
    `  --profile   built-in device profile: ${Object.keys(builtinProfiles).join(', ')}`,
    '  --port      TCP port (0: any free port; the chosen URL is printed)',
    '  --speed     simulated time runs this many times faster (process durations shrink, timestamps stay real)',
    '  --changes   print every value change as a JSON line',
  ].join('\n'),
  async run(argv, io) {
    if (argv[0] === 'dlt645') {
      const { simDlt645Command } = await import('./sim-dlt645.js');
      return simDlt645Command.run(argv.slice(1), io);
    }
    if (argv[0] === 'hj212') {
      const { simHj212Command } = await import('./sim-hj212.js');
      return simHj212Command.run(argv.slice(1), io);
    }
    if (argv[0] === 's7') {
      const { simS7Command } = await import('./sim-s7.js');
      return simS7Command.run(argv.slice(1), io);
    }
    if (argv[0] === 'mc') {
      const { simMcCommand } = await import('./sim-mc.js');
      return simMcCommand.run(argv.slice(1), io);
    }
    if (argv[0] === 'backfill') {
      const { backfillCommand } = await import('./backfill.js');
      return backfillCommand.run(argv.slice(1), io);
    }
    if (argv.includes('-s') || argv.includes('--scenario') || argv.some((a) => a.startsWith('--scenario='))) {
      // loaded on use: a scenario can run an OPC UA server, and node-opcua prints warnings at import
      const { runScenarioSim } = await import('./sim-scenario.js');
      return runScenarioSim(argv, io, this.usage);
    }
    const args = parse(argv, {
      profile: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      unit: { type: 'string' },
      speed: { type: 'string' },
      changes: { type: 'boolean' },
    });
    if ('error' in args) {
      io.stderr.write(`${args.error}\nusage: ${this.usage}\n`);
      return 2;
    }
    const name = (args.values['profile'] as string | undefined) ?? 'press';
    if (!Object.hasOwn(builtinProfiles, name)) {
      io.stderr.write(
        `unknown profile "${name}"; built-in profiles: ${Object.keys(builtinProfiles).join(', ')}\n`,
      );
      return 2;
    }
    const num = (k: string, dflt: number): number | undefined => {
      const v = args.values[k];
      if (v === undefined) return dflt;
      const n = Number(v);
      return Number.isFinite(n) && n >= 0 ? n : undefined;
    };
    const port = num('port', 0);
    const unitId = num('unit', 1);
    const speed = num('speed', 1);
    if (port === undefined || unitId === undefined || speed === undefined || speed === 0) {
      io.stderr.write(
        `--port, --unit and --speed take non-negative numbers (speed > 0)\nusage: ${this.usage}\n`,
      );
      return 2;
    }
    const profile = builtinProfiles[name as keyof typeof builtinProfiles]({ unitId });
    const sim = await startModbusSimulator({
      profile,
      host: (args.values['host'] as string | undefined) ?? '127.0.0.1',
      port,
      speed,
    });
    jsonLine(io, { event: 'listening', profile: name, url: sim.url, unitId });

    let timer: NodeJS.Timeout | undefined;
    if (args.values['changes'] === true) {
      const seen = new Map<string, number>();
      const report = () => {
        for (const p of profile.points) {
          const at = sim.changedAt(p.name);
          if (seen.get(p.name) === at) continue;
          seen.set(p.name, at);
          jsonLine(io, { event: 'change', point: p.name, value: sim.expected(p.name), changedAt: at });
        }
      };
      report();
      timer = setInterval(report, 20);
    }
    return closeOnSignal(() => {
      if (timer) clearInterval(timer);
      return sim.close();
    });
  },
};
