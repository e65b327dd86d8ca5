import { hashSecret } from '../../config/password-hash.js';
import { parse } from '../args.js';
import type { Command, CommandIo } from './command.js';

const USAGE = `Usage: plantpulse hash-password < file-with-the-password

Reads one password (or API token) from stdin and prints its scrypt hash, for broker.users[].passwordHash or
api.tokens[].tokenHash in the cloud config. A trailing newline is not part of the password.
Pipe it in (printf '%s' "$PW" | plantpulse hash-password) so it stays out of your shell history and terminal.`;

const MAX_INPUT = 4096;

export interface HashPasswordIo extends CommandIo {
  /** default process.stdin */
  stdin?: NodeJS.ReadableStream;
}

/** `plantpulse hash-password`: print `scrypt$…` for the password read from stdin (exit 0), or exit 2. */
export async function runHashPassword(argv: string[], io: HashPasswordIo): Promise<number> {
  const args = parse(argv, { help: { type: 'boolean', short: 'h' } });
  if ('error' in args || args.positionals.length > 0) {
    const why = 'error' in args ? args.error : 'the password is read from stdin, not from arguments';
    io.stderr.write(`hash-password: ${why}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.values['help']) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const stdin = io.stdin ?? process.stdin;
  if ((stdin as { isTTY?: boolean }).isTTY) io.stderr.write('Type the password, then Enter and Ctrl-D:\n');
  const input = await readAll(stdin);
  if (input === undefined) {
    io.stderr.write(`hash-password: input longer than ${MAX_INPUT} bytes\n`);
    return 2;
  }
  const password = input.replace(/\r?\n$/, '');
  if (password === '') {
    io.stderr.write('hash-password: no password on stdin\n');
    return 2;
  }
  if (/[\r\n]/.test(password)) {
    io.stderr.write('hash-password: the password must be one line\n');
    return 2;
  }
  io.stdout.write(`${hashSecret(password)}\n`);
  return 0;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > MAX_INPUT) return undefined;
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export const hashPasswordCommand: Command = {
  summary: 'print a scrypt hash of a password read from stdin (broker users, API tokens)',
  usage: USAGE,
  run: runHashPassword,
};
