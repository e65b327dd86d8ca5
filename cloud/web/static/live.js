// Joining a page's snapshot to the live stream without a gap (docs/api.md, "Snapshot and live stream").
//
// Every live event has the id `<epoch>:<seq>`; a snapshot's `Live-Event-Id` response header names the last event it
// already includes. The shell keeps the events of the current stream here (bounded). A page that rendered from a
// snapshot registers its handler with that snapshot's id and is first given every logged event after it, then
// every new one, so an update that happened while the snapshot was loading is never lost. When the log cannot
// cover the gap (the stream started later, events were dropped, the ingester restarted), the page is told
// `lagged` and reloads its snapshot.

/** events kept for late joiners; a page joins within a second or two of its snapshot */
const MAX_EVENTS = 5000;
/** a page told to reload for a gap is told again no sooner than this (two API processes behind one address) */
const RELOAD_MS = 5000;

/** `{ epoch, seq }` of an event id, or undefined */
export function parseEventId(id) {
  const m = /^([A-Za-z0-9]{1,32}):([0-9]{1,15})$/.exec(String(id ?? '').trim());
  return m ? { epoch: m[1], seq: Number(m[2]) } : undefined;
}

export class LiveLog {
  /** epoch of the stream the log belongs to */
  epoch = undefined;
  /** the log holds every event of the stream with a seq above this */
  from = Number.POSITIVE_INFINITY;
  /** the highest seq known to be covered: the last event seen, or where the stream started */
  last = 0;
  connected = false;
  #events = [];
  #handlers = new Set();
  #restart = false;
  /** handler → when it was last told to reload because of a gap: a reload loop is slowed to one per RELOAD_MS */
  #reloads = new WeakMap();

  /** The stream said hello. True when events may have been missed (not a resume): pages must reload. */
  hello(h) {
    this.connected = true;
    if (h.resumed && h.epoch === this.epoch) return false;
    const start = parseEventId(h.lastEventId);
    this.epoch = h.epoch;
    this.#events = [];
    this.from = start ? start.seq : Number.POSITIVE_INFINITY;
    this.last = start ? start.seq : 0;
    this.#restart = false;
    return true;
  }

  disconnected() {
    this.connected = false;
  }

  /** The server dropped events for this client (it was too slow): the log restarts at the next event. */
  lagged() {
    this.#events = [];
    this.#restart = true;
    this.from = Number.POSITIVE_INFINITY;
  }

  /** Where a reconnect should resume (`Last-Event-ID`), if anywhere. */
  resumeId() {
    return this.epoch !== undefined && Number.isFinite(this.from) ? `${this.epoch}:${this.last}` : undefined;
  }

  /** A live event arrived: log it and hand it to every registered page handler. */
  push(type, data, id) {
    const p = parseEventId(id);
    if (p && p.epoch === this.epoch) {
      if (this.#restart) {
        this.from = p.seq - 1;
        this.#restart = false;
      }
      this.#events.push({ seq: p.seq, type, data });
      this.last = Math.max(this.last, p.seq);
      if (this.#events.length > MAX_EVENTS) this.from = this.#events.shift().seq;
    }
    this.deliver(type, data);
  }

  /** Hands an event (or a `lagged`/`hello` notice) to every registered handler. */
  deliver(type, data) {
    for (const h of this.#handlers) {
      try {
        h(type, data);
      } catch (err) {
        console.error('live event handler failed', err);
      }
    }
  }

  /**
   * Registers a page handler that rendered from snapshots with these `Live-Event-Id`s and replays what they
   * miss (see `replay`).
   */
  follow(handler, ...snapshotIds) {
    this.#handlers.add(handler);
    this.replay(handler, ...snapshotIds);
  }

  /**
   * Gives `handler` every logged event after the oldest of the snapshots. When the log cannot cover that gap,
   * the handler is told `lagged` (on the next tick) and should reload; while the stream is down and the epoch
   * differs, nothing happens now: the reconnect's hello tells every page to reload.
   */
  replay(handler, ...snapshotIds) {
    const ids = snapshotIds.map(parseEventId);
    if (ids.length === 0 || ids.some((p) => p === undefined)) return;
    if (ids.some((p) => p.epoch !== this.epoch)) {
      if (this.connected) this.#reload(handler, 'epoch');
      return;
    }
    const after = Math.min(...ids.map((p) => p.seq));
    if (after < this.from) {
      this.#reload(handler, 'gap');
      return;
    }
    for (const e of this.#events) if (e.seq > after) handler(e.type, e.data);
  }

  #reload(handler, reason) {
    const now = Date.now();
    const wait = Math.max(0, (this.#reloads.get(handler) ?? 0) + RELOAD_MS - now);
    this.#reloads.set(handler, now + wait);
    setTimeout(() => {
      if (this.#handlers.has(handler)) handler('lagged', { reason });
    }, wait);
  }

  /** Forgets every page handler (the shell calls it when it shows another page). */
  clearHandlers() {
    this.#handlers.clear();
  }
}
