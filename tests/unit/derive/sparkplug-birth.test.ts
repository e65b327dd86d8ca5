/** Derived metrics go out like measured ones: in the DBIRTH with their unit and a `derived` property. */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createDeriver } from '../../../agent/derive/deriver.js';
import {
  birthMetric,
  datatypeForKind,
  metricInfoFromBirth,
  sampleToMetric,
} from '../../../protocols/sparkplug/metric-mapping.js';
import { decodePayload, encodePayload } from '../../../protocols/sparkplug/payload-codec.js';
import { retrofitDevice } from '../../../simulators/retrofit/retrofit-device.js';
import { modbusDevice } from '../../helpers/configs.js';

describe('derived metrics in Sparkplug', () => {
  const deriver = createDeriver(
    modbusDevice(retrofitDevice({ id: 'lathe-03', url: 'rtu:///dev/ttyUSB0?baud=9600' })),
    {
      log: pino({ level: 'silent' }),
    },
  );
  if (!deriver) throw new Error('no deriver');

  it('births carry the unit and derived=true, and survive encode/decode', () => {
    const births = deriver.metrics.map((m, i) => birthMetric(m, BigInt(i + 1), undefined, 1_000));
    const decoded = decodePayload(encodePayload({ timestamp: 1_000, seq: 0, metrics: births }));
    const infos = decoded.metrics.map((m) => {
      const r = metricInfoFromBirth(m);
      if (!r.ok) throw new Error(r.reason);
      return r.value;
    });
    expect(infos.map((i) => [i.name, i.unit, i.derived])).toEqual([
      ['current_a', 'A', true],
      ['cabinet_c', '°C', true],
      ['power_kw', 'kW', true],
      ['energy_kwh', 'kWh', true],
      ['state', undefined, true],
      ['part_count', 'parts', true],
    ]);
  });

  it('every derived sample encodes with its metric datatype', () => {
    const out = deriver.process([
      { device: 'lathe-03', metric: 'clamp_ma', value: 9.6, timestamp: 0, quality: 'good' },
      { device: 'lathe-03', metric: 'cabinet_v', value: 3.1, timestamp: 0, quality: 'good' },
      { device: 'lathe-03', metric: 'pulses', value: 42, timestamp: 0, quality: 'good' },
      { device: 'lathe-03', metric: 'ai0_broken', value: false, timestamp: 0, quality: 'good' },
    ]);
    const kinds = new Map(deriver.metrics.map((m) => [m.name, m.kind]));
    const derived = out.filter((s) => kinds.has(s.metric));
    expect(derived.length).toBeGreaterThanOrEqual(5);
    for (const s of derived) {
      const kind = kinds.get(s.metric);
      if (kind === undefined) throw new Error(s.metric);
      expect(sampleToMetric(s, { datatype: datatypeForKind(kind), name: s.metric }).ok).toBe(true);
    }
  });
});
