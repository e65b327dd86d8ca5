import { MC_SERIES, type McSeries } from '../../protocols/mc/devices.js';
import { startMcSimulator } from '../../simulators/mc/mc-simulator.js';
import { agentPoints, type McProfileName, mcProfiles } from '../../simulators/mc/profiles.js';
import { parse } from '../args.js';
import { closeOnSignal } from '../lifecycle.js';
import type { Command } from './command.js';

/**
 * `plantpulse sim mc`: a simulated Mitsubishi PLC answering the MC protocol (3E frames). Prints one JSON line with
 * its URL and the `mcPoll` points that read it; runs until SIGINT/SIGTERM.
 */
export const simMcCommand: Command = {
  summary: 'a simulated Mitsubishi PLC (MC protocol, 3E frames)',
  usage: [
    'plantpulse sim mc [--profile press|cnc] [--series iQ-F|Q|L|iQ-R] [--format binary|ascii] [--udp]',
    '                  [--host 127.0.0.1] [--port 0] [--speed 1]',
    '',
    '  --profile  what the PLC holds: press (an FX5U press, every type; default) or cnc (a machining centre)',
    '  --series   how X and Y are numbered: iQ-F octal (default), Q, L, iQ-R hexadecimal',
    "  --format   the port's Communication Data Code (default binary)",
    '  --udp      serve UDP instead of TCP',
  ].join('\n'),
  async run(argv, io) {
    const args = parse(argv, {
      profile: { type: 'string' },
      series: { type: 'string' },
      format: { type: 'string' },
      udp: { type: 'boolean' },
      host: { type: 'string' },
      port: { type: 'string' },
      speed: { type: 'string' },
    });
    if ('error' in args) {
      io.stderr.write(`${args.error}\nusage: ${this.usage}\n`);
      return 2;
    }
    const name = String(args.values['profile'] ?? 'press');
    const series = String(args.values['series'] ?? 'iQ-F');
    const format = String(args.values['format'] ?? 'binary');
    const port = Number(args.values['port'] ?? 0);
    const speed = Number(args.values['speed'] ?? 1);
    const problems: string[] = [];
    if (!Object.hasOwn(mcProfiles, name))
      problems.push(`unknown profile "${name}" (${Object.keys(mcProfiles).join(', ')})`);
    if (!(MC_SERIES as readonly string[]).includes(series))
      problems.push(`--series is one of ${MC_SERIES.join(', ')}`);
    if (format !== 'binary' && format !== 'ascii') problems.push('--format is binary or ascii');
    if (!Number.isInteger(port) || port < 0 || !(speed > 0))
      problems.push('--port and --speed take numbers (speed > 0)');
    if (problems.length > 0) {
      io.stderr.write(`${problems.join('\n')}\nusage: ${this.usage}\n`);
      return 2;
    }
    const profile = mcProfiles[name as McProfileName]();
    const sim = await startMcSimulator({
      series: series as McSeries,
      format: format as 'binary' | 'ascii',
      transport: args.values['udp'] === true ? 'udp' : 'tcp',
      host: (args.values['host'] as string | undefined) ?? '127.0.0.1',
      port,
      speed,
      profile,
    });
    io.stdout.write(
      `${JSON.stringify({ event: 'listening', protocol: 'mc', url: sim.url, series, format, profile: name, points: agentPoints(profile) })}\n`,
    );
    return closeOnSignal(() => sim.close());
  },
};
