/**
 * The HJ 212 component's device keys — `hj212:` (where the agent listens, and the datalogger's MN and password)
 * and `pollutants:` (the factor codes it reports) — declared once: validator, resolved types,
 * docs/configuration.md and sample.yaml all come from here. A device is one monitoring point (one MN: a stack or a
 * wastewater outlet); devices with the same `listen` share one TCP listener.
 */
import { type StaticDecode, Type } from '@sinclair/typebox';
import { DurationAtLeast } from '../../../config/schemas/common.js';
import { optional, required, Section } from '../../../config/spec.js';

export const Hj212Connection = Section({
  listen: required(Type.String({ minLength: 3, maxLength: 100 }), {
    description:
      'address and port the agent listens on for dataloggers, host:port (0.0.0.0:9212 for every interface); devices with the same listen share one listener',
    example: '0.0.0.0:9212',
  }),
  mn: required(Type.String({ minLength: 1, maxLength: 24 }), {
    description:
      "the monitoring point's code (MN) the datalogger sends, as configured in it (up to 24 characters)",
    example: '88888880000001',
  }),
  password: required(Type.String({ minLength: 1, maxLength: 32 }), {
    description: 'the access password (PW) the datalogger sends; packets with another PW are refused',
    example: '123456',
  }),
  utcOffset: optional(Type.String({ pattern: '^[+-][0-9]{2}:[0-9]{2}$' }), {
    description: "the datalogger clock's offset from UTC (DataTime is local time; China: +08:00)",
    default: '+08:00',
  }),
  idleTimeout: optional(DurationAtLeast('1s'), {
    description:
      'a datalogger connection that sends nothing for this long is closed (the device then reads as unreachable until it connects again)',
    default: '10m',
  }),
  lateAfter: optional(DurationAtLeast('1s'), {
    description:
      'real-time data (2011) older than this when it arrives is marked historical (a datalogger re-sending after an outage); minute, hour and day data always are',
    default: '5m',
  }),
});
export type Hj212Connection = StaticDecode<typeof Hj212Connection>;

/** The device keys this component owns. */
export const hj212Spec = {
  hj212: optional(Hj212Connection, {
    description:
      'an HJ 212-2017 datalogger (数采仪) of a CEMS or wastewater monitor, reporting to the agent over TCP',
  }),
  pollutants: optional(Type.Array(Type.String({ pattern: '^[A-Za-z0-9]{1,16}$' }), { minItems: 1 }), {
    description:
      'factor codes the datalogger reports (a21026 SO2, a21002 NOx, a34013 particulates, a00000 flow, w01018 COD …): each becomes metrics <code>_rtd and <code>_<period>_avg (min, max, cou), period minute, hour or day',
  }),
};
