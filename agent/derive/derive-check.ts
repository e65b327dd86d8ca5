/**
 * What a device's `derive` section reads and adds, and its own consistency rules. The device check
 * (agent/config/device-check.ts) runs it for `plantpulse check` and at start alike; the deriver plans from it. Pure.
 */
import type { ConfigIssue } from '../../config/errors.js';
import { formatKeyPath, type KeyPath } from '../../config/key-path.js';
import type { Derive } from './derive-spec.js';

export interface DeriveInput {
  name: string;
  /** relative to the device's `derive` key */
  path: KeyPath;
  /** source: a metric the device reads; analogue: that, a `signals` output, or `power_kw` */
  accepts: 'source' | 'analogue';
  /** bool: a status bit (a signal's `fault`); number: everything else */
  kind: 'number' | 'bool';
}

export interface DeriveOutput {
  name: string;
  path: KeyPath;
}

/** Metrics the section adds to its device. */
export function deriveOutputs(d: Derive): DeriveOutput[] {
  const out: DeriveOutput[] = [];
  for (const name of Object.keys(d.signals)) out.push({ name, path: ['signals', name] });
  if (d.power_kw)
    out.push({ name: 'power_kw', path: ['power_kw'] }, { name: 'energy_kwh', path: ['power_kw'] });
  if (d.state) out.push({ name: 'state', path: ['state'] });
  if (d.part_count) {
    out.push({ name: 'part_count', path: ['part_count'] });
    if ('cycles' in d.part_count) out.push({ name: 'cycle_time_s', path: ['part_count'] });
  }
  return out;
}

/** Metrics the section reads. */
export function deriveInputs(d: Derive): DeriveInput[] {
  const ins: DeriveInput[] = [];
  for (const [name, s] of Object.entries(d.signals)) {
    ins.push({ name: s.from, path: ['signals', name, 'from'], accepts: 'source', kind: 'number' });
    if (s.fault !== undefined) {
      ins.push({ name: s.fault, path: ['signals', name, 'fault'], accepts: 'source', kind: 'bool' });
    }
  }
  if (d.power_kw) {
    const phase = 'threePhase' in d.power_kw ? 'threePhase' : 'singlePhase';
    const spec = 'threePhase' in d.power_kw ? d.power_kw.threePhase : d.power_kw.singlePhase;
    ins.push({ name: spec.current, path: ['power_kw', phase, 'current'], accepts: 'source', kind: 'number' });
  }
  if (d.state) ins.push({ name: d.state.from, path: ['state', 'from'], accepts: 'analogue', kind: 'number' });
  if (d.part_count) {
    const counter = 'counter' in d.part_count;
    ins.push({
      name: d.part_count.from,
      path: ['part_count', 'from'],
      accepts: counter ? 'source' : 'analogue',
      kind: 'number',
    });
  }
  return ins;
}

/** A current may come from a scaled signal, but not from power_kw. */
function acceptsSignal(i: DeriveInput): boolean {
  return i.accepts === 'analogue' || (i.path[0] === 'power_kw' && i.path[2] === 'current');
}

/**
 * Everything wrong with a derive section's inputs and thresholds, given the device's own metrics (name → decoded
 * type, e.g. 'uint32', 'bool'; undefined when not known, as for OPC UA nodes). Paths are relative to the
 * device's `derive` key. Name clashes of the outputs (deriveOutputs) are the caller's to check.
 */
export function deriveProblems(
  d: Derive,
  device: string,
  sourceTypes: ReadonlyMap<string, string | undefined>,
): ConfigIssue[] {
  const problems: ConfigIssue[] = [];
  const add = (path: KeyPath, message: string) => problems.push({ path, message });
  const signals = new Set(Object.keys(d.signals));
  const known = [...sourceTypes.keys()];
  const list = known.length ? ` (it has: ${known.join(', ')})` : '';
  for (const i of deriveInputs(d)) {
    if (sourceTypes.has(i.name)) {
      const t = sourceTypes.get(i.name);
      if (i.kind === 'number' && (t === 'bool' || t === 'string')) {
        add(i.path, `"${i.name}" is a ${t} point; derive needs a number`);
      }
      if (i.kind === 'bool' && t !== undefined && t !== 'bool') {
        add(i.path, `"${i.name}" is a ${t} point; a fault input needs a bool`);
      }
      continue;
    }
    if (acceptsSignal(i) && signals.has(i.name)) continue;
    if (i.accepts === 'analogue' && i.name === 'power_kw' && d.power_kw) continue;
    const derived = acceptsSignal(i) ? ' nor a derived signal' : '';
    add(i.path, `"${i.name}" is not a metric read from device "${device}"${derived}${list}`);
  }
  for (const [name, s] of Object.entries(d.signals)) {
    if (s.min === s.max) add(['signals', name, 'max'], 'must differ from min');
  }
  if (d.state) {
    const { off, running } = d.state;
    const h = d.state.hysteresis;
    if (off >= running) add(['state', 'running'], 'must be greater than off');
    else if (h >= running - off)
      add(['state', 'hysteresis'], `must be smaller than running − off (${running - off})`);
  }
  if (d.part_count && 'counter' in d.part_count && d.part_count.bits === undefined) {
    const t = sourceTypes.get(d.part_count.from);
    if (t !== undefined && !/^u?int(16|32|64)$/.test(t)) {
      add(
        ['part_count', 'bits'],
        `cannot tell the register width of "${d.part_count.from}": set bits (16, 32 or 64)`,
      );
    }
  }
  return problems;
}

/** A metric the device's sources declare (agent/sources/component.ts DeclaredMetric). */
interface SourceMetric {
  name: string;
  path: KeyPath;
  type?: string;
}

/**
 * Every problem of a device's `derive` section, given the metrics its sources declare: inputs, thresholds, and
 * outputs whose names a source already uses. Paths relative to `derive`. The device check and the deriver both
 * call this.
 */
export function checkDerive(d: Derive, device: string, metrics: readonly SourceMetric[]): ConfigIssue[] {
  const types = new Map(metrics.map((m) => [m.name, m.type]));
  const issues = deriveProblems(d, device, types);
  const taken = new Map(metrics.map((m) => [m.name, m.path]));
  for (const o of deriveOutputs(d)) {
    const first = taken.get(o.name);
    if (first !== undefined) {
      issues.push({
        path: o.path,
        message: `duplicate metric name "${o.name}" on device "${device}" (also ${formatKeyPath(first)})`,
      });
    } else taken.set(o.name, ['derive', ...o.path]);
  }
  return issues;
}
