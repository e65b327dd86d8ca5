/**
 * The InfluxDB stage of the ingester (docs/architecture.md#writes-and-reads): writes Points with the official
 * client — through the v1 `/write` transport on InfluxDB 1.x, `/api/v2/write` otherwise — and reports exactly
 * what happened. It does not retry: the runner owns retries and reads `SinkError.retryable` / `retryAfterMs`.
 */
import {
  InfluxDB,
  type Point,
  type SendOptions,
  setLogger,
  type Transport,
  type WriteApi,
} from '@influxdata/influxdb-client';
import type { Logger } from '../../config/logging.js';
import type { InfluxTarget } from '../../config/schemas/influx.js';
import { detectFlavour, type InfluxFlavour } from '../../protocols/influx/flavour.js';
import { type InfluxAuth, queryInfluxQL } from '../../protocols/influx/influxql-query.js';
import { createV1WriteTransport } from '../../protocols/influx/v1-transport.js';
import { classifyWriteError } from './classify-write-error.js';
import { attributedLines, type LineItem, lineItemOf, splitConflict } from './line-attribution.js';
import { type LineBlock, splitBlocks } from './line-block.js';
import { SinkError } from './sink-error.js';

export interface RejectedLine {
  line: string;
  /** the server's reason (e.g. `partial write: field type conflict: …`) or ours */
  reason: string;
}

export interface WriteOutcome {
  /** lines the server stored */
  accepted: number;
  /** lines the server refused for what they contain; dead-letter them, never retry them */
  rejected: RejectedLine[];
}

export interface InfluxSink {
  /**
   * Writes the points (precision ms). Resolves with what was stored and what was refused line by line; rejects
   * with `SinkError` when the whole write failed (network, 5xx, 429, auth, missing database), or with the
   * signal's reason when aborted. After a rejection the batch may be partly stored: re-sending it is safe.
   */
  write(points: readonly Point[], signal?: AbortSignal): Promise<WriteOutcome>;
  /**
   * The same for lines already serialised (the spool's rows): concatenated into requests as they are, split into
   * single lines only when the server refuses some. `accepted`/`rejected` count lines.
   */
  writeLines(blocks: readonly LineBlock[], signal?: AbortSignal): Promise<WriteOutcome>;
  /** v1: creates the database (or checks it exists when `createDatabase: false`). v2/v3: nothing to do. */
  ensureDatabase(signal?: AbortSignal): Promise<void>;
  /** waits for writes in flight; later writes throw SINK_CLOSED */
  close(): Promise<void>;
  /** the API flavour in use (detected on first use when `api` is auto) */
  flavour(signal?: AbortSignal): Promise<InfluxFlavour>;
  /** counters since creation, for /metrics */
  stats(): SinkStats;
}

export interface SinkStats {
  /** HTTP write requests sent (including re-sends while isolating refused lines) */
  requests: number;
  /** requests that failed (any status other than 2xx, or no answer) */
  failedRequests: number;
  acceptedLines: number;
  rejectedLines: number;
}

export interface InfluxSinkOptions {
  /** ms clock, for Retry-After dates and undated points */
  now?: () => number;
  /** per request (default 30 s) */
  timeoutMs?: number;
  /** gzip request bodies above this many bytes (default: 1 KiB with `influx.gzip`, else never) */
  gzipThreshold?: number;
  /** split a write into requests of at most this many bytes (default 8 MiB; InfluxDB 1.x refuses > 25 MB) */
  maxRequestBytes?: number;
}

/** Route the client's own console logging into our logger (the client has one global logger). */
let clientLog: Logger | undefined;
function routeClientLog(log: Logger): void {
  if (clientLog === undefined) {
    setLogger({
      error: (message: string, err?: unknown) => clientLog?.debug({ err }, `influxdb-client: ${message}`),
      warn: (message: string, err?: unknown) => clientLog?.debug({ err }, `influxdb-client: ${message}`),
    });
  }
  clientLog = log;
}

/**
 * The transport with `signal` on every request. The client adds an `abort` listener to a request's signal and never
 * removes it, so the drainer's one long-lived signal would collect a listener per request (a leak, and Node's
 * MaxListenersExceededWarning after ten): each request gets its own signal, linked to `signal` only while it runs.
 */
