/** Throw-away certificates for the HTTPS tests, made with openssl: a CA, a server cert for 127.0.0.1, clients. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  dir: string;
  caPath: string;
  certPath: string;
  keyPath: string;
  ca: Buffer;
  /** a client certificate signed by the CA (CN `control-room`), and its files */
  client: { cert: Buffer; key: Buffer; certPath: string; keyPath: string };
  /** a self-signed client certificate the server does not trust */
  stranger: { cert: Buffer; key: Buffer };
}

/** `serverDns`: the server certificate names this DNS name as well as 127.0.0.1 (a name that need not resolve). */
export function makeTestPki(opts: { serverDns?: string } = {}): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'pp-pki-'));
  const p = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=pp-test-ca',
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.crt'),
  );
  const signed = (name: string, cn: string, ext: string) => {
    writeFileSync(p(`${name}.ext`), ext);
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      p(`${name}.key`),
      '-out',
      p(`${name}.csr`),
    );
    ssl(
      'x509',
      '-req',
      '-in',
      p(`${name}.csr`),
      '-CA',
      p('ca.crt'),
      '-CAkey',
      p('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      p(`${name}.ext`),
      '-out',
      p(`${name}.crt`),
    );
  };
  const dns = opts.serverDns === undefined ? '' : `DNS:${opts.serverDns},`;
  signed(
    'server',
    opts.serverDns ?? '127.0.0.1',
    `subjectAltName=${dns}IP:127.0.0.1\nextendedKeyUsage=serverAuth\n`,
  );
  signed('client', 'control-room', 'extendedKeyUsage=clientAuth\n');
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=stranger',
    '-keyout',
    p('stranger.key'),
    '-out',
    p('stranger.crt'),
  );
  return {
    dir,
    caPath: p('ca.crt'),
    certPath: p('server.crt'),
    keyPath: p('server.key'),
    ca: readFileSync(p('ca.crt')),
    client: {
      cert: readFileSync(p('client.crt')),
      key: readFileSync(p('client.key')),
      certPath: p('client.crt'),
      keyPath: p('client.key'),
    },
    stranger: { cert: readFileSync(p('stranger.crt')), key: readFileSync(p('stranger.key')) },
  };
}
