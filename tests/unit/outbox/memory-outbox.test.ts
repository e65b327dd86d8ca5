import { MemoryOutbox } from '../../../agent/outbox/memory-outbox.js';
import type { OutboxDrop } from '../../../agent/outbox/outbox.js';
import { outboxContract } from './outbox-contract.js';

outboxContract('MemoryOutbox', (maxBytes) => {
  const drops: OutboxDrop[] = [];
  return { outbox: new MemoryOutbox(maxBytes, (d) => drops.push(d)), drops };
});
