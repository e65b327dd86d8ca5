import { Writable } from 'node:stream';

/** A CommandIo writing into strings, for running CLI commands in-process. */
export function memoryIo() {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    new Writable({
      write(chunk, _enc, done) {
        into.push(String(chunk));
        done();
      },
    });
  return { io: { stdout: sink(out), stderr: sink(err) }, out: () => out.join(''), err: () => err.join('') };
}
