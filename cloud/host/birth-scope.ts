/**
 * What one Sparkplug birth (NBIRTH, or a DBIRTH) announces: the alias and name maps that DATA messages resolve
 * against, and the metric catalogue. `bdSeq` and `Node Control/*` are session control, not metrics; device tags
 * (`Properties/<key>`, device-properties.ts) resolve by alias but are neither metrics nor samples. Pure: no I/O.
 */
import type { MetricInfo } from '../../protocols/metric.js';
import { METRIC_NAME_PATTERN } from '../../protocols/sample.js';
import { metricInfoFromBirth, type SpbMetric, type SpbPayload } from '../../protocols/sparkplug/index.js';
import { isTagProperty } from './device-properties.js';

export interface MetricDef {
  name: string;
  datatype: number;
  /** a device tag (`Properties/<key>`, device-properties.ts): birth only, never a sample */
  property?: true;
  /** the name is a valid metric name (`METRIC_NAME_PATTERN`): checked once here, not per value */
  nameOk: boolean;
}

/** What a birth announced for the node itself or one device. */
export interface Scope {
  /** aliases up to 2^53 (all a real edge node uses): a number key, so a DATA message's alias needs no BigInt */
  byAlias: Map<number, MetricDef>;
  /** aliases beyond 2^53 */
  byBigAlias: Map<bigint, MetricDef>;
  byName: Map<string, MetricDef>;
  online: boolean;
  /** the birth had more metrics than the bound: DATA of the refused ones is METRIC_LIMIT, not an unknown alias */
  overLimit?: true;
}

export function emptyScope(online: boolean): Scope {
  return { byAlias: new Map(), byBigAlias: new Map(), byName: new Map(), online };
}

export const BDSEQ = 'bdSeq';
export const isControl = (name: string): boolean => name === BDSEQ || name.startsWith('Node Control/');

/**
 * The maps and catalogue of a birth's metrics; `skipped` explains metrics whose datatype a Sample cannot hold.
 * At most `maxMetrics` names are taken (the first ones, in the birth's order); `refused` counts the rest.
 */
export function scopeOf(
  metrics: SpbMetric[],
  maxMetrics = Number.POSITIVE_INFINITY,
): { scope: Scope; infos: MetricInfo[]; skipped: string[]; refused: number } {
  const scope: Scope = emptyScope(true);
  const infos: MetricInfo[] = [];
  const skipped: string[] = [];
  let refused = 0;
  for (const m of metrics) {
    if (m.name === undefined || m.datatype === undefined || isControl(m.name)) continue;
    if (scope.byName.size >= maxMetrics && !scope.byName.has(m.name)) {
      refused++;
      continue;
    }
    const def: MetricDef = { name: m.name, datatype: m.datatype, nameOk: METRIC_NAME_PATTERN.test(m.name) };
    if (isTagProperty(m)) def.property = true;
    scope.byName.set(m.name, def);
    if (m.alias !== undefined) {
      if (m.alias <= BigInt(Number.MAX_SAFE_INTEGER)) scope.byAlias.set(Number(m.alias), def);
      else scope.byBigAlias.set(m.alias, def);
    }
    if (def.property) continue;
    const info = metricInfoFromBirth(m);
    if (info.ok) infos.push(info.value);
    else skipped.push(info.reason);
  }
  if (refused > 0) scope.overLimit = true;
  return { scope, infos, skipped, refused };
}

/**
 * The bdSeq metric of a birth or death, when it is an integer. A bdSeq sent as a float or double with a fraction
 * (`BigInt(-3.5e-30)` throws) counts as missing: the fuzzer's ingest-message target found it aborting NBIRTH
 * handling with HOST_INTERNAL.
 */
export function bdSeqOf(p: SpbPayload): bigint | undefined {
  const bd = p.metrics.find((m) => m.name === BDSEQ)?.value;
  if (typeof bd === 'bigint') return bd;
  return typeof bd === 'number' && Number.isInteger(bd) ? BigInt(bd) : undefined;
}
