/**
 * Row 4, ingest: MQTT (Mosquitto) → `plantpulse cloud` → InfluxDB values/s, against InfluxDB's own raw line-protocol
 * write rate for the same lines at the same batch size (5000), measured in the same run on the same influxd.
 */
import type { BenchCase, BenchRow } from '../bench-types.js';
import { ratioRow } from '../bench-types.js';
import { INGEST_BATCH_LINES, ingestLoad, ingestRate, loadValues, rawWriteRate } from './ingest-run.js';
import { benchServices } from './services.js';

export const ingestCase: BenchCase = {
  title: 'Ingest: MQTT → ingester → InfluxDB vs raw line-protocol writes',
  async run(ctx) {
    const s = await benchServices();
    const load = ingestLoad(ctx.smoke);
    const raw = await rawWriteRate(s, load);
    ctx.progress(`raw /write: ${raw.toFixed(0)} values/s`);
    const rawGrouped = await rawWriteRate(s, load, true);
    ctx.progress(`raw /write, grouped lines: ${rawGrouped.toFixed(0)} values/s`);
    const one = await ingestRate(s, load, 1, ctx.progress);
    ctx.progress(`ingester: ${one.valuesPerSecond.toFixed(0)} values/s`);
    const normal = await ingestRate(s, load, 1, ctx.progress, 'normal');
    ctx.progress(`ingester, spool sync normal: ${normal.valuesPerSecond.toFixed(0)} values/s`);
    const unpaced = await ingestRate(s, load, 1, ctx.progress, 'full', { unpaced: true });
    ctx.progress(`ingester, broker queue unbounded: ${unpaced.valuesPerSecond.toFixed(0)} values/s`);
    const rows: BenchRow[] = [
      ratioRow(
        {
          id: 'ingest.values_per_s',
          stage: 'ingest',
          what: `${loadValues(load)} values (Sparkplug DDATA of ${load.metricsPerMessage}) MQTT → InfluxDB, 1 ingester`,
          value: one.valuesPerSecond,
          unit: 'values/s',
          baseline: {
            name: `raw /write, ${INGEST_BATCH_LINES} lines/request`,
            value: raw,
            unit: 'values/s',
          },
          note: `ingester CPU ${one.cpuPercent.toFixed(0)} % of one core, peak RSS ${one.peakRssMiB.toFixed(0)} MiB; spool fsyncs before each PUBACK (group commit); ${(one.valuesPerSecond / rawGrouped).toFixed(2)} × the raw rate of grouped lines`,
        },
        { text: '≥ 0.8 × raw write rate', atLeast: 0.8 },
      ),
      ratioRow({
        id: 'ingest.raw_grouped_values_per_s',
        stage: 'ingest',
        what: `InfluxDB's raw /write rate, the same values as one line per device and timestamp (${load.metricsPerMessage} fields), ${INGEST_BATCH_LINES} lines/request`,
        value: rawGrouped,
        unit: 'values/s',
        baseline: { name: 'raw /write, one line per value', value: raw, unit: 'values/s' },
        note: 'what InfluxDB itself gains from many fields per line; the ingester writes such lines',
      }),
      {
        id: 'ingest.cpu_us_per_value',
        stage: 'ingest',
        what: 'ingester CPU per value stored (MQTT, decode, lines, spool, InfluxDB writes)',
        value: one.cpuMicrosPerValue,
        unit: 'µs/value',
        note: `CPU time of the ingester process over the ingest row's window ÷ values stored`,
      },
      ratioRow({
        id: 'ingest.values_per_s_sync_normal',
        stage: 'ingest',
        what: 'the same, spool `sync: normal` (fsync about every second instead of before each PUBACK)',
        value: normal.valuesPerSecond,
        unit: 'values/s',
        baseline: { name: `raw /write, ${INGEST_BATCH_LINES} lines/request`, value: raw, unit: 'values/s' },
        note: `ingester CPU ${normal.cpuPercent.toFixed(0)} % of one core, peak RSS ${normal.peakRssMiB.toFixed(0)} MiB`,
      }),
      ratioRow({
        id: 'ingest.values_per_s_unpaced',
        stage: 'ingest',
        what: "the same (spool `sync: full`), the publisher not held back: a Mosquitto of the row's own with an unbounded per-client queue",
        value: unpaced.valuesPerSecond,
        unit: 'values/s',
        baseline: { name: `raw /write, ${INGEST_BATCH_LINES} lines/request`, value: raw, unit: 'values/s' },
        note: `ingester CPU ${unpaced.cpuPercent.toFixed(0)} % of one core, ${unpaced.cpuMicrosPerValue.toFixed(1)} µs/value, peak RSS ${unpaced.peakRssMiB.toFixed(0)} MiB; ${(unpaced.valuesPerSecond / rawGrouped).toFixed(2)} × the raw rate of grouped lines`,
      }),
    ];
    return rows;
  },
};
