import { type Static, Type } from '@sinclair/typebox';
import { ByteSize, Duration, HealthHttp, Id, LogLevel, Strict, Tags } from './common.js';
import { Derive } from './derive.js';
import { ModbusConnection, PollGroup } from './modbus.js';
import { AgentMqtt } from './mqtt.js';
import { OpcuaConnection, OpcuaReadGroup, OpcuaSubscribeItem } from './opcua.js';

export const AgentDevice = Strict({
  id: Id,
  tags: Type.Optional(Tags),
  modbus: Type.Optional(ModbusConnection),
  poll: Type.Optional(Type.Array(PollGroup)),
  opcua: Type.Optional(OpcuaConnection),
  subscribe: Type.Optional(Type.Array(OpcuaSubscribeItem)),
  read: Type.Optional(Type.Array(OpcuaReadGroup)),
  derive: Type.Optional(Derive),
});
export type AgentDevice = Static<typeof AgentDevice>;

export const AgentConfig = Strict({
  /** Sparkplug group_id */
  site: Id,
  /** Sparkplug edge_node_id */
  node: Id,
  mqtt: AgentMqtt,
  outbox: Type.Optional(
    Strict({
      path: Type.String({ minLength: 1 }),
      maxBytes: Type.Optional(ByteSize),
      /** replay rate while catching up after an outage, messages per second */
      replayRate: Type.Optional(Type.Number({ minimum: 1 })),
      /** full (default): fsync before a batch counts as stored; normal: fsync about every second (docs/delivery.md) */
      sync: Type.Optional(Type.Union([Type.Literal('full'), Type.Literal('normal')])),
    }),
  ),
  http: Type.Optional(HealthHttp),
  log: Type.Optional(Strict({ level: Type.Optional(LogLevel) })),
  /** send every metric at least this often even when unchanged (report by exception otherwise) */
  heartbeat: Type.Optional(Duration),
  devices: Type.Array(AgentDevice, { minItems: 1 }),
});
export type AgentConfig = Static<typeof AgentConfig>;
