/**
 * DataValue → Samples for one configured item: status → quality (code kept), source timestamp (server timestamp as
 * fallback, then receive time), arrays and structures flattened. A bad value is published as bad for every metric
 * of the item — never replaced by the last good value.
 */
import { qualityOfStatus } from '../../../protocols/opcua/status-quality.js';
import { flattenVariant, type StructureMode } from '../../../protocols/opcua/value-flatten.js';
import type { Sample } from '../../../protocols/sample.js';
import { normaliseSample } from '../../../protocols/sample.js';
import type { MetricCatalog } from './metric-catalog.js';

/** The parts of a node-opcua DataValue we read (duck-typed, so unit tests need no server). */
export interface DataValueLike {
  value: { dataType: number; arrayType?: number; value: unknown } | null;
  statusCode: { value: number };
  sourceTimestamp?: Date | null;
  serverTimestamp?: Date | null;
}

export type DecodeProblemSink = (item: string, problem: string) => void;

export class ItemDecoder {
  constructor(
    readonly device: string,
    readonly item: string,
    private readonly structure: StructureMode,
    private readonly catalog: MetricCatalog,
    private readonly problem: DecodeProblemSink,
  ) {}

  decode(dv: DataValueLike, receivedAt: number): Sample[] {
    const code = dv.statusCode.value >>> 0;
    const quality = qualityOfStatus(code);
    const timestamp = timeOf(dv.sourceTimestamp) ?? timeOf(dv.serverTimestamp) ?? receivedAt;
    const withCode = (s: Sample): Sample => (code === 0 ? s : { ...s, qualityCode: code });
    if (quality === 'bad' || dv.value === null || dv.value.dataType === 0) {
      if (quality !== 'bad') {
        // Good/Uncertain with a Null variant: the server has no value; that is a bad sample, not a silent drop
        return this.bad(timestamp, code === 0 ? 0x80000000 : code);
      }
      return this.bad(timestamp, code);
    }
    const { fields, problems } = flattenVariant(this.item, dv.value, this.structure);
    for (const p of problems) this.problem(this.item, p);
    this.catalog.observe(this.item, fields);
    return fields.map((f) =>
      normaliseSample(withCode({ device: this.device, metric: f.name, value: f.value, timestamp, quality })),
    );
  }

  /** Every metric of the item as bad (connection-level failures use this too). */
  bad(timestamp: number, code: number): Sample[] {
    return this.catalog.namesOf(this.item).map((metric) => ({
      device: this.device,
      metric,
      value: null,
      timestamp,
      quality: 'bad' as const,
      qualityCode: code >>> 0,
    }));
  }
}

function timeOf(d: Date | null | undefined): number | undefined {
  if (d === null || d === undefined) return undefined;
  const t = d.getTime();
  // node-opcua reports "no timestamp" as OPC UA MinDateTime (1601) or epoch 0
  return Number.isNaN(t) || t <= 0 ? undefined : t;
}
