import type { Writable } from 'node:stream';

export interface CommandIo {
  stdout: Writable;
  stderr: Writable;
}

/** A CLI command: parses its own arguments, returns the process exit code (0 ok, 1 failure, 2 usage/config error). */
export interface Command {
  summary: string;
  usage: string;
  run(argv: string[], io: CommandIo): Promise<number>;
}
