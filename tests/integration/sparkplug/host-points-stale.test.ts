/**
 * What the host's deaths and births become in InfluxDB line protocol (cloud/ingest/points-from-host.ts): births write
 * `device_status` online=true; DDEATH and NDEATH write online=false and mark every known metric of the device stale
 * (`quality` bad, code 500 = Sparkplug STALE, a reason); the next good value writes `quality` good again. Messages come
 * from our real EdgeNode through the real HostApplication.
 */
import { expect, it } from 'vitest';
import { EdgeNode, type OutMsg } from '../../../agent/publish/edge-node.js';
import { HostApplication } from '../../../cloud/host/host-application.js';
import { HostPointMapper } from '../../../cloud/ingest/points-from-host.js';
import type { Sample } from '../../../protocols/sample.js';

let now = 1_767_225_600_000;
const edge = new EdgeNode({
  site: 'cq',
  node: 'gw1',
  clock: () => now,
  devices: [
    {
      id: 'press',
      metrics: [
        { name: 'power_kw', kind: 'double', unit: 'kW' },
        { name: 'part_count', kind: 'uint32' },
      ],
    },
  ],
});
const host = new HostApplication({ hostId: 'h', clock: () => now });
const mapper = new HostPointMapper();
const lines = (msgs: (OutMsg | undefined)[]): string[] =>
  msgs.flatMap((m) => {
    if (!m) return [];
    const { batch, dropped } = mapper.map(host.handle(m.topic, m.payload));
    expect(dropped).toEqual([]);
    return batch.toLines();
  });
const sample = (metric: string, value: Sample['value']): Sample => ({
  device: 'press',
  metric,
  value,
  timestamp: now,
  quality: 'good',
});

it('births online, deaths offline with stale marks per metric, good again after the next value', () => {
  edge.will();
  const births = lines(edge.onConnected());
  expect(births.filter((l) => l.startsWith('device_status'))).toEqual([
    `device_status,device=_node,node=gw1,site=cq online=T,reason="NBIRTH" ${now}`,
    `device_status,device=press,node=gw1,site=cq online=T,reason="DBIRTH" ${now}`,
  ]);

  now += 1000;
  const data = lines([edge.data('press', [sample('power_kw', 12.5), sample('part_count', 7)])]);
  // the device's values of one time on one line
  expect(data).toContain(`telemetry,device=press,node=gw1,site=cq part_count=7i,power_kw=12.5 ${now}`);
  expect(data.filter((l) => l.startsWith('quality'))).toHaveLength(2); // first quality seen: good

  now += 1000;
  const ddeath = lines([edge.deviceDown('press', 'Modbus timeout')]);
  expect(ddeath.sort()).toEqual(
    [
      `device_status,device=press,node=gw1,site=cq online=F,reason="DDEATH" ${now}`,
      `quality,device=press,metric=part_count,node=gw1,site=cq code=500i,quality="bad",reason="stale: DDEATH" ${now}`,
      `quality,device=press,metric=power_kw,node=gw1,site=cq code=500i,quality="bad",reason="stale: DDEATH" ${now}`,
    ].sort(),
  );

  now += 1000;
  const rebirth = lines([edge.deviceUp('press')]);
  expect(rebirth).toContain(`device_status,device=press,node=gw1,site=cq online=T,reason="DBIRTH" ${now}`);
  // the birth carries the last values: good again
  expect(rebirth.filter((l) => l.startsWith('quality') && l.includes('quality="good"'))).toHaveLength(2);

  now += 1000;
  const ndeath = lines([edge.death()]);
  expect(ndeath.sort()).toEqual(
    [
      `device_status,device=_node,node=gw1,site=cq online=F,reason="NDEATH" ${now}`,
      `device_status,device=press,node=gw1,site=cq online=F,reason="NDEATH (edge node offline)" ${now}`,
      `quality,device=press,metric=part_count,node=gw1,site=cq code=500i,quality="bad",reason="stale: NDEATH (edge node offline)" ${now}`,
      `quality,device=press,metric=power_kw,node=gw1,site=cq code=500i,quality="bad",reason="stale: NDEATH (edge node offline)" ${now}`,
    ].sort(),
  );
});
