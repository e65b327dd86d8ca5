import { beforeAll, describe, expect, it } from 'vitest';
import { InfluxQueryError } from '../../../protocols/influx/errors.js';
import { queryInfluxQL, queryInfluxQLSeries } from '../../../protocols/influx/influxql-query.js';
import { freePort } from '../../../scripts/services/free-port.js';
import { freshDatabase, influxUrl } from '../../helpers/services.js';

const T0 = 1_700_000_000_000;

describe('queryInfluxQL against a real InfluxDB 1.6', () => {
  let db: string;

  beforeAll(async () => {
    db = await freshDatabase('query');
    const body = [
      `oee,site=s,device=a,period=1h oee=0.5,total_count=10i ${T0}`,
      `oee,site=s,device=a,period=1h oee=0.75,total_count=12i ${T0 + 3_600_000}`,
      `oee,site=s,device=b,period=1h oee=0.25,total_count=9223372036854775807i ${T0}`,
    ].join('\n');
    const res = await fetch(`${influxUrl()}/write?db=${db}&precision=ms`, { method: 'POST', body });
    expect(res.status).toBe(204);
  });

  it('returns rows with time in ms and exact int64 values', async () => {
    expect(
      await queryInfluxQL(influxUrl(), { db, q: 'SELECT oee, total_count FROM oee ORDER BY time' }),
    ).toEqual([
      { time: T0, oee: 0.5, total_count: 10 },
      { time: T0, oee: 0.25, total_count: 9_223_372_036_854_775_807n },
      { time: T0 + 3_600_000, oee: 0.75, total_count: 12 },
    ]);
  });

  it('merges group-by tags into rows and keeps series apart in queryInfluxQLSeries', async () => {
    const q = 'SELECT last(oee) AS oee FROM oee GROUP BY device';
    expect(await queryInfluxQL(influxUrl(), { db, q })).toEqual([
      { device: 'a', time: T0 + 3_600_000, oee: 0.75 },
      { device: 'b', time: T0, oee: 0.25 },
    ]);
    const [series] = await queryInfluxQLSeries(influxUrl(), { db, q });
    expect(series?.map((s) => [s.name, s.tags])).toEqual([
      ['oee', { device: 'a' }],
      ['oee', { device: 'b' }],
    ]);
  });

  it('binds parameters server-side, so a value cannot change the statement', async () => {
    const q = 'SELECT oee FROM oee WHERE device = $device';
    expect(await queryInfluxQL(influxUrl(), { db, q, params: { device: 'b' } })).toEqual([
      { time: T0, oee: 0.25 },
    ]);
    expect(await queryInfluxQL(influxUrl(), { db, q, params: { device: "b' OR device = 'a" } })).toEqual([]);
  });

  it('reports a bad statement as INFLUX_QUERY_REJECTED with the server message', async () => {
    const err = await queryInfluxQL(influxUrl(), { db, q: 'SELECT FROM' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfluxQueryError);
    expect(err).toMatchObject({ code: 'INFLUX_QUERY_REJECTED', retryable: false });
    expect((err as Error).message).toMatch(/error parsing query/);
    await expect(queryInfluxQL(influxUrl(), { db: 'nope_db', q: 'SELECT * FROM x' })).rejects.toMatchObject({
      code: 'INFLUX_QUERY_REJECTED',
      message: expect.stringMatching(/database not found/),
    });
  });

  it('reports an unreachable server as retryable INFLUX_QUERY_UNAVAILABLE', async () => {
    const port = await freePort();
    await expect(queryInfluxQL(`http://127.0.0.1:${port}`, { q: 'SHOW DATABASES' })).rejects.toMatchObject({
      code: 'INFLUX_QUERY_UNAVAILABLE',
      retryable: true,
    });
  });
});
