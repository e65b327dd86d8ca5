/**
 * How `plantpulse agent --once` prints what it read: an aligned table grouped by device (default), or one JSON object
 * per line and sample (`--format json`) for scripts and CI. The summary goes to stderr so stdout stays parseable.
 */
import type { OnceReport, OnceRow } from '../../agent/commission/once-report.js';
import { summarise } from '../../agent/commission/once-report.js';
import type { SampleValue } from '../../protocols/sample.js';
import { alignColumns } from '../text-table.js';

export function onceTable(report: OnceReport): string {
  const header = ['METRIC', 'VALUE', 'UNIT', 'QUALITY', 'TIME', 'NOTE'];
  const cells = report.devices.map((d) => d.rows.map(rowCells));
  // one alignment for every section, so the columns of all devices line up
  const aligned = alignColumns([header, ...cells.flat()]);
  const out: string[] = [];
  let at = 1;
  report.devices.forEach((d, i) => {
    const state = d.reachable
      ? 'reachable'
      : `UNREACHABLE ${d.error?.code ?? ''}: ${d.error?.message ?? 'no answer'}`;
    out.push(`${i === 0 ? '' : '\n'}${d.device} · ${d.target} · ${state}`);
    out.push(`  ${aligned[0] ?? ''}`);
    for (let n = 0; n < (cells[i]?.length ?? 0); n++) out.push(`  ${aligned[at + n] ?? ''}`);
    at += cells[i]?.length ?? 0;
  });
  return `${out.join('\n')}\n`;
}

function rowCells(r: OnceRow): string[] {
  const notes: string[] = [];
  if (r.derived) notes.push('derived');
  if (r.needsHistory !== undefined) notes.push(r.needsHistory);
  if (r.error !== undefined) notes.push(`${r.error.code}: ${r.error.message}`);
  return [
    r.metric,
    r.quality === undefined || r.quality === 'bad' ? '-' : valueText(r.value),
    r.unit ?? '',
    r.quality ?? '-',
    r.timestamp === undefined ? '-' : new Date(r.timestamp).toISOString(),
    notes.join('; '),
  ];
}

/** A value as a user reads it: strings quoted (so trailing spaces and empty strings show), bigints exact. */
export function valueText(v: SampleValue): string {
  if (v === null) return '-';
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

/** One JSON object per row: `{device, metric, value, unit, quality, timestamp, time, derived, code?, message?}`. */
export function onceJsonLines(report: OnceReport): string {
  const lines: string[] = [];
  for (const d of report.devices) {
    for (const r of d.rows) {
      const o: Record<string, unknown> = {
        device: r.device,
        metric: r.metric,
        // 64-bit integers stay exact as decimal strings (JSON numbers lose them past 2^53)
        value: typeof r.value === 'bigint' ? r.value.toString() : r.value,
        unit: r.unit ?? null,
        quality: r.quality ?? null,
        timestamp: r.timestamp ?? null,
        time: r.timestamp === undefined ? null : new Date(r.timestamp).toISOString(),
        derived: r.derived,
      };
      if (r.error !== undefined) Object.assign(o, { code: r.error.code, message: r.error.message });
      if (r.needsHistory !== undefined) o.needsHistory = r.needsHistory;
      if (!d.reachable) o.deviceReachable = false;
      lines.push(JSON.stringify(o));
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export function onceSummary(report: OnceReport): string {
  const s = summarise(report);
  const parts = [`${s.good} good`, `${s.uncertain} uncertain`, `${s.bad} bad`];
  if (s.needsHistory > 0) parts.push(`${s.needsHistory} need history`);
  const dead = s.unreachable.length === 0 ? '' : `; unreachable: ${s.unreachable.join(', ')}`;
  return `read ${s.devices} device(s) once: ${parts.join(', ')}${dead}\n`;
}
