import { createInfluxSink } from '../../../cloud/sink/influx-sink.js';
import { createRootLogger } from '../../../config/logging.js';
import { queryInfluxQL } from '../../../protocols/influx/influxql-query.js';
import { startVictoriaMetrics } from '../../../scripts/services/victoria-metrics.js';
import { influxTarget } from '../../helpers/configs.js';
import { freshDatabase, influxUrl } from '../../helpers/services.js';
import { sinkContract } from './sink-contract.js';

const log = createRootLogger('test', 'silent');

sinkContract('InfluxDB 1.6 through the v1 /write transport', async () => {
  const db = await freshDatabase('contract');
  return {
    makeSink: () => createInfluxSink(influxTarget({ url: influxUrl(), database: db }), log),
    stored: async (device) => {
      const rows = await queryInfluxQL(influxUrl(), {
        db,
        q: 'SELECT v FROM telemetry WHERE device = $device ORDER BY time',
        params: { device },
      });
      return rows.map((r) => [Number(r['time']), Number(r['v'])]);
    },
  };
});

sinkContract('VictoriaMetrics through the v2 /api/v2/write API', async () => {
  const vm = await startVictoriaMetrics();
  return {
    makeSink: () => createInfluxSink(influxTarget({ url: vm.url, database: 'plant', api: 'v2' }), log),
    stored: async (device) => {
      await vm.flush();
      const match = `telemetry_v{device="${device}"}`;
      const res = await fetch(`${vm.url}/api/v1/export?${new URLSearchParams({ 'match[]': match })}`);
      const text = (await res.text()).trim();
      if (text === '') return [];
      const s = JSON.parse(text) as { values: number[]; timestamps: number[] };
      return s.timestamps.map((t, i) => [t, s.values[i] ?? Number.NaN]);
    },
    teardown: () => vm.stop(),
  };
});
