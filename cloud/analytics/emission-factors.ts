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
  return provenanceMap(parseYaml(text, origin), 'factors', origin, true);
}

/**
 * The standard-coal table of the same file (`standardCoal:`, kgce per unit, GB/T 2589-2020): the same fields and
 * provenance as the emission factors. A file without the section gives an empty table.
 */
export function parseCoalTable(text: string, origin = 'emission factor table'): FactorTable {
  return provenanceMap(parseYaml(text, origin), 'standardCoal', origin, false);
}

export async function loadCoalTable(path = defaultFactorsPath()): Promise<FactorTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new AnalyticsConfigError(`cannot read the factor table ${path}`, { cause });
  }
  return parseCoalTable(text, path);
}

function parseYaml(text: string, origin: string): unknown {
  try {
    return parse(text);
  } catch (cause) {
    throw new AnalyticsConfigError(`${origin} is not valid YAML`, { cause });
  }
}

function provenanceMap(doc: unknown, section: string, origin: string, needed: boolean): FactorTable {
  const entries = (doc as Record<string, unknown> | null)?.[section];
  if (entries === undefined && !needed) return new Map();
  if (!entries || typeof entries !== 'object') {
    throw new AnalyticsConfigError(`${origin} has no \`${section}\` map`);
  }
  const out = new Map<string, EmissionFactor>();
  const problems: string[] = [];
  for (const [key, raw] of Object.entries(entries as Record<string, unknown>)) {
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