function withSignal(base: Transport, signal: AbortSignal | undefined): Transport {
  if (!signal) return base;
  const scoped = (o: SendOptions): { options: SendOptions; done: () => void } => {
    const own = new AbortController();
    const abort = () => own.abort(signal.reason);
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    return { options: { ...o, signal: own.signal }, done: () => signal.removeEventListener('abort', abort) };
  };
  return {
    send: (path, body, options, callbacks) => {
      const { options: o, done } = scoped(options);
      base.send(path, body, o, {
        ...callbacks,
        error: (err) => {
          done();
          callbacks?.error?.(err);
        },
        complete: () => {
          done();
          callbacks?.complete?.();
        },
      });
    },
    request: (path, body, options, started) => {
      const { options: o, done } = scoped(options);
      return base.request(path, body, o, started).finally(done);
    },
    iterate: (path, body, options) => {
      const { options: o, done } = scoped(options);
      const inner = base.iterate(path, body, o);
      return (async function* () {
        try {
          yield* inner;
        } finally {
          done();
        }
      })();
    },
    get chunkCombiner() {
      return base.chunkCombiner;
    },
  };
}

/** Requests of at most `maxLines` lines and about `maxBytes` bytes; a block is split only when it alone is larger. */
function chunk(blocks: readonly LineBlock[], maxLines: number, maxBytes: number): LineBlock[][] {
  const out: LineBlock[][] = [];
  let cur: LineBlock[] = [];
  let lines = 0;
  let bytes = 0;
  const push = (b: LineBlock, size: number) => {
    if (cur.length > 0 && (lines + b.lines > maxLines || bytes + size > maxBytes)) {
      out.push(cur);
      cur = [];
      lines = 0;
      bytes = 0;
    }
    cur.push(b);
    lines += b.lines;
    bytes += size;
  };
  for (const b of blocks) {
    const size = Buffer.byteLength(b.text) + 1;
    if (b.lines > 1 && (b.lines > maxLines || size > maxBytes)) {
      for (const l of splitBlocks([b])) push({ text: l, lines: 1 }, Buffer.byteLength(l) + 1);
    } else push(b, size);
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** The URL without user info, for logs and messages. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username === '' && u.password === '') return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}

