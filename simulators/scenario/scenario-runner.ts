/**
 * Starts every simulated device of a scenario with the existing simulators: one Modbus TCP server per PLC or meter
 * (the boiler house gateway answers units 1–3), one OPC UA server hosting the CNCs and the injection moulding
 * machine, the lathe's RTU IO module on one end of a socat pty pair, and a press on a Siemens S7-1200 (node-snap7's
 * server; skipped, with the reason in `skipped`, where node-snap7 is not installed). All of them read the same PlantModel at
 * wall-clock time, so a value on the wire is the value the backfill would publish for that instant.
 * `agentDevices()` is the agent config that reads them all.
 */

import { PlantpulseError } from '../../protocols/errors.js';
import type { ModbusValue } from '../../protocols/modbus/register-codec.js';
import type { SimAgentDevice } from '../agent-device-config.js';
import { startDlt645Simulator } from '../dlt645/dlt645-simulator.js';
import { type DataloggerOutletEndpoint, startScenarioDatalogger } from '../hj212/scenario-datalogger.js';
import { startMcSimulator } from '../mc/mc-simulator.js';
import { type ModbusSimulator, startModbusSimulator } from '../modbus/modbus-simulator.js';
import type { SimProfile } from '../modbus/profile.js';
import { openPtyPair, type PtyPair } from '../modbus/pty-pair.js';
import type { MachineModel, SimValue } from '../opcua/models/machine-model.js';
import { type OpcuaSimulator, startOpcuaSimulator } from '../opcua/opcua-simulator.js';
import { RetrofitIoModule } from '../retrofit/io-module.js';
import { retrofitDevice } from '../retrofit/retrofit-device.js';
import { retrofitProfile } from '../retrofit/retrofit-profile.js';
import { S7_PRESS_MAP, s7SignalProfile } from '../s7/s7-profile.js';
import { startS7Simulator } from '../s7/s7-simulator.js';
import {
  BOILER_MAP,
  CNC_VARIABLES,
  COMPRESSOR_MAP,
  GAS_METER_MAP,
  INJECTION_VARIABLES,
  METER_MAP,
  type ModbusMap,
  type OpcuaPoint,
  opcuaName,
  PRESS_MAP,
  PRESS_MC_MAP,
  STACK_MAP,
} from './device-maps.js';
import { type DeviceSignals, PlantModel, type Values } from './plant-model.js';
import type { Scenario } from './scenario-schema.js';

export interface ScenarioRunOptions {
  scenario: Scenario;
  /** default: the scenario's seed */
  seed?: number;
  /** process durations shrink by this factor; timestamps stay real (default 1) */
  speed?: number;
  /** where timelines and counters start (default now): the demo passes the start of its backfill */
  epoch?: number;
  /** bind address of the simulators (default 127.0.0.1) */
  host?: string;
  /** folder for the lathe's pty symlinks (`<dir>/a` agent end, `<dir>/b` device end); default: plain /dev/pts paths */
  ptyDir?: string;
  /**
   * OPC UA server security: with `users`, anonymous sessions are refused and only Sign/SignAndEncrypt endpoints are
   * offered; `trustedClientCertificates` are the client certificates (PEM/DER files) the server trusts. Without it
   * the server also offers None (a loopback-only bench).
   */
  opcuaSecurity?: {
    users: { username: string; password: string }[];
    trustedClientCertificates: string[];
  };
}

/** How the agent connects to the OPC UA machines (see `agentDevices`). */
export interface AgentOpcuaSecurity {
  securityMode: 'Sign' | 'SignAndEncrypt';
  securityPolicy: 'Basic256Sha256' | 'Aes128_Sha256_RsaOaep' | 'Aes256_Sha256_RsaPss';
  user: { username: string; password: string };
  pki: string;
}

/** Where one agent-side device is reached. */
export interface DeviceEndpoint {
  id: string;
  kind: string;
  line?: string;
  protocol: 'modbus-tcp' | 'opcua' | 'rtu' | 'dlt645' | 's7' | 'mc';
  url: string;
  unitId?: number;
  /** DL/T 645: the meter's 12-digit address */
  address?: string;
}

