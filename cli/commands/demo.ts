import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { routeNodeOpcuaLogging } from '../../agent/sources/opcua/node-opcua-logging.js';
import { createRootLogger } from '../../config/logging.js';
import { parse } from '../args.js';
import { progressBar } from '../demo/backfill.js';
import { DemoPrerequisiteError, ensureDemoPrerequisites } from '../demo/prerequisites.js';
import { openRunDir } from '../demo/run-dir.js';
import { DEFAULT_DASHBOARD_PORT, type DemoInfo, startDemo } from '../demo/start-demo.js';
import { guardProcess, untilSignal } from '../lifecycle.js';
import type { Command, CommandIo } from './command.js';
import { numberOption } from './sim-scenario.js';

function summary(info: DemoInfo): string {
  const port = new URL(info.influxUrl).port;
  const q = 'SELECT last(*) FROM telemetry GROUP BY device';
  return [
    '',
    'plantpulse demo is running.',
    '',
    `  Dashboard     ${info.dashboardUrl}`,
    `  InfluxDB      ${info.influxUrl}  database "${info.database}" (data files in ${info.influxDataDir})`,
    `  MQTT broker   ${info.brokerUrl} (users and random passwords in ${join(info.runDir, 'secrets')})`,
    `  Plant         ${info.site}: ${info.devices.join(', ')}`,
    `  Scenario      ${info.scenario} (seed ${info.seed}); history: last ${info.backfill.hours} h, ${info.backfill.samples} samples`,
    `  Configs       ${info.runDir} (cloud.yaml, agent.yaml)`,
    `  Logs          ${info.logFile}`,
    '',
    '  Query the data, for example:',
    `    influx -host 127.0.0.1 -port ${port} -database ${info.database} -execute '${q}'`,
    `    curl -sG ${info.influxUrl}/query --data-urlencode db=${info.database} --data-urlencode "q=${q}"`,
    '',
    'Press Ctrl-C to stop everything.',
    '',
  ].join('\n');
}

export const demoCommand: Command = {
  summary: 'run the whole pipeline on a simulated Chongqing plant, with a local InfluxDB and the dashboard',
  usage: [
    'plantpulse demo [--port 8080] [--hours 24] [-s scenario.yaml] [--seed N] [--speed 1] [--dir DIR] [--keep] [--json]',
    '',
    '  --hours      history to backfill through MQTT before going live (default 24; 0: none)',
    '  -s           scenario file (default: the bundled Chongqing auto-parts plant)',
    "  --seed       scenario seed (default: the scenario's)",
    '  --speed      process durations (cycles, failures, repairs) shrink by this factor; timestamps stay real',
    `  --port       dashboard and API port (default ${DEFAULT_DASHBOARD_PORT}; 0 picks a free port)`,
    '  --dir        where generated configs, secrets, data and the log go (default: a new temp folder, removed',
    '               after a clean stop)',
    '  --keep       keep the temp folder after a clean stop',
    '  --json       print the ready message as one JSON line (for scripts and tests)',
  ].join('\n'),
  async run(argv, io) {
    const args = parse(argv, {
      port: { type: 'string' },
      dir: { type: 'string' },
      keep: { type: 'boolean' },
      hours: { type: 'string' },
      scenario: { type: 'string', short: 's' },
      seed: { type: 'string' },
      speed: { type: 'string' },
      json: { type: 'boolean' },
      'log-level': { type: 'string' },
    });
    if ('error' in args) {
      io.stderr.write(`${args.error}\nusage: ${this.usage}\n`);
      return 2;
    }
    const port = Number(args.values['port'] ?? DEFAULT_DASHBOARD_PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      io.stderr.write(`--port takes 0–65535\nusage: ${this.usage}\n`);
      return 2;
    }
    const hours = numberOption(args.values['hours'], 24);
    const speed = numberOption(args.values['speed'], 1);
    const seed = numberOption(args.values['seed'], Number.NaN);
    if (hours === undefined || speed === undefined || speed === 0 || seed === undefined) {
      io.stderr.write(`--hours and --seed take numbers ≥ 0, --speed a number > 0\nusage: ${this.usage}\n`);
      return 2;
    }
    const json = args.values['json'] === true;
    const say = (line: string) => {
      if (!json) io.stderr.write(`${line}\n`);
    };
    try {
      await ensureDemoPrerequisites(undefined, (pkgs) =>
        say(`installing ${pkgs.join(', ')} with apt-get (first run only) …`),
      );
    } catch (err) {
      if (err instanceof DemoPrerequisiteError) {
        io.stderr.write(`${err.message}\n`);
        return 2;
      }
      throw err;
    }
    const runDir = await openRunDir(args.values['dir'] as string | undefined);
    const logFile = join(runDir.path, 'plantpulse.log');
    const log = createRootLogger(
      'plantpulse-demo',
      (args.values['log-level'] as string | undefined) ?? 'info',
      pino.destination({ dest: logFile, sync: false, mkdir: true }),
    );
    guardProcess(log);
    // node-opcua's own lines (the simulators' servers, the agent's client certificate) go to the demo's log
    routeNodeOpcuaLogging(log);
    say(`configs, secrets and logs: ${runDir.path}`);
    const tty = (io.stderr as NodeJS.WriteStream).isTTY === true;
    let lastDraw = 0;
    // Ctrl-C while starting (e.g. during the backfill): stop what has started, then exit
    const starting = new AbortController();
    const onEarlySignal = () => {
      say('interrupted while starting: stopping what has started …');
      starting.abort();
    };
    process.once('SIGINT', onEarlySignal);
    process.once('SIGTERM', onEarlySignal);
    let demo: Awaited<ReturnType<typeof startDemo>>;
    try {
      demo = await startDemo({
        signal: starting.signal,
        runDir,
        log,
        port,
        say,
        hours,
        speed,
        ...(Number.isNaN(seed) ? {} : { seed }),
        ...(typeof args.values['scenario'] === 'string' ? { scenarioFile: args.values['scenario'] } : {}),
        onBackfillProgress: (p) => {
          if (json) return;
          const now = Date.now();
          const finished = p.at >= p.to;
          if (!finished && now - lastDraw < (tty ? 100 : 3000)) return;
          lastDraw = now;
          io.stderr.write(tty ? `\r${progressBar(p)}${finished ? '\n' : ''}` : `${progressBar(p)}\n`);
        },
      });
    } catch (err) {
      if (starting.signal.aborted) {
        log.flush();
        return 130;
      }
      throw err;
    } finally {
      process.off('SIGINT', onEarlySignal);
      process.off('SIGTERM', onEarlySignal);
    }
    if (json) writeJson(io, { event: 'ready', ...demo.info });
    else io.stdout.write(summary(demo.info));
    const code = await untilSignal(async () => {
      say('stopping …');
      await demo.stop();
      say('stopped.');
    }, log);
    log.flush();
    // a temp folder of our own (its data, tens of MB) goes after a clean stop; after a failure its log is kept
    if (args.values['dir'] === undefined && args.values['keep'] !== true && code === 0) {
      await rm(runDir.path, { recursive: true, force: true });
      say(`removed ${runDir.path} (--keep or --dir DIR keeps it)`);
    } else say(`configs, secrets, data and the log stay in ${runDir.path}`);
    return code;
  },
};

function writeJson(io: CommandIo, obj: Record<string, unknown>): void {
  io.stdout.write(`${JSON.stringify(obj)}\n`);
}
