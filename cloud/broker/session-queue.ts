import { Readable } from 'node:stream';
import type { Client } from 'aedes';
import aedesPersistence from 'aedes-persistence';

/** What aedes hands the outgoing calls: a PUBLISH (or, for QoS 2, the PUBREL that replaces it). */
export interface QueuedPacket {
  cmd: string;
  topic?: string;
  payload?: Buffer | string;
  messageId?: number | undefined;
  brokerId?: string;
  brokerCounter?: number;
  [key: string]: unknown;
}

export interface SessionQueueLimits {
  /** messages queued for one persistent session (Mosquitto's max_queued_messages) */
  maxMessages: number;
  /** payload bytes queued for one persistent session (Mosquitto's max_queued_bytes) */
  maxBytes: number;
}

/** One message left out of a session's queue because it was full. */
export interface QueueDrop {
  clientId: string;
  topic: string;
  payloadBytes: number;
  /** which bound it would have crossed */
  limit: 'messages' | 'bytes';
  /** the session's queue as it stays */
  queued: { messages: number; bytes: number };
}

export interface SessionQueueStats {
  /** persistent sessions with at least one message queued */
  sessions: number;
  messages: number;
  bytes: number;
  /** messages dropped, by the bound they would have crossed */
  dropped: { messages: number; bytes: number };
}

interface Queue {
  packets: QueuedPacket[];
  bytes: number;
}

/** aedes' persistence interface, promise side (aedes 1.x calls it so; the shipped types are the callback side). */
type Inner = Record<string, (...args: unknown[]) => unknown> & { broker?: unknown };

/** aedes-packet's Packet, re-exported by aedes-persistence: the copy the stock store queues (known fields only). */
const StoredPacket = (aedesPersistence as unknown as { Packet: new (p: QueuedPacket) => QueuedPacket })
  .Packet;

const payloadBytes = (p: QueuedPacket): number =>
  p.payload === undefined
    ? 0
    : typeof p.payload === 'string'
      ? Buffer.byteLength(p.payload)
      : p.payload.length;

/**
 * aedes' in-memory persistence (aedes-persistence) with a bounded outgoing queue per persistent session. aedes
 * enqueues every QoS 1/2 message for every clean: false subscription — connected or not — before it delivers it,
 * and takes it out on PUBACK/PUBCOMP; the stock store keeps that queue in a private, unbounded array, so a
 * persistent session that never comes back grows the broker until it dies. Here the outgoing calls
 * (outgoingEnqueue/EnqueueCombi/Update/ClearMessageId/Stream) keep their own queue per client id, of at most
 * `maxMessages` messages and `maxBytes` payload bytes; everything else is the stock store.
 *
 * **The newest message is dropped** when the queue is full, as Mosquitto does: the queue keeps an unbroken run from
 * the moment the client went away — with Sparkplug, the NBIRTH/DBIRTH that define the aliases of the data after
 * them — and the client sees one gap at its end (a seq gap, so a host asks for a rebirth), instead of losing its
 * births and the messages already in flight. Each drop is reported to `onDrop`.
 *
 * A connected client whose queue is full (it does not acknowledge) still gets the dropped message live: aedes then
 * finds no queued copy to give a message id to, and `outgoingUpdate` lets the delivery go on instead of failing
 * (which aedes would answer by disconnecting the client); the message is just not kept for redelivery.
 */
export class BoundedSessionQueues {
  readonly #inner: Inner;
  readonly #limits: (clientId: string) => SessionQueueLimits;
  readonly #onDrop: (d: QueueDrop) => void;
  readonly #queues = new Map<string, Queue>();
  #messages = 0;
  #bytes = 0;
  readonly #dropped = { messages: 0, bytes: 0 };

  /** `limits`: the same for every session, or per client id (the broker gives host applications larger ones) */
  constructor(
    limits: SessionQueueLimits | ((clientId: string) => SessionQueueLimits),
    onDrop: (d: QueueDrop) => void,
  ) {
    this.#limits = typeof limits === 'function' ? limits : () => limits;
    this.#onDrop = onDrop;
    // a CommonJS module whose types say `export default`: under NodeNext the default import is the function itself
    this.#inner = (aedesPersistence as unknown as () => Inner)();
  }

