/** Standard-coal factors per carrier (GB/T 2589-2020), resolved from the factor table or inline config values. */
import type { AnalyticsConfig, CoalRef, StandardCoal } from '../../config/schemas/analytics.js';
import type { EmissionFactor, FactorTable } from './emission-factors.js';
import type { CoalFactors } from './energy-tree.js';
import { AnalyticsConfigError } from './errors.js';

const PER: Record<keyof CoalFactors, string> = {
  electricity: 'kWh',
  electricityEqualValue: 'kWh',
  natural_gas: 'm3',
  diesel: 'kg',
  steam: 'GJ',
};

function resolveOne(name: keyof CoalFactors, ref: CoalRef, table: FactorTable): EmissionFactor {
  const per = PER[name];
  if (typeof ref !== 'string') return { key: 'inline', per, ...ref };
  const f = table.get(ref);
  if (!f) {
    throw new AnalyticsConfigError(
      `standard-coal factor ${JSON.stringify(ref)} (analytics.standardCoal.${name}) is not in the factor table's standardCoal map`,
    );
  }
  if (f.per.toLowerCase() !== per.toLowerCase()) {
    throw new AnalyticsConfigError(
      `standard-coal factor ${ref} is per ${f.per}, but analytics.standardCoal.${name} needs one per ${per}`,
    );
  }
  return f;
}

/** No built-in 等价值: unset, the equal-value tce is not computed (and the cloud says so once at start). */
export function resolveCoal(cfg: StandardCoal, table: FactorTable): CoalFactors {
  const eq = cfg.electricityEqualValue;
  return {
    electricity: resolveOne('electricity', cfg.electricity, table),
    electricityEqualValue: eq === undefined ? undefined : resolveOne('electricityEqualValue', eq, table),
    natural_gas: resolveOne('natural_gas', cfg.natural_gas, table),
    diesel: resolveOne('diesel', cfg.diesel, table),
    steam: resolveOne('steam', cfg.steam, table),
  };
}

/**
 * What the cloud logs once at start when the plant has a metering tree but no electricity equal value (等价值):
 * the key to set and what GB/T 2589-2020 asks for. Undefined when there is nothing to say.
 */
export function equalValueNotice(cfg: AnalyticsConfig): string | undefined {
  if (cfg.energyTree.nodes.length === 0 || cfg.standardCoal.electricityEqualValue !== undefined)
    return undefined;
  return (
    'electricity equal value (等价值) not set: the energy tree gives standard coal at the equivalent value ' +
    '(当量值 0.1229 kgce/kWh) only; set analytics.standardCoal.electricityEqualValue to ' +
    "{ value, unit: kgce/kWh, source, year } (GB/T 2589-2020: the previous year's 发电标准煤耗) for the equal-value tce"
  );
}
