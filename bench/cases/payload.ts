/**
 * Payload size: bytes per metric of a DDATA message carrying the same samples, Sparkplug B with aliases (after the
 * births) against our unified JSON mode. Target (issue 11): Sparkplug ≤ 1/3 of JSON.
 */
import { EdgeNode } from '../../agent/publish/edge-node.js';
import type { MetricInfo } from '../../protocols/metric.js';
import type { Sample } from '../../protocols/sample.js';
import type { BenchCase, BenchRow } from '../bench-types.js';
import { ratioRow } from '../bench-types.js';

function ddataBytes(format: 'sparkplug' | 'json', metrics: MetricInfo[], batches: Sample[][]): number {
  let t = 1_795_000_000_000;
  const edge = new EdgeNode({
    site: 'cq-plant1',
    node: 'line3-gw',
    devices: [{ id: 'press-07', metrics }],
    format,
    clock: () => t,
  });
  edge.will();
  edge.onConnected();
  let bytes = 0;
  for (const b of batches) {
    t += 1000;
    const msg = edge.data('press-07', b);
    if (!msg) throw new Error(`${format}: data refused`);
    bytes += msg.payload.byteLength;
  }
  return bytes;
}

export const payloadCase: BenchCase = {
  title: 'Payload: bytes per metric, Sparkplug B (aliases) vs JSON',
  async run(ctx) {
    const perMessage = 10;
    const messages = ctx.smoke ? 50 : 2000;
    const metrics: MetricInfo[] = Array.from({ length: perMessage }, (_, i) => ({
      name: `tag_${String(i).padStart(2, '0')}`,
      kind: i % 3 === 0 ? 'int32' : 'double',
      unit: 'kW',
    }));
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const batches: Sample[][] = [];
    for (let m = 0; m < messages; m++) {
      const ts = 1_795_000_000_000 + m * 1000;
      batches.push(
        metrics.map((info, i) => ({
          device: 'press-07',
          metric: info.name,
          value: info.kind === 'int32' ? Math.floor(rnd() * 100_000) : Math.round(rnd() * 1e6) / 1e3,
          timestamp: ts + i,
          quality: 'good',
        })),
      );
    }
    const n = messages * perMessage;
    const spb = ddataBytes('sparkplug', metrics, batches) / n;
    const json = ddataBytes('json', metrics, batches) / n;
    const row: BenchRow = ratioRow(
      {
        id: 'payload.bytes_per_metric',
        stage: 'payload',
        what: `DDATA, ${perMessage} metrics/message, per-metric timestamps`,
        value: spb,
        unit: 'B/metric',
        baseline: { name: 'unified JSON', value: json, unit: 'B/metric' },
      },
      { text: 'Sparkplug ≤ 1/3 of JSON', atMost: 1 / 3 },
    );
    return [row];
  },
};