  stats(): SessionQueueStats {
    return {
      sessions: this.#queues.size,
      messages: this.#messages,
      bytes: this.#bytes,
      dropped: { ...this.#dropped },
    };
  }

  #enqueue(clientId: string, packet: QueuedPacket): void {
    const size = payloadBytes(packet);
    let q = this.#queues.get(clientId);
    const messages = q?.packets.length ?? 0;
    const bytes = q?.bytes ?? 0;
    const bound = this.#limits(clientId);
    const limit =
      messages >= bound.maxMessages ? 'messages' : bytes + size > bound.maxBytes ? 'bytes' : undefined;
    if (limit !== undefined) {
      this.#dropped[limit]++;
      this.#onDrop({
        clientId,
        topic: packet.topic ?? '',
        payloadBytes: size,
        limit,
        queued: { messages, bytes },
      });
      return;
    }
    if (!q) {
      q = { packets: [], bytes: 0 };
      this.#queues.set(clientId, q);
    }
    // a copy per client, without a message id, as the stock store makes it: each delivery numbers its own
    q.packets.push(new StoredPacket(packet));
    q.bytes += size;
    this.#messages++;
    this.#bytes += size;
  }

  #release(clientId: string, q: Queue, bytes: number): void {
    q.bytes -= bytes;
    this.#bytes -= bytes;
    if (q.packets.length === 0) this.#queues.delete(clientId);
  }

  async outgoingEnqueue(sub: { clientId: string }, packet: QueuedPacket): Promise<void> {
    this.#enqueue(sub.clientId, packet);
  }

  async outgoingEnqueueCombi(subs: readonly { clientId: string }[], packet: QueuedPacket): Promise<void> {
    for (const sub of subs) this.#enqueue(sub.clientId, packet);
  }

  /**
   * Gives a queued message its message id, or puts the PUBREL in place of a QoS 2 PUBLISH, as the stock store —
   * except that a PUBREL (it has no broker id) is matched by message id only: the stock store compares broker ids
   * first, so a PUBREL matched an earlier PUBREL still waiting for its PUBCOMP (both without one) and the PUBLISH it
   * should have replaced stayed queued for good.
   */
  async outgoingUpdate(client: Pick<Client, 'id'>, packet: QueuedPacket): Promise<void> {
    const q = this.#queues.get(client.id);
    if (!q) return; // dropped (see the class comment): delivered, not kept
    for (let i = 0; i < q.packets.length; i++) {
      const queued = q.packets[i] as QueuedPacket;
      if (packet.brokerId !== undefined && queued.brokerId === packet.brokerId) {
        if (queued.brokerCounter === packet.brokerCounter) {
          queued.messageId = packet.messageId;
          return;
        }
        // message ids wrap at 65535: a different counter with the same id is another message, keep looking
      } else if (queued.messageId === packet.messageId) {
        q.packets[i] = packet;
        this.#release(client.id, q, payloadBytes(queued) - payloadBytes(packet));
        return;
      }
    }
  }

  async outgoingClearMessageId(
    client: Pick<Client, 'id'>,
    packet: { messageId?: number | undefined },
  ): Promise<QueuedPacket | undefined> {
    const q = this.#queues.get(client.id);
    if (!q) return undefined;
    const i = q.packets.findIndex((p) => p.messageId === packet.messageId);
    if (i < 0) return undefined;
    const [removed] = q.packets.splice(i, 1);
    if (!removed) return undefined;
    this.#messages--;
    this.#release(client.id, q, payloadBytes(removed));
    return removed;
  }

  outgoingStream(client: Pick<Client, 'id'>): Readable {
    // a copy: aedes clears entries while it streams them
    return Readable.from([...(this.#queues.get(client.id)?.packets ?? [])]);
  }

  // ---- everything else is the stock in-memory store ----

  get broker(): unknown {
    return this.#inner.broker;
  }
  async setup(broker: unknown): Promise<void> {
    await this.#inner.setup?.(broker);
  }
  storeRetained(...a: unknown[]) {
    return this.#call('storeRetained', a);
  }
  createRetainedStream(...a: unknown[]) {
    return this.#call('createRetainedStream', a);
  }
  createRetainedStreamCombi(...a: unknown[]) {
    return this.#call('createRetainedStreamCombi', a);
  }
  addSubscriptions(...a: unknown[]) {
    return this.#call('addSubscriptions', a);
  }
  removeSubscriptions(...a: unknown[]) {
    return this.#call('removeSubscriptions', a);
  }
  subscriptionsByClient(...a: unknown[]) {
    return this.#call('subscriptionsByClient', a);
  }
  countOffline(...a: unknown[]) {
    return this.#call('countOffline', a);
  }
  subscriptionsByTopic(...a: unknown[]) {
    return this.#call('subscriptionsByTopic', a);
  }
  cleanSubscriptions(...a: unknown[]) {
    return this.#call('cleanSubscriptions', a);
  }
  incomingStorePacket(...a: unknown[]) {
    return this.#call('incomingStorePacket', a);
  }
  incomingGetPacket(...a: unknown[]) {
    return this.#call('incomingGetPacket', a);
  }
  incomingDelPacket(...a: unknown[]) {
    return this.#call('incomingDelPacket', a);
  }
  cleanIncoming(...a: unknown[]) {
    return this.#call('cleanIncoming', a);
  }
  putWill(...a: unknown[]) {
    return this.#call('putWill', a);
  }
  getWill(...a: unknown[]) {
    return this.#call('getWill', a);
  }
  delWill(...a: unknown[]) {
    return this.#call('delWill', a);
  }
  streamWill(...a: unknown[]) {
    return this.#call('streamWill', a);
  }
  getClientList(...a: unknown[]) {
    return this.#call('getClientList', a);
  }
  destroy(...a: unknown[]) {
    this.#queues.clear();
    this.#messages = 0;
    this.#bytes = 0;
    return this.#call('destroy', a);
  }

  #call(name: string, args: unknown[]): unknown {
    const fn = this.#inner[name];
    if (typeof fn !== 'function') throw new Error(`aedes-persistence has no ${name}()`);
    return fn.apply(this.#inner, args);
  }
}
