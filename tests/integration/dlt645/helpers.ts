import { resolveDeviceFor } from '../../../agent/config/load-agent-config.js';
import { dlt645 } from '../../../agent/sources/dlt645/index.js';

/** A DL/T 645 meter device, resolved as the agent's loader resolves it from a file. */
export function meterDevice(input: Parameters<typeof resolveDeviceFor>[1]) {
  return resolveDeviceFor(dlt645, input);
}

type PointInput = { name: string; di: string; format?: string; unit?: string; timeName?: string };

export function meterConfig(
  id: string,
  url: string,
  address: string,
  points: PointInput[],
  extra: Record<string, unknown> = {},
) {
  return meterDevice({
    id,
    dlt645: { url, address, timeout: '1s', interFrameDelay: '0ms', ...extra },
    readings: [{ every: '10s', points }],
  });
}
