import { createCncModel } from './cnc.js';
import type { ModelFactory } from './machine-model.js';
import { createTypeShowcaseModel } from './type-showcase.js';

/** Every machine model the OPC UA simulator knows, by the name used in `startOpcuaSimulator({ model })`. */
export const machineModels = {
  cnc: createCncModel,
  types: createTypeShowcaseModel,
} satisfies Record<string, ModelFactory>;

export type MachineModelName = keyof typeof machineModels;
