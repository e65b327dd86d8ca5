import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createInfluxSink } from '../../../cloud/sink/influx-sink.js';
import { createRootLogger } from '../../../config/logging.js';
import { queryInfluxQL } from '../../../protocols/influx/influxql-query.js';
import { telemetryPoint } from '../../../protocols/influx/sample-points.js';
import { sanitiseStringField, sanitiseTag } from '../../../protocols/influx/sanitise.js';
import { influxTarget } from '../../helpers/configs.js';
import { freshDatabase, influxUrl } from '../../helpers/services.js';

const log = createRootLogger('test', 'silent');
const T0 = 1_700_000_000_000;

describe('arbitrary strings survive the trip to InfluxDB as their sanitised form', () => {
  let db: string;
  beforeAll(async () => {
    db = await freshDatabase('roundtrip');
  });

  it('tag values and string fields read back exactly as sanitised, every line accepted', async () => {
    const strings = fc.sample(fc.string({ unit: 'binary', maxLength: 40 }), { numRuns: 300, seed: 20261129 });
    strings.push(
      '\\',
      'a\\',
      'a\\\\',
      ' ',
      '"',
      'a"b',
      '\r\n',
      'x\ny',
      'é',
      'e\u0301',
      '\uD800',
      '=,',
      'a b,c=d',
    );
    const sink = createInfluxSink(influxTarget({ url: influxUrl(), database: db }), log);
    const points = strings.map((s, i) => {
      const r = telemetryPoint(
        { device: 'fuzz', metric: 'note', value: s, timestamp: T0 + i, quality: 'good' },
        { site: 's', node: 'n', tags: { label: s } },
      );
      if (!r.ok) throw new Error(r.reason);
      return r.point;
    });
    expect(await sink.write(points)).toEqual({ accepted: strings.length, rejected: [] });
    await sink.close();

    const rows = await queryInfluxQL(influxUrl(), {
      db,
      q: `SELECT label, note FROM telemetry ORDER BY time`,
    });
    expect(rows).toHaveLength(strings.length);
    rows.forEach((row, i) => {
      const s = strings[i] as string;
      expect({ i, label: row['label'], note: row['note'] }).toEqual({
        i,
        label: sanitiseTag(s) ?? null,
        note: sanitiseStringField(s),
      });
    });
  });
});
