import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../config/errors.js';
import { createRootLogger } from '../../config/logging.js';
import { parseDuration } from '../../config/units.js';
import { loadScenario } from '../../simulators/scenario/load-scenario.js';
import { parse } from '../args.js';
import { progressBar, runBackfill } from '../demo/backfill.js';
import type { Command } from './command.js';
import { numberOption } from './sim-scenario.js';

/**
 * `plantpulse sim backfill -s scenario.yaml --hours 24 --mqtt-url mqtt://…`: publishes the scenario's last N hours
 * as Sparkplug historical data to a broker, with a progress bar on stderr. The cloud stores it like live data, so
 * the dashboard shows a day of OEE, energy and emissions at once.
 */
export const backfillCommand: Command = {
  summary: 'publish simulated history of a scenario through MQTT as historical data',
  usage: [
    'plantpulse sim backfill -s scenario.yaml --hours 24 --mqtt-url mqtt://127.0.0.1:1883',
    '                        [--username NODE] [--password-file FILE] [--node history] [--seed N] [--sample 10s] [--speed 1]',
    '',
    '  --hours          how much history, ending now (default 24)',
    '  --mqtt-url       the broker the cloud ingests from',
    '  --username       MQTT user (default: the node id); password from --password-file or $PLANTPULSE_MQTT_PASSWORD',
    '  --node           Sparkplug edge node id of the backfill session (default history)',
    "  --seed           scenario seed (default: the scenario's); use the live simulators' seed for one continuous plant",
    "  --sample         sample period of the history (default: the scenario's, else 10s)",
    '  --speed          process durations shrink by this factor, as with `plantpulse sim -s --speed` (default 1)',
  ].join('\n'),
  async run(argv, io) {
    const args = parse(argv, {
      scenario: { type: 'string', short: 's' },
      hours: { type: 'string' },
      'mqtt-url': { type: 'string' },
      username: { type: 'string' },
      'password-file': { type: 'string' },
      node: { type: 'string' },
      seed: { type: 'string' },
      sample: { type: 'string' },
      speed: { type: 'string' },
      'log-level': { type: 'string' },
    });
    if (
      'error' in args ||
      typeof args.values['scenario'] !== 'string' ||
      typeof args.values['mqtt-url'] !== 'string'
    ) {
      io.stderr.write(
        `${'error' in args ? args.error : 'missing -s <scenario file> or --mqtt-url'}\nusage: ${this.usage}\n`,
      );
      return 2;
    }
    const hours = numberOption(args.values['hours'], 24);
    const seedOpt = numberOption(args.values['seed'], Number.NaN);
    const speed = numberOption(args.values['speed'], 1);
    const sample = args.values['sample'];
    const sampleOk =
      sample === undefined || (typeof sample === 'string' && /^[0-9]+(\.[0-9]+)?(ms|s|m|h)$/.test(sample));
    if (hours === undefined || hours === 0 || seedOpt === undefined || !sampleOk || !speed) {
      io.stderr.write(
        `--hours takes a number > 0, --seed an integer, --sample a duration (10s)\nusage: ${this.usage}\n`,
      );
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
    const node = (args.values['node'] as string | undefined) ?? 'history';
    const pwFile = args.values['password-file'];
    const password =
      typeof pwFile === 'string'
        ? (await readFile(pwFile, 'utf8')).trim()
        : process.env['PLANTPULSE_MQTT_PASSWORD'];
    const log = createRootLogger(
      'plantpulse-backfill',
      (args.values['log-level'] as string | undefined) ?? 'warn',
    );
    const s = scenario.config;
    const sampleArg = sample as string | undefined;
    const sampleMs = (sampleArg === undefined ? undefined : parseDuration(sampleArg)) ?? s.sample ?? 10_000;
    const tty = (io.stderr as NodeJS.WriteStream).isTTY === true;
    let lastDraw = 0;
    const result = await runBackfill({
      scenario: s,
      seed: Number.isNaN(seedOpt) ? (s.seed ?? 1) : seedOpt,
      hours,
      sampleMs,
      speed,
      node,
      mqtt: {
        url: args.values['mqtt-url'],
        username: (args.values['username'] as string | undefined) ?? node,
        ...(password === undefined ? {} : { password }),
      },
      log,
      onProgress: (p) => {
        const now = Date.now();
        if (p.at < p.to && now - lastDraw < (tty ? 100 : 2000)) return;
        lastDraw = now;
        io.stderr.write(tty ? `\r${progressBar(p)}` : `${progressBar(p)}\n`);
      },
    });
    if (tty) io.stderr.write('\n');
    io.stdout.write(
      `${JSON.stringify({ event: 'backfilled', site: s.site, node, from: result.from, to: result.to, messages: result.messages, samples: result.samples })}\n`,
    );
    return 0;
  },
};
