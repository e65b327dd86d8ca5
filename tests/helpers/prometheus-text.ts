/**
 * A strict reader of the Prometheus text exposition format (0.0.4) for tests: every line must be a HELP, a TYPE or
 * a sample of the family declared before it, or it throws with the line. Histogram samples (`_bucket`, `_sum`,
 * `_count`) belong to their family.
 */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PromFamily {
  name: string;
  type: string;
  help: string;
  samples: PromSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;

function parseLabels(text: string, line: string): Record<string, string> {
  const out: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const m = LABEL.exec(text);
    if (!m) throw new Error(`bad labels in: ${line}`);
    const [, k, v] = m;
    if (k === undefined || v === undefined) throw new Error(`bad labels in: ${line}`);
    if (k in out) throw new Error(`label ${k} twice in: ${line}`);
    out[k] = v.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  }
  return out;
}

function parseValue(v: string, line: string): number {
  if (v === '+Inf') return Number.POSITIVE_INFINITY;
  if (v === '-Inf') return Number.NEGATIVE_INFINITY;
  if (v === 'NaN') return Number.NaN;
  const n = Number(v);
  if (v.trim() === '' || Number.isNaN(n)) throw new Error(`bad value in: ${line}`);
  return n;
}

export function parsePrometheus(text: string): Map<string, PromFamily> {
  const families = new Map<string, PromFamily>();
  let current: PromFamily | undefined;
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# HELP ')) {
      const [name, ...help] = line.slice(7).split(' ');
      if (name === undefined || !NAME.test(name)) throw new Error(`bad HELP: ${line}`);
      if (families.has(name)) throw new Error(`family ${name} twice`);
      current = { name, type: 'untyped', help: help.join(' '), samples: [] };
      families.set(name, current);
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      if (current === undefined || name !== current.name || type === undefined)
        throw new Error(`TYPE without its HELP: ${line}`);
      if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type))
        throw new Error(`bad TYPE: ${line}`);
      current.type = type;
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m || current === undefined) throw new Error(`not a sample line: ${line}`);
    const [, name = '', , labelText = '', value = ''] = m;
    const own =
      name === current.name ||
      (current.type === 'histogram' &&
        [`${current.name}_bucket`, `${current.name}_sum`, `${current.name}_count`].includes(name));
    if (!own) throw new Error(`sample ${name} outside its family (in ${current.name}): ${line}`);
    const labels = parseLabels(labelText, line);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new Error(`duplicate series: ${line}`);
    seen.add(key);
    current.samples.push({ name, labels, value: parseValue(value, line) });
  }
  return families;
}

/** The value of one series (labels must match exactly), or undefined. */
export function seriesValue(
  families: Map<string, PromFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const family = families.get(name.replace(/_(bucket|sum|count)$/, '')) ?? families.get(name);
  const want = JSON.stringify(Object.entries(labels).sort());
  return family?.samples.find(
    (s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want,
  )?.value;
}
