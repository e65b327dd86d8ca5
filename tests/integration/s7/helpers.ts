import { resolveDeviceFor } from '../../../agent/config/load-agent-config.js';
import { s7 } from '../../../agent/sources/s7/index.js';
import type { S7PointSpec } from '../../../protocols/s7/point.js';
import type { S7Simulator } from '../../../simulators/s7/s7-simulator.js';

/** An S7 PLC device, resolved as the agent's loader resolves it from a file. */
export function s7Device(input: Parameters<typeof resolveDeviceFor>[1]) {
  return resolveDeviceFor(s7, input);
}

type PointInput = S7PointSpec;

/** A device reading `points` from the simulator, every 100 ms. */
export function simDevice(
  id: string,
  sim: S7Simulator,
  points: PointInput[],
  extra: Record<string, unknown> = {},
) {
  return s7Device({
    id,
    s7: { host: sim.host, port: sim.port, timeout: '1s', ...extra },
    variables: [{ every: '100ms', points }],
  });
}
