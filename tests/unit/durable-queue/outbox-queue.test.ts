import { durableQueueContract } from './queue-contract.js';
import { queueKinds } from './queue-kinds.js';

durableQueueContract(queueKinds.outbox);
