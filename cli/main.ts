#!/usr/bin/env node
import { routeNodeOpcuaLogging } from '../agent/sources/opcua/node-opcua-logging.js';
import { createRootLogger } from '../config/logging.js';
import { commands } from './commands/index.js';
import { versionLine } from './version.js';

function help(): string {
  const lines = [
    'plantpulse — factory data from the machine to the dashboard',
    '',
    'Usage: plantpulse <command> [options]',
    '',
  ];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(14)} ${c.summary}`);
  lines.push(
    '',
    'Run `plantpulse <command> --help` for a command’s options; `plantpulse --version` for the version.',
  );
  return `${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`${versionLine()}\n`);
    return 0;
  }
  const entry = Object.hasOwn(commands, name) ? commands[name as keyof typeof commands] : undefined;
  if (!entry) {
    process.stderr.write(`plantpulse: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  // Library lines are ours too: until a command routes node-opcua's logging into its own logger, it goes to
  // stderr as structured warnings (node-opcua is loaded on use, and its import logs).
  routeNodeOpcuaLogging(createRootLogger('plantpulse', 'warn', process.stderr));
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  return command.run(rest, { stdout: process.stdout, stderr: process.stderr });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`plantpulse: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