/** Creates the sink. No I/O happens until the first call. */
export function createInfluxSink(
  target: InfluxTarget,
  log: Logger,
  opts: InfluxSinkOptions = {},
): InfluxSink {
  const sinkLog = log.child({
    component: 'influx-sink',
    url: redactUrl(target.url),
    database: target.database,
  });
  routeClientLog(sinkLog);
  const now = opts.now ?? Date.now;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const maxLines = target.batchSize;
  const maxBytes = opts.maxRequestBytes ?? 8 * 1024 * 1024;
  const auth: InfluxAuth | undefined =
    target.token !== undefined
      ? { token: target.token }
      : target.username !== undefined
        ? { username: target.username, password: target.password ?? '' }
        : undefined;

  let flavourPromise: Promise<InfluxFlavour> | undefined;
  const configured = target.api === 'v1' || target.api === 'v2' ? target.api : undefined;
  let transport: { flavour: InfluxFlavour; base: Transport } | undefined;
  let closed = false;
  const inFlight = new Set<Promise<unknown>>();
  const counters: SinkStats = { requests: 0, failedRequests: 0, acceptedLines: 0, rejectedLines: 0 };

  function flavour(signal?: AbortSignal): Promise<InfluxFlavour> {
    if (configured) return Promise.resolve(configured);
    flavourPromise ??= detectFlavour(target.url, { timeoutMs, ...(signal ? { signal } : {}) }).then(
      (f) => {
        sinkLog.info({ flavour: f }, 'InfluxDB API flavour detected');
        return f;
      },
      (err: unknown) => {
        flavourPromise = undefined;
        signal?.throwIfAborted();
        throw new SinkError(
          'SINK_UNAVAILABLE',
          `cannot reach InfluxDB at ${redactUrl(target.url)}: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      },
    );
    return flavourPromise;
  }

  async function baseTransport(signal?: AbortSignal): Promise<{ flavour: InfluxFlavour; base: Transport }> {
    if (transport) return transport;
    const f = await flavour(signal);
    if (f === 'v1') {
      const base = createV1WriteTransport({
        url: target.url,
        database: target.database,
        ...(target.retentionPolicy !== undefined ? { retentionPolicy: target.retentionPolicy } : {}),
        ...(target.username !== undefined
          ? { username: target.username, password: target.password ?? '' }
          : {}),
        timeoutMs,
      });
      transport = { flavour: f, base };
    } else {
      const token =
        target.token ??
        (target.username !== undefined ? `${target.username}:${target.password ?? ''}` : undefined);
      const base = new InfluxDB({
        url: target.url,
        timeout: timeoutMs,
        ...(token !== undefined ? { token } : {}),
      }).transport;
      transport = { flavour: f, base };
    }
    return transport;
  }

  function writeApiFor(
    base: Transport,
    flavourNow: InfluxFlavour,
    lines: number,
    signal?: AbortSignal,
  ): WriteApi {
    const client = new InfluxDB({ url: target.url, transport: withSignal(base, signal) });
    const bucket =
      flavourNow === 'v1'
        ? target.database
        : (target.bucket ??
          (target.retentionPolicy ? `${target.database}/${target.retentionPolicy}` : target.database));
    const headers: Record<string, string> =
      flavourNow === 'v1' && target.token !== undefined && target.username === undefined
        ? { authorization: `Token ${target.token}` }
        : {};
    return client.getWriteApi(target.org ?? '', bucket, 'ms', {
      batchSize: lines + 1,
      maxBatchBytes: Number.POSITIVE_INFINITY,
      flushInterval: 0,
      maxRetries: 0,
      gzipThreshold: opts.gzipThreshold ?? (target.gzip ? 1024 : Number.POSITIVE_INFINITY),
      headers,
    });
  }

  /** One request; resolves on 2xx, rejects with the client's error. */
  async function post(lines: string[], signal?: AbortSignal): Promise<void> {
    const { flavour: f, base } = await baseTransport(signal);
    const api = writeApiFor(base, f, lines.length, signal);
    counters.requests++;
    try {
      api.writeRecords(lines);
      await api.flush();
    } catch (err) {
      counters.failedRequests++;
      throw err;
    } finally {
      api.dispose();
    }
  }

  /**
   * Writes `items`, isolating lines the server refuses (400/422) and splitting requests it finds too large (413).
   * Good lines of a partial write are stored already; re-sending them is an idempotent overwrite.
   */
  async function writeLines(
    items: LineItem[],
    outcome: WriteOutcome,
    signal?: AbortSignal,
    firstError?: { err: unknown },
  ): Promise<void> {
    signal?.throwIfAborted();
    try {
      if (firstError) throw firstError.err;
      await post(
        items.map((i) => i.line),
        signal,
      );
      outcome.accepted += items.length;
      return;
    } catch (err) {
      signal?.throwIfAborted();
      const d = classifyWriteError(err, now());
      if (d.kind === 'aborted') throw err;
      if (d.kind === 'retry') {
        if (d.code === 'SINK_DATABASE_NOT_FOUND') await createMissingDatabase(signal);
        throw new SinkError(d.code, `InfluxDB write failed: ${d.reason}`, {
          cause: err,
          ...(d.retryAfterMs !== undefined ? { retryAfterMs: d.retryAfterMs } : {}),
          ...(d.statusCode !== undefined ? { statusCode: d.statusCode } : {}),
        });
      }
      const reason = d.kind === 'too-large' ? `line too large for the server (413): ${d.reason}` : d.reason;
      const isMeant = d.kind === 'lines-rejected' ? attributedLines(reason) : undefined;
      if (items.length === 1 && !(isMeant && splitConflict(items[0] as LineItem, reason))) {
        outcome.rejected.push({ line: (items[0] as LineItem).line, reason });
        return;
      }
      // The server names the first problem only. When its message says which lines it means (type conflict,
      // parse error), reject all of those at once and re-send the rest to find any other problem. Of a line
      // refused for one field's type, only that field is refused: the line's other fields are sent again.
      if (isMeant) {
        const meant = items.filter(isMeant);
        if (meant.length > 0) {
          const rest = items.filter((i) => !isMeant(i));
          for (const m of meant) {
            const split = splitConflict(m, reason);
            if (split) {
              outcome.rejected.push({ line: split.refused, reason });
              rest.push(split.rest);
            } else outcome.rejected.push({ line: m.line, reason });
          }
          if (rest.length > 0) await writeLines(rest, outcome, signal);
          return;
        }
      }
    }
    const mid = Math.ceil(items.length / 2);
    await writeLines(items.slice(0, mid), outcome, signal);
    await writeLines(items.slice(mid), outcome, signal);
  }

  const settings = {
    convertTime: (t: string | number | Date | undefined): string | undefined => {
      if (t === undefined) return String(now());
      if (typeof t === 'number') return String(Math.floor(t));
      if (t instanceof Date) return String(t.getTime());
      return t;
    },
  };

  async function write(points: readonly Point[], signal?: AbortSignal): Promise<WriteOutcome> {
    const refused: RejectedLine[] = [];
    const blocks: LineBlock[] = [];
    for (const p of points) {
      const line = p.toLineProtocol(settings);
      if (line === undefined)
        refused.push({ line: p.toString(), reason: 'point has no measurement or no fields' });
      else blocks.push({ text: line, lines: 1 });
    }
    const outcome = await writeBlocks(blocks, signal);
    if (refused.length > 0) {
      outcome.rejected.unshift(...refused);
      counters.rejectedLines += refused.length;
    }
    return outcome;
  }

  async function writeBlocks(blocks: readonly LineBlock[], signal?: AbortSignal): Promise<WriteOutcome> {
    if (closed) throw new SinkError('SINK_CLOSED', 'write() after close()', { retryable: false });
    const outcome: WriteOutcome = { accepted: 0, rejected: [] };
    try {
      for (const c of chunk(blocks, maxLines, maxBytes)) {
        signal?.throwIfAborted();
        let lines = 0;
        for (const b of c) lines += b.lines;
        try {
          await post(
            c.map((b) => b.text),
            signal,
          );
          outcome.accepted += lines;
        } catch (err) {
          // refused or failed: the same handling as line by line, starting from this answer (not sent again)
          await writeLines(splitBlocks(c).map(lineItemOf), outcome, signal, { err });
        }
      }
    } finally {
      counters.acceptedLines += outcome.accepted;
      counters.rejectedLines += outcome.rejected.length;
    }
    return outcome;
  }

  function track<T>(p: Promise<T>): Promise<T> {
    inFlight.add(p);
    const done = () => inFlight.delete(p);
    p.then(done, done);
    return p;
  }

  async function ensureDatabase(signal?: AbortSignal): Promise<void> {
    const f = await flavour(signal);
    if (f !== 'v1') return;
    const q = (statement: string) =>
      queryInfluxQL(target.url, {
        q: statement,
        timeoutMs,
        ...(auth ? { auth } : {}),
        ...(signal ? { signal } : {}),
      });
    try {
      if (target.createDatabase === false) {
        const rows = await q('SHOW DATABASES');
        if (!rows.some((r) => r['name'] === target.database)) {
          throw new SinkError('SINK_DATABASE_NOT_FOUND', `database ${target.database} does not exist`);
        }
        return;
      }
      await q(`CREATE DATABASE "${target.database.replace(/["\\]/g, '\\$&')}"`);
      sinkLog.info('database ensured');
    } catch (err) {
      if (err instanceof SinkError) throw err;
      signal?.throwIfAborted();
      const e = err as { code?: string; retryable?: boolean; message?: string };
      const code = e.code === 'INFLUX_QUERY_UNAUTHORIZED' ? 'SINK_UNAUTHORIZED' : 'SINK_UNAVAILABLE';
      throw new SinkError(code, `ensuring database ${target.database} failed: ${e.message}`, {
        cause: err,
        retryable: e.retryable ?? true,
      });
    }
  }

  /**
   * The database vanished or was never created (InfluxDB came up after us, or was reset): create it when allowed,
   * so the runner's next retry succeeds. Best effort; the write still reports SINK_DATABASE_NOT_FOUND.
   */
  async function createMissingDatabase(signal?: AbortSignal): Promise<void> {
    if (target.createDatabase === false || transport?.flavour !== 'v1') return;
    try {
      await ensureDatabase(signal);
    } catch (err) {
      sinkLog.debug({ err: (err as Error).message }, 'creating the missing database failed');
    }
  }

  return {
    write: (points, signal) => track(write(points, signal)),
    writeLines: (blocks, signal) => track(writeBlocks(blocks, signal)),
    ensureDatabase: (signal) => track(ensureDatabase(signal)),
    flavour,
    stats: () => ({ ...counters }),
    close: async () => {
      closed = true;
      await Promise.allSettled([...inFlight]);
    },
  };
}
