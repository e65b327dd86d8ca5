/** Property-based tests (fast-check): codec round trips, decoder robustness, seq wrap, host robustness. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { EdgeNode, type OutMsg } from '../../../agent/publish/edge-node.js';
import { HostApplication } from '../../../cloud/host/host-application.js';
import { checkSample } from '../../../protocols/sample.js';
import {
  DataType,
  decodePayload,
  encodePayload,
  SparkplugDecodeError,
  type SpbPayload,
} from '../../../protocols/sparkplug/index.js';
import {
  spbPayload as payload,
  spbCorruptedBytes,
  spbText as text,
} from '../../helpers/sparkplug-arbitraries.js';

/** What decoding must give back: the same payload, with `is_null` made explicit for null values. */
function expected(p: SpbPayload): SpbPayload {
  return { ...p, metrics: p.metrics.map((m) => (m.value === null ? { ...m, isNull: true } : m)) };
}

describe('properties', () => {
  test('encode → decode is the identity for arbitrary payloads of every datatype', () => {
    fc.assert(
      fc.property(payload, (p) => {
        expect(decodePayload(encodePayload(p))).toEqual(expected(p));
      }),
      { numRuns: 400 },
    );
  });

  test('the decoder fed arbitrary or corrupted bytes returns a payload or throws SparkplugDecodeError only', () => {
    const corrupted = spbCorruptedBytes(payload);
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 256 }), corrupted), (bytes) => {
        try {
          const p = decodePayload(bytes);
          expect(Array.isArray(p.metrics)).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(SparkplugDecodeError);
          expect((err as SparkplugDecodeError).code).toBe('SPB_DECODE');
        }
      }),
      { numRuns: 1000 },
    );
  });

  test('seq runs 0,1,2,… wrapping 255 → 0 over every message of a session, whatever the operations', () => {
    type Op = 'data' | 'down' | 'up' | 'rebirth';
    const ops = fc.array(fc.constantFrom<Op>('data', 'data', 'data', 'down', 'up', 'rebirth'), {
      maxLength: 700,
    });
    const rebirth = encodePayload({
      metrics: [{ name: 'Node Control/Rebirth', datatype: DataType.Boolean, value: true }],
    });
    fc.assert(
      fc.property(ops, fc.boolean(), (list, json) => {
        const edge = new EdgeNode({
          site: 's',
          node: 'n',
          clock: () => 1,
          format: json ? 'json' : 'sparkplug',
          devices: [{ id: 'd', metrics: [{ name: 'm', kind: 'int32' }] }],
        });
        edge.will();
        const out: OutMsg[] = [...edge.onConnected()];
        for (const op of list) {
          let m: OutMsg | OutMsg[] | undefined;
          if (op === 'data')
            m = edge.data('d', [{ device: 'd', metric: 'm', value: 1, timestamp: 1, quality: 'good' }]);
          else if (op === 'down') m = edge.deviceDown('d', 'x');
          else if (op === 'up') m = edge.deviceUp('d');
          else if (!json) m = edge.onMessage('spBv1.0/s/NCMD/n', rebirth).out;
          out.push(...(Array.isArray(m) ? m : m ? [m] : []));
        }
        let prev: number | undefined;
        for (const m of out) {
          const seq = json
            ? m.topic.split('/').length === 5
              ? (JSON.parse(new TextDecoder().decode(m.payload)) as { seq: number }).seq
              : 0
            : (decodePayload(m.payload).seq ?? -1);
          if (m.topic.includes('/NBIRTH/') || (json && m.topic.split('/').length === 4)) expect(seq).toBe(0);
          else expect(seq).toBe(((prev ?? -1) + 1) % 256);
          prev = seq; // in JSON mode the node status stands for NBIRTH and takes seq 0
        }
      }),
      { numRuns: 100 },
    );
  });

  test('the host never throws on arbitrary topic/payload sequences, and every sample it emits is valid', () => {
    const segment = fc.oneof(fc.constantFrom('g', 'n', 'd', '', '+', '#', 'STATE', 'h'), text);
    const topic = fc.oneof(
      fc.string(),
      fc
        .tuple(
          fc.constantFrom('spBv1.0', 'plantpulse/v1'),
          fc.constantFrom('NBIRTH', 'NDATA', 'NDEATH', 'NCMD', 'DBIRTH', 'DDATA', 'DDEATH', 'DCMD', 'STATE'),
          fc.array(segment, { maxLength: 3 }),
        )
        .map(([ns, type, rest]) =>
          (ns === 'spBv1.0' ? [ns, rest[0] ?? 'g', type, ...rest.slice(1)] : [ns, ...rest]).join('/'),
        ),
      fc.constantFrom(
        'spBv1.0/g/NBIRTH/n',
        'spBv1.0/g/DBIRTH/n/d',
        'spBv1.0/g/DDATA/n/d',
        'spBv1.0/STATE/h',
        'plantpulse/v1/g/n/d',
      ),
    );
    const json = fc.jsonValue().map((v) => new TextEncoder().encode(JSON.stringify(v)));
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 64 }), payload.map(encodePayload), json);
    fc.assert(
      fc.property(fc.array(fc.tuple(topic, bytes), { minLength: 1, maxLength: 20 }), (msgs) => {
        const host = new HostApplication({ hostId: 'h', clock: () => 1767225600000 });
        for (const [t, b] of msgs) {
          const r = host.handle(t, b);
          expect(r.problems.some((p) => p.code === 'HOST_INTERNAL')).toBe(false);
          for (const s of r.samples) expect(checkSample(s)).toBeUndefined();
        }
      }),
      { numRuns: 300 },
    );
  });
});
