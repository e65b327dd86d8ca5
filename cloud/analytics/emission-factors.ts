/**
 * The emission factor table (config/emission-factors.yaml): every factor with its unit, source and year, so each
 * emissions point can say which factor it used. Loading is the only I/O here; resolution is pure.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { FactorRef } from '../../config/schemas/analytics.js';
import { AnalyticsConfigError } from './errors.js';

export interface EmissionFactor {
  key: string;
  /** kg CO2e per unit of consumption */
  value: number;
  unit: string;
  source: string;
  year: number;
  /** the carrier's unit of consumption this factor applies to (kWh, m3, kg, GJ) */
  per: string;
}

export type FactorTable = ReadonlyMap<string, EmissionFactor>;

/** The package's default table: config/emission-factors.yaml (two levels above cloud/analytics, in src and dist). */
export function defaultFactorsPath(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const root = here.includes('/dist/')
    ? new URL('../../../', import.meta.url)
    : new URL('../../', import.meta.url);
  return fileURLToPath(new URL('config/emission-factors.yaml', root));
}

export async function loadFactorTable(path = defaultFactorsPath()): Promise<FactorTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new AnalyticsConfigError(`cannot read the emission factor table ${path}`, { cause });
  }
  return parseFactorTable(text, path);
}

export function parseFactorTable(text: string, origin = 'emission factor table'): FactorTable {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (cause) {
    throw new AnalyticsConfigError(`${origin} is not valid YAML`, { cause });
  }
  const factors = (doc as { factors?: unknown } | null)?.factors;
  if (!factors || typeof factors !== 'object') {
    throw new AnalyticsConfigError(`${origin} has no \`factors\` map`);
  }
  const out = new Map<string, EmissionFactor>();
  const problems: string[] = [];
  for (const [key, raw] of Object.entries(factors as Record<string, unknown>)) {
    const f = raw as Partial<Record<keyof EmissionFactor, unknown>> | null;
    if (
      !f ||
      typeof f.value !== 'number' ||
      typeof f.unit !== 'string' ||
      typeof f.source !== 'string' ||
      typeof f.year !== 'number' ||
      typeof f.per !== 'string'
    ) {
      problems.push(`${key}: needs value (number), unit, per, source (text) and year (number)`);
      continue;
    }
    out.set(key, { key, value: f.value, unit: f.unit, source: f.source, year: f.year, per: f.per });
  }
  if (problems.length > 0) throw new AnalyticsConfigError(`${origin}: ${problems.join('; ')}`);
  return out;
}

/** A configured factor: a table key, or an inline value with its provenance. */
export function resolveFactor(ref: FactorRef, table: FactorTable, per: string): EmissionFactor {
  if (typeof ref !== 'string') return { key: 'inline', per, ...ref };
  const f = table.get(ref);
  if (!f) throw new AnalyticsConfigError(`emission factor ${JSON.stringify(ref)} is not in the factor table`);
  return f;
}
