/** Standard-coal factors per carrier (GB/T 2589-2020), resolved from the factor table or inline config values. */
import type { CoalRef, StandardCoal } from '../../config/schemas/analytics.js';
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

export function resolveCoal(cfg: StandardCoal, table: FactorTable): CoalFactors {
  return {
    electricity: resolveOne('electricity', cfg.electricity, table),
    electricityEqualValue: resolveOne('electricityEqualValue', cfg.electricityEqualValue, table),
    natural_gas: resolveOne('natural_gas', cfg.natural_gas, table),
    diesel: resolveOne('diesel', cfg.diesel, table),
    steam: resolveOne('steam', cfg.steam, table),
  };
}
