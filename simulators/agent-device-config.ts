/**
 * The agent device configs the simulators generate, as written in a config file. The agent's spec
 * (agent/config/device-spec.ts) is the reference, but simulators may not import agent/: this is the subset they
 * write. Tests hand these to the agent's resolver (the type must fit its input type, the values its checks) and
 * load the generated configs through the real agent loader (tests/unit/scenario/demo-config.test.ts).
 */
import type { McSeries } from '../protocols/mc/devices.js';
import type { McPointSpec } from '../protocols/mc/point.js';
import type { ModbusPointSpec } from '../protocols/modbus/point.js';
import type { S7PointSpec } from '../protocols/s7/point.js';

export interface SimDerive {
  signals?: Record<
    string,
    {
      from: string;
      type: '4-20mA' | '0-10V' | '2-10V';
      min: number;
      max: number;
      unit?: string;
      fault?: string;
    }
  >;
  state?: { from: string; off: number; running: number; hysteresis?: number; minDwell?: string };
  part_count?: { from: string; counter: true };
  power_kw?: { threePhase: { current: string; voltage: number; powerFactor: number } };
}

export interface SimOpcuaConnection {
  endpoint: string;
  securityMode?: 'None' | 'Sign' | 'SignAndEncrypt';
  securityPolicy?: 'None' | 'Basic256Sha256' | 'Aes128_Sha256_RsaOaep' | 'Aes256_Sha256_RsaPss';
  allowInsecure?: boolean;
  user?: { username: string; password: string };
  pki?: string;
}

export interface SimAgentDevice {
  id: string;
  tags?: Record<string, string>;
  modbus?: { url: string; unitId?: number; timeout?: string };
  poll?: { every: string; points: ModbusPointSpec[] }[];
  opcua?: SimOpcuaConnection;
  subscribe?: { name: string; node: string; samplingInterval?: string; type?: string; unit?: string }[];
  s7?: { host: string; port?: number; timeout?: string };
  variables?: { every: string; points: S7PointSpec[] }[];
  mc?: { url: string; series: McSeries; format?: 'binary' | 'ascii'; timeout?: string };
  mcPoll?: { every: string; points: McPointSpec[] }[];
  derive?: SimDerive;
  dlt645?: { url: string; address: string; timeout?: string };
  readings?: { every: string; points: { name: string; di: string }[] }[];
  hj212?: { listen: string; mn: string; password: string };
  pollutants?: string[];
}