export interface RunningScenario {
  readonly plant: PlantModel;
  readonly endpoints: readonly (DeviceEndpoint | DataloggerOutletEndpoint)[];
  /** devices that could not be simulated here (an S7 PLC without node-snap7), with why: absent from the endpoints */
  readonly skipped: readonly { id: string; reason: string }[];
  /** the OPC UA server's certificate (PEM), for the agent's trusted list; undefined without OPC UA machines */
  readonly opcuaCertificateFile: string | undefined;
  /**
   * The `devices:` of an agent config that reads every simulated device; `every` is the poll/sampling period.
   * Without `opcua` the OPC UA machines are read with security None (`allowInsecure`, loopback bench only).
   */
  agentDevices(opts?: { every?: string; opcua?: AgentOpcuaSecurity }): SimAgentDevice[];
  close(): Promise<void>;
}

/** Modbus profile whose every point reads `signals` at wall-clock time (one evaluation per tick). */
export function signalProfile(
  name: string,
  signals: DeviceSignals,
  map: ModbusMap,
  unitId = 1,
  tickMs = 500,
): SimProfile {
  return { name, unitId, tickMs, points: signalPoints(signals, map, tickMs) };
}

/** Simulator points (Modbus or MC) whose values read `signals` at wall-clock time (one evaluation per tick). */
export function signalPoints<P extends { name: string }>(
  signals: DeviceSignals,
  map: readonly P[],
  tickMs = 500,
): (P & { initial: ModbusValue; behaviour: () => ModbusValue })[] {
  let at = Number.NaN;
  let values: Values = {};
  const now = (): Values => {
    const t = Date.now();
    if (!(Math.abs(t - at) < tickMs / 2)) {
      at = t;
      values = signals.valuesAt(t);
    }
    return values;
  };
  const value = (metric: string): ModbusValue => {
    const v = now()[metric];
    return typeof v === 'boolean' || typeof v === 'number' ? v : Number(v ?? 0);
  };
  return map.map((p) => ({ ...p, initial: value(p.name), behaviour: () => value(p.name) }));
}

/** OPC UA machine model whose variables read `signals` at each simulator step. */
export function signalModel(
  kind: string,
  name: string,
  signals: DeviceSignals,
  vars: readonly OpcuaPoint[],
): MachineModel {
  const table = new Map<string, SimValue>();
  const refresh = (t: number) => {
    const vals = signals.valuesAt(t);
    for (const v of vars) table.set(v.path, vals[v.metric] ?? null);
  };
  refresh(Date.now());
  return {
    kind,
    name,
    variables: vars,
    step: (_dt, now) => refresh(now.getTime()),
    get: (path) => table.get(path) ?? null,
    set: (path, value) => {
      table.set(path, value);
    },
  };
}

