import { deriveOutputs, deriveProblems } from './derive-checks.js';
import type { ConfigIssue } from './errors.js';
import { formatKeyPath, type KeyPath } from './key-path.js';
import type { AgentConfig, AgentDevice } from './schemas/agent.js';
import { type Duration, toMs } from './schemas/common.js';
import type { ModbusConnection, ModbusPoint } from './schemas/modbus.js';
import type { SemanticContext } from './semantic-checks.js';

/** The fastest poll or read interval we accept: below this a gateway only burns CPU and the bus. */
export const MIN_POLL_MS = 10;

const REGISTERS: Record<string, number> = {
  bool: 1,
  int16: 1,
  uint16: 1,
  int32: 2,
  uint32: 2,
  float32: 2,
  int64: 4,
  uint64: 4,
  float64: 4,
};

/** Milliseconds, or NaN when the schema already rejected the duration (comparisons with NaN are false). */
function ms(d: Duration): number {
  try {
    return toMs(d);
  } catch {
    return Number.NaN;
  }
}

/**
 * The type a Modbus point decodes as when `type` is left out: bool for coils, discrete inputs and `bit` points,
 * uint16 for a whole register.
 */
export function effectivePointType(p: ModbusPoint): string {
  if (p.type !== undefined) return p.type;
  return p.table === 'coil' || p.table === 'discrete' || p.bit !== undefined ? 'bool' : 'uint16';
}

/**
 * Cross-field rules of the agent config (docs/architecture.md#configuration) that the schema cannot express.
 */
export function agentSemanticChecks(cfg: AgentConfig, _ctx?: SemanticContext): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: KeyPath, message: string) => issues.push({ path, message });

  if (cfg.mqtt.cert !== undefined && cfg.mqtt.key === undefined) add(['mqtt'], 'cert needs key');
  if (cfg.mqtt.key !== undefined && cfg.mqtt.cert === undefined) add(['mqtt'], 'key needs cert');
  if (cfg.heartbeat !== undefined && ms(cfg.heartbeat) < 1000) add(['heartbeat'], 'must be at least 1s');

  const firstId = new Map<string, number>();
  cfg.devices.forEach((d, i) => {
    const seen = firstId.get(d.id);
    if (seen !== undefined)
      add(['devices', i, 'id'], `duplicate device id "${d.id}" (also devices[${seen}].id)`);
    else firstId.set(d.id, i);
    checkDevice(d, ['devices', i], add);
  });
  return issues;
}

type Add = (path: KeyPath, message: string) => void;

function checkDevice(d: AgentDevice, at: KeyPath, add: Add): void {
  if (d.modbus && d.opcua) add(at, 'has both modbus and opcua; use one device entry per connection');
  if (!d.modbus && !d.opcua) add(at, 'needs a connection: modbus or opcua');
  if (d.modbus) {
    if (!d.poll?.length) add(at, 'a modbus device needs poll');
    if (d.subscribe) add([...at, 'subscribe'], 'subscribe is for OPC UA devices; modbus devices use poll');
    if (d.read) add([...at, 'read'], 'read is for OPC UA devices; modbus devices use poll');
    checkModbusConnection(d.modbus, [...at, 'modbus'], add);
  }
  if (d.opcua) {
    if (!d.subscribe?.length && !d.read?.length) add(at, 'an opcua device needs subscribe or read');
    if (d.poll && !d.modbus)
      add([...at, 'poll'], 'poll is for Modbus devices; OPC UA devices use subscribe or read');
    const mode = d.opcua.securityMode ?? 'SignAndEncrypt';
    const policy = d.opcua.securityPolicy;
    if (mode === 'None' && d.opcua.allowInsecure !== true) {
      add(
        [...at, 'opcua', 'securityMode'],
        'None sends everything unsigned and in clear; set allowInsecure: true to accept that',
      );
    }
    if (mode === 'None' && policy !== undefined && policy !== 'None') {
      add(
        [...at, 'opcua', 'securityPolicy'],
        `${policy} needs securityMode Sign or SignAndEncrypt, not None`,
      );
    }
    if (mode !== 'None' && policy === 'None') {
      add([...at, 'opcua', 'securityPolicy'], `None cannot be used with securityMode ${mode}`);
    }
  }

  // metric names: unique per device across poll points, subscriptions, reads and derived outputs
  const sources = new Map<string, KeyPath>();
  const claim = (name: string, path: KeyPath) => {
    const first = sources.get(name);
    if (first)
      add(path, `duplicate metric name "${name}" on device "${d.id}" (also ${formatKeyPath(first)})`);
    else sources.set(name, path);
  };
  const pointTypes = new Map<string, string>();
  const pollGroups = d.modbus ? (d.poll ?? []) : [];
  const maxRegs = d.modbus?.maxRegistersPerRequest ?? 125;
  pollGroups.forEach((g, gi) => {
    const gat = [...at, 'poll', gi];
    if (ms(g.every) < MIN_POLL_MS) add([...gat, 'every'], `must be at least ${MIN_POLL_MS}ms`);
    g.points.forEach((p, pi) => {
      const pat = [...gat, 'points', pi];
      claim(p.name, [...pat, 'name']);
      pointTypes.set(p.name, effectivePointType(p));
      checkPoint(p, pat, maxRegs, add);
    });
  });
  (d.opcua ? (d.subscribe ?? []) : []).forEach((s, si) => {
    claim(s.name, [...at, 'subscribe', si, 'name']);
  });
  (d.opcua ? (d.read ?? []) : []).forEach((g, gi) => {
    if (ms(g.every) < MIN_POLL_MS) add([...at, 'read', gi, 'every'], `must be at least ${MIN_POLL_MS}ms`);
    g.nodes.forEach((n, ni) => {
      claim(n.name, [...at, 'read', gi, 'nodes', ni, 'name']);
    });
  });

  if (!d.derive) return;
  // derive inputs and thresholds: config/derive-checks.ts (shared with agent/derive)
  const known = new Map([...sources.keys()].map((n) => [n, pointTypes.get(n)]));
  for (const p of deriveProblems(d.derive, d.id, known)) add([...at, 'derive', ...p.path], p.message);
  for (const o of deriveOutputs(d.derive)) claim(o.name, [...at, 'derive', ...o.path]);
}

