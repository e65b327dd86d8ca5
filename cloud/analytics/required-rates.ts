/**
 * Required equipping rates of energy meters (%), per carrier and GB 17167 level, and where each one comes from: the
 * plant's own setting (`analytics.energyTree.requiredRates`) or the built-in defaults.
 *
 * The defaults are GB 17167-2006 Table 1 (用能单位能源计量器具配备率要求) as a secondary transcription gives it: no
 * primary text of the table (2006 or 2025 edition) could be reached, and GB 17167-2025 is in force since
 * 2026-02-01. docs/kpi.md#verification-status says what was searched and what agrees.
 */
import type { Carrier } from '../../config/schemas/analytics.js';
import type { RequiredRates } from '../../config/schemas/energy-tree.js';

/** GB 17167's three levels: the organisation (用能单位), its sub-units (次级用能单位), main equipment (主要用能设备). */
export type CoverageLevel = 'organisation' | 'sub_unit' | 'equipment';

/** Where a required rate comes from (the `required_source` field of metering_coverage points). */
export type RateSource = 'gb17167-2006' | 'plant';

/** The provenance of each source in plain words, as the API states it. */
export const RATE_SOURCE_TEXT: Record<RateSource, string> = {
  'gb17167-2006':
    'GB 17167-2006 表1 (secondary transcription; GB 17167-2025 in force since 2026-02-01 — confirm against your copy)',
  plant: 'plant setting (analytics.energyTree.requiredRates)',
};

/**
 * The defaults, organisation / sub-units / main equipment: electricity 100/100/95, natural gas 100/100/90, steam
 * 100/80/70, water 100/95/80, refined oil (diesel) 100/100/95. Compressed air is not in the table: no default.
 */
export const GB17167_2006_TABLE1: Partial<Record<Carrier, Record<CoverageLevel, number>>> = {
  electricity: { organisation: 100, sub_unit: 100, equipment: 95 },
  natural_gas: { organisation: 100, sub_unit: 100, equipment: 90 },
  steam: { organisation: 100, sub_unit: 80, equipment: 70 },
  water: { organisation: 100, sub_unit: 95, equipment: 80 },
  diesel: { organisation: 100, sub_unit: 100, equipment: 95 },
};

export interface RequiredRate {
  pct: number;
  source: RateSource;
}

/** The plant's rate where it set one, else the default; undefined where neither gives one. */
export function requiredRate(
  carrier: Carrier,
  level: CoverageLevel,
  plant: RequiredRates,
): RequiredRate | undefined {
  const own = plant[carrier]?.[level];
  if (own !== undefined) return { pct: own, source: 'plant' };
  const dflt = GB17167_2006_TABLE1[carrier]?.[level];
  return dflt === undefined ? undefined : { pct: dflt, source: 'gb17167-2006' };
}
