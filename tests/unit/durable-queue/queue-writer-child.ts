/**
 * A process that writes to a durable queue as fast as it can until it is killed (`kill -9`), for the contract's
 * crash cases. Usage: `node dist/tests/unit/durable-queue/queue-writer-child.js <kind> <dir> <sync>`.
 *
 * It appends entries 1, 2, 3, … and after every fourth append takes the oldest entry (as a delivery would), printing
 * `+<i>` once append(i) returned and `-<n>` once the n-th take returned: what it printed was stored (or taken) before
 * the kill. Stdout to a pipe is synchronous on Linux, so a printed line is never behind the queue.
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
process.stdout.write('ready\n');
let taken = 0;
for (let i = 1; ; i++) {
  if (q.append(i, Date.now()) === undefined) throw new Error(`append ${i} not stored`);
  process.stdout.write(`+${i}\n`);
  if (i % 4 === 0) {
    q.take(1);
    process.stdout.write(`-${++taken}\n`);
  }
}