function checkModbusConnection(m: ModbusConnection, at: KeyPath, add: Add): void {
  if (m.timeout !== undefined && ms(m.timeout) < 1) add([...at, 'timeout'], 'must be at least 1ms');
  const { initial, max } = m.backoff ?? {};
  if (initial !== undefined && max !== undefined && ms(initial) > ms(max)) {
    add([...at, 'backoff', 'max'], 'must not be less than backoff.initial');
  }
  let url: URL;
  try {
    url = new URL(m.url);
  } catch {
    add([...at, 'url'], 'is not a valid URL');
    return;
  }
  if (url.protocol === 'rtu:') {
    if (url.pathname === '' || url.pathname === '/')
      add([...at, 'url'], 'needs a serial device: rtu:///dev/ttyUSB0');
    for (const [k, v] of url.searchParams) {
      const bad = rtuParamProblem(k, v);
      if (bad) add([...at, 'url'], bad);
    }
  } else if (url.hostname === '') {
    add([...at, 'url'], `needs a host: ${url.protocol}//host:port`);
  }
}

function rtuParamProblem(k: string, v: string): string | undefined {
  switch (k) {
    case 'baud':
      return /^[0-9]+$/.test(v) && Number(v) >= 50
        ? undefined
        : `baud must be a number such as 9600, got "${v}"`;
    case 'parity':
      return ['none', 'even', 'odd'].includes(v) ? undefined : `parity must be none, even or odd, got "${v}"`;
    case 'dataBits':
      return ['7', '8'].includes(v) ? undefined : `dataBits must be 7 or 8, got "${v}"`;
    case 'stopBits':
      return ['1', '2'].includes(v) ? undefined : `stopBits must be 1 or 2, got "${v}"`;
    default:
      return `unknown serial option "${k}" (use baud, parity, dataBits, stopBits)`;
  }
}

function checkPoint(p: ModbusPoint, at: KeyPath, maxRegs: number, add: Add): void {
  const type = effectivePointType(p);
  const bitTable = p.table === 'coil' || p.table === 'discrete';
  if (bitTable && type !== 'bool') add([...at, 'type'], `a ${p.table} holds one bit: type must be bool`);
  if (p.bit !== undefined) {
    if (bitTable) add([...at, 'bit'], `bit only applies to holding and input registers, not ${p.table}`);
    if (type !== 'bool') add([...at, 'bit'], 'bit needs type bool');
  }
  if (!bitTable && type === 'bool' && p.bit === undefined) {
    add([...at, 'type'], `bool from a ${p.table} register needs bit (0-15)`);
  }
  if (type === 'string' && p.length === undefined)
    add([...at, 'length'], 'type string needs length (in registers)');
  if (type !== 'string' && p.length !== undefined)
    add([...at, 'length'], 'length only applies to type string');
  if (p.order !== undefined) {
    const regs = REGISTERS[type] ?? 0;
    if (regs < 2) add([...at, 'order'], `order only applies to 32- and 64-bit types, not ${type}`);
    else if (p.order.length !== regs * 2) {
      add(
        [...at, 'order'],
        `${type} is ${regs * 16}-bit: order must have ${regs * 2} letters, like ${regs === 2 ? 'CDAB' : 'GHEFCDAB'}`,
      );
    }
  }
  if (type === 'bool' || type === 'string') {
    for (const k of ['scale', 'offset', 'deadband'] as const) {
      if (p[k] !== undefined) add([...at, k], `${k} only applies to numbers, not ${type}`);
    }
  }
  const regs = type === 'string' ? (p.length ?? 1) : bitTable ? 1 : (REGISTERS[type] ?? 1);
  if (p.address + regs - 1 > 65535)
    add([...at, 'address'], `${type} at ${p.address} runs past address 65535`);
  if (!bitTable && regs > maxRegs) {
    add([...at, 'length'], `${regs} registers do not fit one request (maxRegistersPerRequest ${maxRegs})`);
  }
}
