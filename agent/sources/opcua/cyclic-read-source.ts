/**
 * The OPC UA polling source: `read` groups read cyclically (client-side sampling, OPC Publisher's UseCyclicRead),
 * each read split into chunks of the server's MaxNodesPerRead so thousands of nodes work (Telegraf #11455).
 * Scheduling, overrun skipping and reconnect live in the poll runner; a failed chunk's nodes come back as bad
 * samples plus a failure value.
 */
import { AttributeIds, type DataValue } from 'node-opcua';
import type { Logger } from 'pino';
import type { MetricInfo } from '../../../protocols/metric.js';
import { chunk, effectiveLimit } from '../../../protocols/opcua/batches.js';
import type { Sample } from '../../../protocols/sample.js';
import type { PollGroupInfo, PollingSource, ReadFailure, ReadResult } from '../source.js';
import type { OpcuaDevice } from './check.js';
import type { MetricCatalog } from './metric-catalog.js';
import { messageOf, type OpcuaLink } from './opcua-link.js';
import { ItemDecoder } from './value-decoder.js';

/** BadNotConnected: what a node gets when there is no session to read it with. */
const BAD_NOT_CONNECTED = 0x808a0000;
/** BadCommunicationError: the Read service call itself failed. */
const BAD_COMMUNICATION = 0x80050000;

interface ReadGroup {
  intervalMs: number;
  nodes: { node: string; decoder: ItemDecoder }[];
}

export interface CyclicReadSourceDeps {
  log: Logger;
  link: OpcuaLink;
  catalog: MetricCatalog;
  clock: { now(): number };
}

export class OpcuaCyclicReadSource implements PollingSource {
  readonly kind = 'polling' as const;
  readonly device: string;
  readonly groups: readonly PollGroupInfo[];
  readonly #groups: ReadGroup[];
  /** service calls made, for tests and /metrics */
  readCalls = 0;

  constructor(
    device: OpcuaDevice,
    private readonly deps: CyclicReadSourceDeps,
  ) {
    this.device = device.id;
    const problem = (item: string, p: string): void => deps.log.warn({ item, problem: p }, 'value dropped');
    this.#groups = (device.read ?? []).map((g) => ({
      intervalMs: g.every,
      nodes: g.nodes.map((n) => ({
        node: n.node,
        decoder: new ItemDecoder(device.id, n.name, n.structure, deps.catalog, problem),
      })),
    }));
    this.groups = this.#groups.map((g) => ({
      intervalMs: g.intervalMs,
      description: `${g.nodes.length} node(s) every ${g.intervalMs} ms`,
    }));
  }

  get metrics(): readonly MetricInfo[] {
    return this.deps.catalog.metrics;
  }

  async connect(signal: AbortSignal): Promise<void> {
    await this.deps.link.open(signal);
  }

  async read(group: number, signal: AbortSignal): Promise<ReadResult> {
    const g = this.#groups[group];
    if (g === undefined) throw new RangeError(`no read group ${group}`);
    const samples: Sample[] = [];
    const failures: ReadFailure[] = [];
    const link = this.deps.link;
    if (!link.connected) {
      const now = this.deps.clock.now();
      for (const n of g.nodes) samples.push(...n.decoder.bad(now, BAD_NOT_CONNECTED));
      failures.push({
        code: 'OPCUA_NOT_CONNECTED',
        message: `not connected to ${link.endpoint}`,
        linkFault: true,
      });
      return { samples, failures };
    }
    const size = effectiveLimit(link.limits.maxNodesPerRead);
    for (const part of chunk(g.nodes, size)) {
      if (signal.aborted) break;
      this.readCalls++;
      let dvs: DataValue[];
      try {
        dvs = await link.session.read(
          part.map((n) => ({ nodeId: n.node, attributeId: AttributeIds.Value })),
          0,
        );
      } catch (err) {
        const now = this.deps.clock.now();
        for (const n of part) samples.push(...n.decoder.bad(now, BAD_COMMUNICATION));
        failures.push({
          code: 'OPCUA_READ_FAILED',
          message: `Read of ${part.length} node(s) failed: ${messageOf(err)}`,
          linkFault: true,
        });
        continue;
      }
      const now = this.deps.clock.now();
      part.forEach((n, i) => {
        const dv = dvs[i];
        if (dv === undefined) {
          samples.push(...n.decoder.bad(now, BAD_COMMUNICATION));
          return;
        }
        samples.push(...n.decoder.decode(dv, now));
      });
    }
    const bad = samples.filter((s) => s.quality === 'bad' && s.qualityCode !== BAD_COMMUNICATION).length;
    if (bad > 0) {
      failures.push({
        code: 'OPCUA_BAD_STATUS',
        message: `${bad} value(s) with a Bad status`,
        linkFault: false,
      });
    }
    return { samples, failures };
  }

  async close(): Promise<void> {
    await this.deps.link.close();
  }
}
