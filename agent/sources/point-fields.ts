/**
 * The keys every register/variable-style point shares, whatever its protocol (Modbus `poll:`, S7 `variables:`, MC
 * `mcPoll:`): `scale`/`offset` applied by protocols/point-scale.ts, `unit` carried in births, `deadband` for report
 * by exception. Spread into a component's point Section so the keys, their checks and their docs stay one.
 */
import { Type } from '@sinclair/typebox';
import { optional } from '../../config/spec.js';

export const DEADBAND_FIELD = optional(Type.Number({ minimum: 0 }), {
  description: 'report by exception: publish only when the value moved by more than this',
  defaultText: 'every change',
});

export const SCALED_POINT_FIELDS = {
  scale: optional(Type.Number(), {
    description: 'value = raw × scale + offset (numbers only)',
    defaultText: '1',
  }),
  offset: optional(Type.Number(), {
    description: 'value = raw × scale + offset (numbers only)',
    defaultText: '0',
  }),
  unit: optional(Type.String({ maxLength: 32 }), {
    description: 'engineering unit, carried in births',
    example: 'kW',
  }),
  deadband: DEADBAND_FIELD,
};