export async function startScenario(opts: ScenarioRunOptions): Promise<RunningScenario> {
  const s = opts.scenario;
  const plant = new PlantModel(s, {
    seed: opts.seed ?? s.seed ?? 1,
    epoch: opts.epoch ?? Date.now(),
    speed: opts.speed ?? 1,
  });
  const host = opts.host ?? '127.0.0.1';
  const closers: (() => Promise<void>)[] = [];
  const endpoints: (DeviceEndpoint | DataloggerOutletEndpoint)[] = [];
  const skipped: { id: string; reason: string }[] = [];
  let opcuaCert: string | undefined;
  const lineOf = new Map(s.devices.map((d) => [d.id, d.line]));
  const protocolOf = new Map(s.devices.map((d) => [d.id, d.protocol]));
  const endpoint = (e: DeviceEndpoint): void => {
    const line = lineOf.get(e.id);
    endpoints.push(line === undefined ? e : { ...e, line });
  };
  const modbus = async (units: SimProfile[]): Promise<ModbusSimulator> => {
    const sim = await startModbusSimulator({ units, host, port: 0 });
    closers.push(() => sim.close());
    return sim;
  };
  try {
    // Siemens S7 presses: node-snap7's server (an optional dependency; one per process)
    const onS7 = new Set(s.devices.filter((d) => d.kind === 'press' && d.protocol === 's7').map((d) => d.id));
    for (const m of plant.production.filter((x) => onS7.has(x.id))) {
      try {
        const sim = await startS7Simulator({
          profile: s7SignalProfile(m.id, S7_PRESS_MAP, (t) => m.valuesAt(t)),
          host,
          port: 0,
        });
        closers.push(() => sim.close());
        endpoint({ id: m.id, kind: m.kind, protocol: 's7', url: `s7://${sim.address}` });
      } catch (err) {
        if (!(err instanceof PlantpulseError)) throw err;
        skipped.push({ id: m.id, reason: `${err.code}: ${err.message}` });
      }
    }

    // Modbus TCP PLCs and meters
    const tcp: [DeviceSignals, ModbusMap][] = [
      ...plant.production
        .filter((m) => m.kind === 'press' && !onS7.has(m.id) && protocolOf.get(m.id) !== 'mc')
        .map((m): [DeviceSignals, ModbusMap] => [m, PRESS_MAP]),
      ...plant.compressors.map((c): [DeviceSignals, ModbusMap] => [c, COMPRESSOR_MAP]),
      ...plant.meters.map((m): [DeviceSignals, ModbusMap] => [m, METER_MAP]),
    ];
    for (const [sig, map] of tcp) {
      const sim = await modbus([signalProfile(sig.id, sig, map)]);
      endpoint({ id: sig.id, kind: sig.kind, protocol: 'modbus-tcp', url: sim.url, unitId: 1 });
    }
    // presses behind a Mitsubishi CPU: the same signals over the MC protocol
    for (const m of plant.production.filter((p) => p.kind === 'press' && protocolOf.get(p.id) === 'mc')) {
      const profile = { name: m.id, tickMs: 500, points: signalPoints(m, PRESS_MC_MAP) };
      const sim = await startMcSimulator({ series: 'iQ-F', host, port: 0, profile });
      closers.push(() => sim.close());
      endpoint({ id: m.id, kind: m.kind, protocol: 'mc', url: sim.url });
    }
    for (const b of plant.boilers) {
      const sim = await modbus([
        signalProfile(b.controller.id, b.controller, BOILER_MAP, 1),
        signalProfile(b.gasMeter.id, b.gasMeter, GAS_METER_MAP, 2),
        signalProfile(b.stack.id, b.stack, STACK_MAP, 3),
      ]);
      endpoint({ id: b.controller.id, kind: 'boiler', protocol: 'modbus-tcp', url: sim.url, unitId: 1 });
      endpoint({ id: b.gasMeter.id, kind: 'gas-meter', protocol: 'modbus-tcp', url: sim.url, unitId: 2 });
      endpoint({ id: b.stack.id, kind: 'stack-analyser', protocol: 'modbus-tcp', url: sim.url, unitId: 3 });
    }

    // OPC UA machines on one server
    const models = plant.production
      .filter((m) => m.kind === 'cnc' || m.kind === 'injection')
      .map((m) =>
        signalModel(
          `scenario-${m.kind}`,
          opcuaName(m.id),
          m,
          m.kind === 'cnc' ? CNC_VARIABLES : INJECTION_VARIABLES,
        ),
      );
    let opcua: OpcuaSimulator | undefined;
    if (models.length > 0) {
      const sec = opts.opcuaSecurity;
      opcua = await startOpcuaSimulator({
        model: models,
        port: 0,
        tickMs: 500,
        ...(sec === undefined
          ? {}
          : {
              allowAnonymous: false,
              users: sec.users,
              securityModes: ['Sign', 'SignAndEncrypt'],
              securityPolicies: ['Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'],
              trustedClientCertificates: sec.trustedClientCertificates,
            }),
      });
      const sim = opcua;
      closers.push(() => sim.close());
      opcuaCert = sim.certificateFile;
      for (const m of plant.production)
        if (m.kind !== 'press') endpoint({ id: m.id, kind: m.kind, protocol: 'opcua', url: sim.endpoint });
    }

    // The retrofitted lathe on a serial line
    for (const lathe of plant.lathes) {
      const d = s.devices.find((x) => x.id === lathe.id);
      const unitId = d?.kind === 'lathe' ? (d.unitId ?? 5) : 5;
      const baud = d?.kind === 'lathe' ? (d.baud ?? 9600) : 9600;
      const pair: PtyPair = await openPtyPair(opts.ptyDir === undefined ? {} : { linkDir: opts.ptyDir });
      closers.push(() => pair.close());
      const base = retrofitProfile(new RetrofitIoModule(lathe.model), { unitId });
      const profile: SimProfile = {
        ...base,
        points: base.points.map((p) => {
          const b = p.behaviour;
          return b === undefined
            ? p
            : { ...p, behaviour: (ctx) => b({ ...ctx, t: lathe.modelTime(Date.now()) }) };
        }),
      };
      const sim = await startModbusSimulator({
        profile,
        transport: 'rtu',
        serial: { path: pair.b, baudRate: baud },
      });
      closers.push(() => sim.close());
      endpoint({ id: lathe.id, kind: 'lathe', protocol: 'rtu', url: `rtu://${pair.a}?baud=${baud}`, unitId });
    }

    // DL/T 645 meter buses behind a TCP DTU: each meter's power is the plant model's, its register continues the
    // model's (what the backfill published) from now on
    for (const [busId, meters] of plant.buses) {
      const start = Date.now();
      const sim = await startDlt645Simulator({
        transport: 'tcp',
        host,
        port: 0,
        meters: meters.map((m) => ({
          address: m.address,
          power: (t: number) => m.totalKw(t),
          energyKwh: m.energyKwhAt(start),
          voltage: 230,
        })),
      });
      closers.push(() => sim.close());
      for (const m of meters)
        endpoints.push({
          id: m.id,
          kind: m.kind,
          protocol: 'dlt645',
          url: sim.url,
          address: m.address,
          ...(lineOf.get(busId) === undefined ? {} : { line: lineOf.get(busId) as string }),
        });
    }
    // HJ 212 dataloggers dial the agent (they keep trying until it listens)
    for (const d of s.dataloggers ?? []) {
      const { logger, endpoints: outlets } = await startScenarioDatalogger(d, host);
      closers.push(() => logger.close());
      endpoints.push(...outlets);
    }
  } catch (err) {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    throw err;
  }

  const mapOf: Record<string, ModbusMap> = {
    press: PRESS_MAP,
    compressor: COMPRESSOR_MAP,
    'power-meter': METER_MAP,
    boiler: BOILER_MAP,
    'gas-meter': GAS_METER_MAP,
    'stack-analyser': STACK_MAP,
  };
  const speed = opts.speed ?? 1;
  return {
    plant,
    endpoints,
    skipped,
    opcuaCertificateFile: opcuaCert,
    agentDevices({ every = '1s', opcua: security } = {}) {
      return endpoints.map((e): SimAgentDevice => {
        const tags = { kind: e.kind, ...(e.line === undefined ? {} : { line: e.line }) };
        if (e.protocol === 'dlt645') {
          return {
            id: e.id,
            tags,
            dlt645: { url: e.url, address: e.address ?? '' },
            readings: [
              {
                every,
                points: [
                  { name: 'energy_kwh', di: '00010000' },
                  { name: 'power_kw', di: '02030000' },
                ],
              },
            ],
          };
        }
        if (e.protocol === 'hj212') {
          return {
            id: e.id,
            tags,
            hj212: { listen: e.url, mn: e.mn, password: e.password },
            pollutants: e.pollutants,
          };
        }
        if (e.protocol === 'rtu') {
          const dev = retrofitDevice({
            id: e.id,
            url: e.url,
            unitId: e.unitId ?? 5,
            every: '500ms',
            minDwell: speed >= 5 ? '1s' : '5s',
          });
          return { ...dev, tags };
        }
        if (e.protocol === 's7') {
          const [host = '127.0.0.1', port = '102'] = e.url.replace('s7://', '').split(':');
          return {
            id: e.id,
            tags,
            s7: { host, port: Number(port), timeout: '1s' },
            variables: [{ every, points: S7_PRESS_MAP.map((p) => ({ ...p })) }],
          };
        }
        if (e.protocol === 'mc')
          return {
            id: e.id,
            tags,
            mc: { url: e.url, series: 'iQ-F', timeout: '1s' },
            mcPoll: [{ every, points: PRESS_MC_MAP.map((p) => ({ ...p })) }],
          };
        if (e.protocol === 'opcua') {
          const vars = e.kind === 'cnc' ? CNC_VARIABLES : INJECTION_VARIABLES;
          return {
            id: e.id,
            tags,
            opcua:
              security === undefined
                ? // a loopback-only bench; the demo and real PLCs use Sign/SignAndEncrypt (docs/demo.md)
                  { endpoint: e.url, securityMode: 'None', allowInsecure: true }
                : { endpoint: e.url, ...security, user: { ...security.user } },
            subscribe: vars.map((v) => ({
              name: v.metric,
              node: `ns=2;s=${opcuaName(e.id)}.${v.path}`,
              samplingInterval: every,
              type: v.dataType,
              ...(v.unit === undefined ? {} : { unit: v.unit }),
            })),
          };
        }
        return {
          id: e.id,
          tags,
          modbus: { url: e.url, unitId: e.unitId ?? 1, timeout: '1s' },
          poll: [{ every, points: (mapOf[e.kind] ?? []).map((p) => ({ ...p })) }],
        };
      });
    },
    async close() {
      const errors: unknown[] = [];
      for (const c of closers.reverse()) await c().catch((err: unknown) => errors.push(err));
      if (errors.length > 0) throw new AggregateError(errors, 'some simulators did not close cleanly');
    },
  };
}
