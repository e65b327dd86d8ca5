import type { CommunicationObserver, SendOptions, Transport } from '@influxdata/influxdb-client';
import { describe, expect, it } from 'vitest';
import { flavourOf } from '../../../protocols/influx/flavour.js';
import { parseJsonWithBigInts } from '../../../protocols/influx/json-bigint.js';
import { createV1WriteTransport, v1WritePath } from '../../../protocols/influx/v1-transport.js';

describe('v1WritePath', () => {
  it('turns a v2 write path into /write with db, rp and precision', () => {
    expect(v1WritePath('/api/v2/write?org=&bucket=plant&precision=ms', {})).toBe(
      '/write?db=plant&precision=ms',
    );
    expect(v1WritePath('/api/v2/write?org=o&bucket=plant%2Fweek&precision=ms', {})).toBe(
      '/write?db=plant&rp=week&precision=ms',
    );
    expect(
      v1WritePath('/api/v2/write?org=o&bucket=x&precision=s', { database: 'a b', retentionPolicy: 'r' }),
    ).toBe('/write?db=a+b&rp=r&precision=s');
    expect(v1WritePath('/api/v2/query?org=o', {})).toBeUndefined();
  });

  it('sends writes to /write with Basic auth and leaves other paths alone', () => {
    const sent: { path: string; options: SendOptions }[] = [];
    const base: Transport = {
      send(
        path: string,
        _body: string,
        options: SendOptions,
        cb?: Partial<CommunicationObserver<Uint8Array>>,
      ) {
        sent.push({ path, options });
        cb?.complete?.();
      },
      request: () => Promise.resolve(undefined),
      iterate: () => {
        throw new Error('unused');
      },
      chunkCombiner: {} as Transport['chunkCombiner'],
    };
    const t = createV1WriteTransport({ url: 'http://127.0.0.1:1', username: 'u', password: 'pä', base });
    t.send('/api/v2/write?org=&bucket=db&precision=ms', 'm v=1', { method: 'POST' });
    t.send('/health', '', { method: 'GET' });
    expect(sent.map((s) => s.path)).toEqual(['/write?db=db&precision=ms', '/health']);
    expect(sent[0]?.options.headers?.['authorization']).toBe(
      `Basic ${Buffer.from('u:pä').toString('base64')}`,
    );
  });
});

describe('flavourOf', () => {
  it('reads the major version from X-Influxdb-Version', () => {
    expect(flavourOf('1.6.7~rc0')).toBe('v1');
    expect(flavourOf('1.8.10')).toBe('v1');
    expect(flavourOf('v2.7.1')).toBe('v2');
    expect(flavourOf('2.7.4')).toBe('v2');
    expect(flavourOf('3.0.1')).toBe('v3');
    expect(flavourOf(null)).toBe('v2');
  });
});

describe('parseJsonWithBigInts', () => {
  it('keeps int64 values exact and leaves everything else as JSON.parse would', () => {
    const text =
      '{"a":9223372036854775807,"b":-9223372036854775808,"c":1.5e300,"d":"9223372036854775807","e":[1,2],"f":"x\\"1234567890123456789"}';
    expect(parseJsonWithBigInts(text)).toEqual({
      a: 9223372036854775807n,
      b: -9223372036854775808n,
      c: 1.5e300,
      d: '9223372036854775807',
      e: [1, 2],
      f: 'x"1234567890123456789',
    });
    expect(parseJsonWithBigInts('[9007199254740991]')).toEqual([9007199254740991]);
  });
});
