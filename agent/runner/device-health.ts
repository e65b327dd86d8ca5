/** What the runner knows about each device, for the agent's /healthz, /metrics and logs. */
export interface DeviceHealth {
  device: string;
  /** the source's connection is open */
  connected: boolean;
  /** last reachability reported through onReachability (null before the first connect attempt ends) */
  reachable: boolean | null;
  /** ms since epoch of the last poll without any failure */
  lastGoodPoll: number | null;
  lastError: { code: string; message: string; at: number; detail?: number | string } | null;
  /** failures by code (MODBUS_TIMEOUT, MODBUS_EXCEPTION, …, CONNECT_FAILED, SOURCE_THREW) */
  errors: Record<string, number>;
  /** Modbus exception counts by exception code, e.g. { "2": 4 } */
  exceptionCodes: Record<string, number>;
  /** ticks skipped because the previous poll of that group was still running */
  skippedTicks: number;
  polls: number;
  reconnects: number;
  consecutiveLinkFaults: number;
}

export function emptyHealth(device: string): DeviceHealth {
  return {
    device,
    connected: false,
    reachable: null,
    lastGoodPoll: null,
    lastError: null,
    errors: {},
    exceptionCodes: {},
    skippedTicks: 0,
    polls: 0,
    reconnects: 0,
    consecutiveLinkFaults: 0,
  };
}
