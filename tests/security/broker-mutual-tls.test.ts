/**
 * Mutual TLS: with `tls.ca` and `requireClientCert`, a client without a certificate signed by that CA never gets
 * past the handshake; with `identityFromCert`, the certificate's common name is the username (no password), a
 * CONNECT naming another user is refused, and the user's patterns apply. The broker's URL uses the name on its
 * certificate (here its IP SAN), never the listen address, so clients verify it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BrokerSecurityEvent,
  type RunningBroker,
  startEmbeddedBroker,
} from '../../cloud/broker/embedded-broker.js';
import { brokerConfig } from '../helpers/configs.js';

function openssl(cwd: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: 'ignore' });
}

/** A CA, a server certificate for IP 127.0.0.1, and client certificates for the given common names. */
function makePki(dir: string, clients: string[]): void {
  openssl(
    dir,
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=test-ca',
  );
  const issue = (name: string, subj: string, ext?: string) => {
    openssl(
      dir,
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      subj,
    );
    openssl(
      dir,
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      ...(ext ? ['-extfile', ext] : []),
    );
  };
  execFileSync('sh', ['-c', 'printf "subjectAltName=IP:127.0.0.1\\n" > san.ext'], { cwd: dir });
  issue('server', '/CN=broker', 'san.ext');
  for (const c of clients) issue(c, `/CN=${c}`);
}

describe('mutual TLS', () => {
  let dir: string;
  let broker: RunningBroker;
  const events: BrokerSecurityEvent[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pp-mtls-'));
    makePki(dir, ['gw-a']);
    broker = await startEmbeddedBroker(
      brokerConfig({
        port: 0,
        users: [{ username: 'gw-a' }, { username: 'gw-b', password: 'pw-b-123' }],
        tls: {
          cert: join(dir, 'server.crt'),
          key: join(dir, 'server.key'),
          ca: join(dir, 'ca.crt'),
          requireClientCert: true,
          identityFromCert: true,
        },
      }),
      pino({ level: 'silent' }),
      { onSecurityEvent: (e) => events.push(e) },
    );
  }, 60_000);
  afterAll(async () => {
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const tlsOpts = async (withCert: boolean) => ({
    ca: await readFile(join(dir, 'ca.crt')),
    rejectUnauthorized: true,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...(withCert
      ? { cert: await readFile(join(dir, 'gw-a.crt')), key: await readFile(join(dir, 'gw-a.key')) }
      : {}),
  });

  it('logs in by certificate, verified by the name on the broker’s certificate', async () => {
    expect(broker.url).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const c = await mqtt.connectAsync(broker.url, await tlsOpts(true));
    await c.publishAsync('spBv1.0/plant1/NDATA/gw-a', 'x', { qos: 1 });
    await c.endAsync();
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'broker.login', username: 'gw-a', reason: 'certificate' }),
    );
  });

  it('refuses a client without a certificate, and a CONNECT naming another user than the certificate', async () => {
    await expect(mqtt.connectAsync(broker.url, await tlsOpts(false))).rejects.toThrow();
    await expect(
      mqtt.connectAsync(broker.url, { ...(await tlsOpts(true)), username: 'gw-b', password: 'pw-b-123' }),
    ).rejects.toThrow(/Not authorized|Bad username/i);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'broker.login-refused',
        reason: 'username differs from the certificate',
      }),
    );
  });
});
