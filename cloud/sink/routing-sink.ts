/**
 * Sends each line to the retention policy its measurement lives in (README "Data lifecycle"): with a lifecycle,
 * `telemetry` goes to the `raw` policy (v2: the `database/raw` bucket) and everything else to the database's
 * default policy. One sink per policy; a block is split into lines only when it holds both kinds.
 */

import type { InfluxSink, SinkStats, WriteOutcome } from './influx-sink.js';
import type { LineBlock } from './line-block.js';

export interface Route {
  /** line protocol prefix of the measurement, e.g. `telemetry,` (a measurement always has tags here) */
  prefix: string;
  sink: InfluxSink;
}

/** Splits the blocks into those for `route` and the rest; only mixed blocks are split into lines. */
export function splitByPrefix(
  blocks: readonly LineBlock[],
  prefix: string,
): { routed: LineBlock[]; rest: LineBlock[] } {
  const routed: LineBlock[] = [];
  const rest: LineBlock[] = [];
  for (const b of blocks) {
    if (!b.text.includes('\n')) (b.text.startsWith(prefix) ? routed : rest).push(b);
    else if (allStartWith(b.text, prefix)) routed.push(b);
    else if (!b.text.startsWith(prefix) && !b.text.includes(`\n${prefix}`)) rest.push(b);
    else {
      const mine: string[] = [];
      const other: string[] = [];
      for (const l of b.text.split('\n')) if (l !== '') (l.startsWith(prefix) ? mine : other).push(l);
      if (mine.length > 0) routed.push({ text: mine.join('\n'), lines: mine.length });
      if (other.length > 0) rest.push({ text: other.join('\n'), lines: other.length });
    }
  }
  return { routed, rest };
}

function allStartWith(text: string, prefix: string): boolean {
  if (!text.startsWith(prefix)) return false;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (i + 1 < text.length && !text.startsWith(prefix, i + 1)) return false;
  }
  return true;
}

export function createRoutingSink(fallback: InfluxSink, route: Route): InfluxSink {
  const merge = (a: WriteOutcome, b: WriteOutcome): WriteOutcome => ({
    accepted: a.accepted + b.accepted,
    rejected: [...a.rejected, ...b.rejected],
  });
  const none: WriteOutcome = { accepted: 0, rejected: [] };
  return {
    write: (points, signal) => fallback.write(points, signal),
    async writeLines(blocks, signal) {
      const { routed, rest } = splitByPrefix(blocks, route.prefix);
      // one after the other: a failure leaves the other half for the retry, which overwrites what was stored
      const a = routed.length > 0 ? await route.sink.writeLines(routed, signal) : none;
      const b = rest.length > 0 ? await fallback.writeLines(rest, signal) : none;
      return merge(a, b);
    },
    ensureDatabase: (signal) => fallback.ensureDatabase(signal),
    flavour: (signal) => fallback.flavour(signal),
    stats(): SinkStats {
      const a = fallback.stats();
      const b = route.sink.stats();
      return {
        requests: a.requests + b.requests,
        failedRequests: a.failedRequests + b.failedRequests,
        acceptedLines: a.acceptedLines + b.acceptedLines,
        rejectedLines: a.rejectedLines + b.rejectedLines,
      };
    },
    async close() {
      await Promise.all([fallback.close(), route.sink.close()]);
    },
  };
}
