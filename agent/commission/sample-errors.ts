/**
 * Why each bad or uncertain sample of one read is so: the source's failure that names the metric (Modbus: the
 * request's timeout, exception or CRC error, with its hint), else the OPC UA StatusCode the sample carries (by
 * name), else the read's only failure. Pure except for the status names, which come from node-opcua, loaded only
 * when an OPC UA code is to be named.
 */
import { formatStatusCode } from '../../protocols/opcua/status-quality.js';
import type { Sample } from '../../protocols/sample.js';
import type { ReadFailure } from '../sources/source.js';
import type { RowError } from './once-report.js';

/** Metric name → why it is not good, for the samples of one read. */
export async function explainSamples(
  samples: readonly Sample[],
  failures: readonly ReadFailure[],
): Promise<Map<string, RowError>> {
  const out = new Map<string, RowError>();
  const byMetric = new Map<string, ReadFailure>();
  for (const f of failures) for (const m of f.metrics ?? []) if (!byMetric.has(m)) byMetric.set(m, f);
  const unnamed = failures.filter((f) => f.metrics === undefined);
  const codes = samples.flatMap((s) =>
    s.quality !== 'good' && s.qualityCode !== undefined ? [s.qualityCode] : [],
  );
  const names = await opcuaStatusNames(codes);
  for (const s of samples) {
    if (s.quality === 'good') continue;
    const f = byMetric.get(s.metric);
    if (f !== undefined) {
      out.set(s.metric, { code: f.code, message: f.message });
    } else if (s.qualityCode !== undefined) {
      const hex = formatStatusCode(s.qualityCode);
      const named = names.get(s.qualityCode);
      out.set(s.metric, {
        code: named?.name ?? hex,
        message: named === undefined ? `status ${hex}` : `${hex} ${named.description}`,
      });
    } else if (unnamed.length === 1 && unnamed[0] !== undefined) {
      out.set(s.metric, { code: unnamed[0].code, message: unnamed[0].message });
    } else if (unnamed.length > 1) {
      out.set(s.metric, {
        code: unnamed.map((u) => u.code).join('+'),
        message: unnamed.map((u) => u.message).join('; '),
      });
    }
  }
  return out;
}

async function opcuaStatusNames(
  codes: readonly number[],
): Promise<Map<number, { name: string; description: string }>> {
  const out = new Map<number, { name: string; description: string }>();
  if (codes.length === 0) return out;
  const { getStatusCodeFromCode } = await import('node-opcua');
  for (const code of new Set(codes)) {
    const sc = getStatusCodeFromCode(code >>> 0);
    // node-opcua names unknown codes by their bits ("Bad#SemanticChanged|…"): only a real name is a name
    if (/^[A-Za-z]+$/.test(sc.name)) out.set(code, { name: sc.name, description: sc.description });
  }
  return out;
}
