/**
 * Configs built in test code, resolved exactly as the loader resolves a file (defaults, durations in ms, the same
 * checks): tests hand the product what it gets in production.
 */
import type { StaticEncode } from '@sinclair/typebox';
import {
  resolveAgentConfig,
  resolveAgentDevice,
  resolveDeviceFor,
} from '../../agent/config/load-agent-config.js';
import { modbus } from '../../agent/sources/modbus/index.js';
import { opcua } from '../../agent/sources/opcua/index.js';
import { resolveConfig } from '../../config/load.js';
import { AnalyticsConfig } from '../../config/schemas/analytics.js';
import { ApiConfig } from '../../config/schemas/api.js';
import { EmbeddedBroker } from '../../config/schemas/broker.js';
import { CloudConfig } from '../../config/schemas/cloud.js';
import { InfluxTarget } from '../../config/schemas/influx.js';
import { LifecycleConfig } from '../../config/schemas/lifecycle.js';

export const agentConfig = resolveAgentConfig;
export const agentDevice = resolveAgentDevice;

export function modbusDevice(input: Parameters<typeof resolveAgentDevice>[0]) {
  return resolveDeviceFor(modbus, input);
}

export function opcuaDevice(input: Parameters<typeof resolveAgentDevice>[0]) {
  return resolveDeviceFor(opcua, input);
}

export function cloudConfig(input: StaticEncode<typeof CloudConfig>) {
  return resolveConfig(CloudConfig, input, 'cloud config');
}

export function brokerConfig(input: StaticEncode<typeof EmbeddedBroker>) {
  return resolveConfig(EmbeddedBroker, input, 'broker');
}

export function influxTarget(input: StaticEncode<typeof InfluxTarget>) {
  return resolveConfig(InfluxTarget, input, 'influx');
}

export function apiConfig(input: StaticEncode<typeof ApiConfig>) {
  return resolveConfig(ApiConfig, input, 'api');
}

export function analyticsConfig(input: StaticEncode<typeof AnalyticsConfig>) {
  return resolveConfig(AnalyticsConfig, input, 'analytics');
}

export function lifecycleConfig(input: StaticEncode<typeof LifecycleConfig>) {
  return resolveConfig(LifecycleConfig, input, 'lifecycle');
}
