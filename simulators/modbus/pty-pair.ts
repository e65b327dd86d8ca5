/**
 * A virtual null-modem cable: two linked pseudo-terminals made by `socat -d -d pty,raw,echo=0 pty,raw,echo=0`.
 * The agent opens one end as its serial port, the RTU simulator the other. With `linkDir`, the ends get stable
 * paths (symlinks) so a pair can be destroyed ("USB adapter unplugged") and re-created at the same paths.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureDebianPackages } from '../../scripts/services/debian-packages.js';

export interface PtyPair {
  /** path for the master (the agent) */
  readonly a: string;
  /** path for the slave device (the simulator) */
  readonly b: string;
  readonly pid: number;
  /** kills socat: both ends disappear, as when a USB serial adapter is pulled */
  close(): Promise<void>;
}

export interface PtyPairOptions {
  /** create the ends as `<linkDir>/a` and `<linkDir>/b` symlinks */
  linkDir?: string;
  /** give up waiting for socat after this long (default 10 s) */
  timeoutMs?: number;
}

const PTY_LINE = /PTY is (\S+)/;

export async function openPtyPair(opts: PtyPairOptions = {}): Promise<PtyPair> {
  await ensureDebianPackages(['socat']);
  const end = (name: string) =>
    `pty,raw,echo=0${opts.linkDir === undefined ? '' : `,link=${join(opts.linkDir, name)}`}`;
  const child = spawn('socat', ['-d', '-d', end('a'), end('b')], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const onProcessExit = () => child.kill('SIGKILL');
  process.once('exit', onProcessExit);
  const close = async () => {
    process.off('exit', onProcessExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  try {
    const ptys = await readPtys(child, opts.timeoutMs ?? 10_000);
    const [ptyA, ptyB] = ptys;
    if (child.pid === undefined || ptyA === undefined || ptyB === undefined)
      throw new Error('socat gave no ptys');
    return {
      a: opts.linkDir === undefined ? ptyA : join(opts.linkDir, 'a'),
      b: opts.linkDir === undefined ? ptyB : join(opts.linkDir, 'b'),
      pid: child.pid,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

function readPtys(child: ChildProcess, timeoutMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const ptys: string[] = [];
    let text = '';
    const timer = setTimeout(
      () => finish(new Error(`socat did not open two ptys in ${timeoutMs} ms: ${text}`)),
      timeoutMs,
    );
    const finish = (err?: Error) => {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      // keep draining socat's log so it never blocks on a full pipe
      child.stderr?.resume();
      if (err) reject(err);
      else resolve(ptys);
    };
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      for (const line of text.split('\n')) {
        const m = PTY_LINE.exec(line);
        if (m?.[1] && !ptys.includes(m[1])) ptys.push(m[1]);
      }
      if (ptys.length >= 2 && text.includes('starting data transfer loop')) finish();
    };
    const onExit = () => finish(new Error(`socat exited: ${text}`));
    const onError = (err: Error) => finish(err);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}
