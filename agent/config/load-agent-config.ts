import type { TProperties } from '@sinclair/typebox';
import { ConfigError } from '../../config/errors.js';
import { type LoadedConfig, type LoadOptions, loadConfig, resolveConfig } from '../../config/load.js';
import type { DeviceFor, SourceComponent } from '../sources/component.js';
import { AgentConfig, type AgentConfigInput } from './agent-spec.js';
import { AgentDevice, type AgentDeviceInput } from './device-spec.js';

/** Loads, checks and resolves an agent config file (config/load.ts); every problem at once, before any I/O. */
export function loadAgentConfig(file: string, opts: LoadOptions = {}): Promise<LoadedConfig<AgentConfig>> {
  return loadConfig(file, AgentConfig, opts);
}

/** The same for an agent config built in code (tests, generated configs): ConfigError on any problem. */
export function resolveAgentConfig(input: AgentConfigInput): AgentConfig {
  return resolveConfig(AgentConfig, input, 'agent config');
}

/** One device built in code, checked and resolved exactly as in a config file. */
export function resolveAgentDevice(input: AgentDeviceInput): AgentDevice {
  return resolveConfig(AgentDevice, input, 'device');
}

/** One device of a given component (tests, benchmarks): resolved, checked, and typed as the component takes it. */
export function resolveDeviceFor<P extends TProperties, K extends string>(
  component: SourceComponent<P, K>,
  input: AgentDeviceInput,
): DeviceFor<P, K & keyof P> {
  const own = component.own(resolveAgentDevice(input));
  if (own === undefined) {
    throw new ConfigError([
      { file: 'device', line: 0, column: 0, path: component.configKey, message: 'is required' },
    ]);
  }
  return own;
}
