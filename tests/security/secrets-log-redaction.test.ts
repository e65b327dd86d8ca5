/**
 * No secret reaches a log line, at any depth (README "Security / Secrets at rest"): the production root logger
 * removes values under secret keys (`password`, `passwordHash`, `tokenHash`, `token`, `key`, credential headers)
 * however deep, credentials inside URLs (`mqtt://user:pass@host`, `?token=`) in any string — fields, error messages,
 * child bindings, the message itself — and keeps everything else.
 */
import { describe, expect, it } from 'vitest';
import { captureLog } from '../helpers/log-capture.js';

const SECRETS = [
  'hunter2-deep',
  'scrypt$16384$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g',
  'tok-3f9a2b',
  'url-pass-77',
  'query-tok-88',
  'bearer-abc-99',
  'err-pass-11',
  'child-pass-22',
  'msg-pass-33',
];

describe('log redaction', () => {
  it('removes secrets at any depth, in URLs, errors, bindings and messages, and keeps the rest', () => {
    const { log, lines } = captureLog('debug');
    const err = new Error('connect failed to mqtt://gw:err-pass-11@10.0.0.5:8883');
    log.child({ component: 'uplink', url: 'mqtts://line3-gw:child-pass-22@broker.plant:8883' }).warn(
      {
        a: { b: { c: { d: { e: { password: 'hunter2-deep', keep: 'visible-1' } } } } },
        users: [{ username: 'gw', passwordHash: SECRETS[1] }],
        api: { tokens: [{ name: 'ops', tokenHash: 'tok-3f9a2b' }] },
        target: 'mqtt://ingest:url-pass-77@127.0.0.1:1883/x?y=1',
        influx: 'http://127.0.0.1:8086/write?db=plant&token=query-tok-88',
        req: { headers: { Authorization: 'Bearer bearer-abc-99' } },
        err,
      },
      'uplink down: %s',
      'mqtt://gw:msg-pass-33@host',
    );
    const text = JSON.stringify(lines);
    for (const s of SECRETS) expect(text).not.toContain(s);
    const line = lines[0] ?? {};
    expect(line['target']).toBe('mqtt://ingest:[redacted]@127.0.0.1:1883/x?y=1');
    expect(line['url']).toBe('mqtts://line3-gw:[redacted]@broker.plant:8883');
    expect(line['msg']).toBe('uplink down: mqtt://gw:[redacted]@host');
    expect((line['err'] as { message: string }).message).toBe(
      'connect failed to mqtt://gw:[redacted]@10.0.0.5:8883',
    );
    expect(text).toContain('visible-1');
    expect(text).toContain('"username":"gw"');
  });
});
