/**
 * Row 7, scale-out: the ingest load through two `plantpulse cloud` ingesters sharing the data
 * ($share/{group}/…, births to both) against one ingester, in the same run on the same services.
 */
import type { BenchCase, BenchRow } from '../bench-types.js';
import { ratioRow } from '../bench-types.js';
import { ingestLoad, ingestRate } from './ingest-run.js';
import { benchServices } from './services.js';

export const scaleOutCase: BenchCase = {
  title: 'Scale-out: one vs two ingesters on a shared subscription',
  async run(ctx) {
    const s = await benchServices();
    const load = ingestLoad(ctx.smoke);
    const one = await ingestRate(s, load, 1, ctx.progress);
    const two = await ingestRate(s, load, 2, ctx.progress);
    const rows: BenchRow[] = [
      ratioRow({
        id: 'scaleout.values_per_s',
        stage: 'scale-out',
        what: 'MQTT → InfluxDB values/s, 2 ingesters on $share/ vs 1',
        value: two.valuesPerSecond,
        unit: 'values/s',
        baseline: { name: '1 ingester', value: one.valuesPerSecond, unit: 'values/s' },
        note: `ingesters' CPU: 2 × ${(two.cpuPercent / 2).toFixed(0)} % vs 1 × ${one.cpuPercent.toFixed(0)} % of one core; all processes share the machine's cores`,
      }),
    ];
    return rows;
  },
};
