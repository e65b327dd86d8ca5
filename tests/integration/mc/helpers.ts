import { resolveDeviceFor } from '../../../agent/config/load-agent-config.js';
import { mc } from '../../../agent/sources/mc/index.js';

/** An MC device, resolved as the agent's loader resolves it from a file. */
export function mcDevice(input: Parameters<typeof resolveDeviceFor>[1]) {
  return resolveDeviceFor(mc, input);
}
