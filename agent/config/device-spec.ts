/**
 * The agent's device schema, assembled from the registry: the keys every device has (id, tags, derive) plus the
 * keys of every source component, and the device check attached. Adding a protocol adds its keys here by itself.
 */
import type { StaticDecode, StaticEncode } from '@sinclair/typebox';
import { Id, Tags } from '../../config/schemas/common.js';
import { optional, required, Section } from '../../config/spec.js';
import { Derive } from '../derive/derive-spec.js';
import { sourceKeys } from '../sources/registry.js';
import { checkDevice } from './device-check.js';

export const deviceBaseSpec = {
  id: required(Id, {
    description: 'device id: the Sparkplug device_id and the `device` tag',
    example: 'press-07',
  }),
  tags: optional(Tags, {
    description: 'extra InfluxDB tags for every series of this device',
    example: { line: 'line3' },
  }),
  derive: optional(Derive, { description: 'virtual sensors for dumb equipment (docs/retrofit.md)' }),
};

export const AgentDevice = Section({ ...deviceBaseSpec, ...sourceKeys() }, { check: (d) => checkDevice(d) });
/** A device, resolved. */
export type AgentDevice = StaticDecode<typeof AgentDevice>;
/** A device as written in a config file. */
export type AgentDeviceInput = StaticEncode<typeof AgentDevice>;
