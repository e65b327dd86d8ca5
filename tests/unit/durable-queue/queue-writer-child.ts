/**
 * A process that writes to a durable queue as fast as it can until it is killed (`kill -9`), for the contract's
 * crash cases. Usage: `node dist/tests/unit/durable-queue/queue-writer-child.js <kind> <dir> <sync>`.
 *
 * It appends entries 1, 2, 3, … and after every fourth append takes the oldest entry (as a delivery would), printing
 * `+<i>` once append(i) returned and `-<n>` once the n-th take returned, and goes on only once the line is handed to
 * the pipe: what it printed was stored (or taken) before the kill. (Stdout to a parent is a socket whose small writes
 * fill its buffer after a few hundred lines: a loop that never yields would stop printing while it goes on writing.)
 */
import { createRootLogger } from '../../../config/logging.js';
import { type QueueKindName, queueKinds } from './queue-kinds.js';

const [kindName, dir, sync] = process.argv.slice(2);
if (!(kindName && kindName in queueKinds) || !dir || (sync !== 'full' && sync !== 'normal')) {
  process.stderr.write('usage: queue-writer-child <outbox|spool> <dir> <full|normal>\n');
  process.exit(2);
}
const kind = queueKinds[kindName as QueueKindName];
const q = kind.open({ dir, maxBytes: 1 << 30, sync, log: createRootLogger('queue-writer-child', 'error') });
const print = (line: string) =>
  new Promise<void>((resolve, reject) =>
    process.stdout.write(`${line}\n`, (err) => (err ? reject(err) : resolve())),
  );
await print('ready');
let taken = 0;
for (let i = 1; ; i++) {
  // 6 KB a row: a few hundred rows pass SQLite's automatic checkpoint (1000 pages), so a kill may land in one
  if (q.append(i, Date.now(), 6000) === undefined) throw new Error(`append ${i} not stored`);
  await print(`+${i}`);
  if (i % 4 === 0) {
    q.take(1);
    await print(`-${++taken}`);
  }
}
