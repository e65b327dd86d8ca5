/**
 * Security end to end: SignAndEncrypt with each policy (and Sign), username/password and X.509 user tokens,
 * mode None refused unless allowed, an unknown server certificate rejected into rejected/ and accepted after
 * `plantpulse opcua trust <thumbprint>`, and node-opcua's own logging arriving in pino.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { StaticEncode } from '@sinclair/typebox';
import { OPCUACertificateManager } from 'node-opcua';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { routeNodeOpcuaLogging } from '../../../agent/sources/opcua/node-opcua-logging.js';
import { OpcuaError } from '../../../agent/sources/opcua/opcua-errors.js';
import { OpcuaLink } from '../../../agent/sources/opcua/opcua-link.js';
import {
  acquireClientPki,
  ensureClientCertificate,
  releaseClientPki,
  toDer,
} from '../../../agent/sources/opcua/pki.js';
import { OpcuaConnection } from '../../../agent/sources/opcua/spec.js';
import { runOpcuaTrust } from '../../../cli/commands/opcua-trust.js';
import { resolveConfig } from '../../../config/load.js';
import { type OpcuaSimulator, startOpcuaSimulator } from '../../../simulators/opcua/opcua-simulator.js';
import { memoryIo, quietLog, tempDir, trustEachOther } from './opcua-fixture.js';

class Capture extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    for (const l of chunk.toString().split('\n')) if (l.trim() !== '') this.lines.push(JSON.parse(l));
    done();
  }
}

const capture = new Capture();
let sim: OpcuaSimulator;
let pkiDir: string;
let userDir: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  routeNodeOpcuaLogging(pino({ level: 'info' }, capture));
  const [p, u] = await Promise.all([tempDir('plantpulse-opcua-pki-'), tempDir('plantpulse-opcua-user-')]);
  cleanups.push(p.remove, u.remove);
  pkiDir = p.dir;
  userDir = u.dir;
  // the user certificate (X.509 user token) lives apart from the application certificate
  const userCm = new OPCUACertificateManager({
    rootFolder: userDir,
    automaticallyAcceptUnknownCertificate: false,
  });
  await userCm.initialize();
  const [, , s] = await Promise.all([
    ensureClientCertificate(pkiDir),
    userCm.createSelfSignedCertificate({
      applicationUri: 'urn:plantpulse:test-user',
      subject: '/CN=operator',
      dns: [],
      startDate: new Date(),
      validity: 30,
      outputFile: join(userDir, 'user.pem'),
    }),
    startOpcuaSimulator({
      model: 'cnc',
      securityModes: ['Sign', 'SignAndEncrypt'],
      securityPolicies: ['Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'],
      allowAnonymous: true,
      users: [{ username: 'agent', password: 's3cret' }],
    }),
  ]);
  sim = s;
  await userCm.dispose();
  await sim.trustClientCertificate(join(pkiDir, 'own', 'certs', 'client_certificate.pem'));
  await sim.trustUserCertificate(join(userDir, 'user.pem'));
});

afterAll(async () => {
  await sim?.close();
  for (const c of cleanups) await c();
});

/** `conn` as written under `opcua:` in a config file */
type ConnectionInput = Partial<StaticEncode<typeof OpcuaConnection>>;

function connection(conn: ConnectionInput = {}): OpcuaConnection {
  return resolveConfig(OpcuaConnection, { endpoint: sim.endpoint, ...conn });
}

async function connect(conn: ConnectionInput): Promise<OpcuaLink> {
  const link = new OpcuaLink({
    connection: connection(conn),
    pkiDir,
    log: quietLog,
    sessionName: 'test',
  });
  await link.open(new AbortController().signal);
  return link;
}

async function connectError(conn: ConnectionInput): Promise<OpcuaError> {
  try {
    const link = await connect(conn);
    await link.close();
  } catch (err) {
    expect(err).toBeInstanceOf(OpcuaError);
    return err as OpcuaError;
  }
  throw new Error('connected although it should not');
}

describe('OPC UA security', () => {
  test('the client certificate is created once and kept (a second start reuses it)', async () => {
    const file = join(pkiDir, 'own', 'certs', 'client_certificate.pem');
    const before = readFileSync(file, 'utf8');
    expect(await ensureClientCertificate(pkiDir)).toBe(file);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(existsSync(join(pkiDir, 'own', 'private', 'private_key.pem'))).toBe(true);
  });

  test('node-opcua warnings are routed into pino', () => {
    // creating the client certificate in beforeAll made node-opcua warn "Creating default certificate": routed
    // into pino, at info (expected once per PKI folder: agent/sources/opcua/node-opcua-logging.ts)
    const line = capture.lines.find((l) => String(l.msg).includes('Creating default certificate'));
    expect(line).toMatchObject({ component: 'node-opcua', level: 30 });
  });

  test('an unknown server certificate is rejected into rejected/, then accepted after `opcua trust`', async () => {
    const err = await connectError({ securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256' });
    expect(err.code).toBe('OPCUA_CERT_UNTRUSTED');
    const thumb = /certificate ([0-9a-f]{40}) is not trusted/.exec(err.message)?.[1];
    expect(thumb).toBeDefined();
    expect(readdirSync(join(pkiDir, 'rejected')).length).toBeGreaterThan(0);
    expect(err.message).toContain(`plantpulse opcua trust ${thumb}`);

    const m = memoryIo();
    expect(await runOpcuaTrust(['--pki', pkiDir], m.io)).toBe(0);
    expect(m.out()).toContain(String(thumb));
    expect(await runOpcuaTrust(['trust', String(thumb).slice(0, 12), '--pki', pkiDir], m.io)).toBe(0);
    expect(m.out()).toContain(`trusted ${thumb}`);
    expect(existsSync(join(pkiDir, 'trusted', 'certs'))).toBe(true);

    const link = await connect({ securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256' });
    expect(link.connected).toBe(true);
    await link.close();
  });

  test('`opcua trust -c agent.yaml` finds the agent PKI folders from its config', async () => {
    const yaml = join(userDir, 'agent.yaml');
    writeFileSync(
      yaml,
      [
        'site: plant1',
        'node: gw1',
        'mqtt: { url: "mqtt://127.0.0.1:1883", username: gw1, password: x }',
        'devices:',
        `  - id: cnc-01`,
        `    opcua: { endpoint: "${sim.endpoint}", pki: "${pkiDir}" }`,
        '    subscribe: [ { name: rpm, node: "ns=2;s=CNC01.Spindle.Speed" } ]',
        '',
      ].join('\n'),
    );
    const m = memoryIo();
    expect(await runOpcuaTrust(['-c', yaml], m.io)).toBe(0);
    expect(m.out()).toMatch(/no rejected certificates in .*rejected|[0-9a-f]{40}/);
    expect(await runOpcuaTrust(['-c', yaml, '--device', 'nope'], m.io)).toBe(2);
    expect(m.err()).toContain('no OPC UA device');
    expect(await runOpcuaTrust(['-c', yaml, sim.certificateFile], m.io)).toBe(0);
    expect(m.out()).toContain(`in ${pkiDir}/trusted/certs`);
  });

  test.each([
    ['SignAndEncrypt', 'Basic256Sha256'],
    ['SignAndEncrypt', 'Aes128_Sha256_RsaOaep'],
    ['SignAndEncrypt', 'Aes256_Sha256_RsaPss'],
    ['Sign', 'Aes256_Sha256_RsaPss'],
  ] as const)(
    '%s with %s: session open, values readable, server sees that security',
    async (mode, policy) => {
      await trustEachOther(sim, {
        dir: pkiDir,
        certificateFile: join(pkiDir, 'own', 'certs', 'client_certificate.pem'),
      });
      const link = await connect({ securityMode: mode, securityPolicy: policy });
      try {
        const [dv] = await link.session.read([{ nodeId: sim.nodeId('CNC01.Program.Name'), attributeId: 13 }]);
        expect(dv?.value.value).toBe('O1001 BRACKET-A');
        expect(sim.sessions()).toContainEqual({
          securityMode: mode,
          securityPolicy: policy,
          user: 'anonymous',
        });
      } finally {
        await link.close();
      }
    },
  );

  test('username/password: accepted with the right password, OPCUA_AUTH_FAILED with a wrong one', async () => {
    const link = await connect({ user: { username: 'agent', password: 's3cret' } });
    expect(sim.sessions()).toContainEqual({
      securityMode: 'SignAndEncrypt',
      securityPolicy: 'Basic256Sha256',
      user: 'agent',
    });
    await link.close();
    const err = await connectError({ user: { username: 'agent', password: 'wrong' } });
    expect(err.code).toBe('OPCUA_AUTH_FAILED');
    expect(err.message).not.toContain('wrong');
  });

  test('X.509 user authentication', async () => {
    const link = await connect({
      user: {
        certificate: join(userDir, 'user.pem'),
        privateKey: join(userDir, 'own', 'private', 'private_key.pem'),
      },
    });
    expect(sim.sessions()).toContainEqual({
      securityMode: 'SignAndEncrypt',
      securityPolicy: 'Basic256Sha256',
      user: 'x509',
    });
    await link.close();
  });

  test('a server that does not trust our certificate: OPCUA_CLIENT_CERT_REJECTED names our certificate', async () => {
    const strict = await startOpcuaSimulator({ model: 'cnc', securityModes: ['SignAndEncrypt'] });
    try {
      const p = await acquireClientPki(pkiDir);
      await p.certificateManager.trustCertificate(toDer(readFileSync(strict.certificateFile)));
      await releaseClientPki(p);
      const link = new OpcuaLink({
        connection: resolveConfig(OpcuaConnection, { endpoint: strict.endpoint }),
        pkiDir,
        log: quietLog,
        sessionName: 't',
      });
      const err = await link.open(new AbortController().signal).then(
        () => undefined,
        (e: unknown) => e as OpcuaError,
      );
      await link.close();
      expect(err?.code).toBe('OPCUA_CLIENT_CERT_REJECTED');
      expect(err?.message).toContain(join(pkiDir, 'own', 'certs', 'client_certificate.pem'));
      expect(err?.message).toMatch(/certificate [0-9a-f]{40}/);
    } finally {
      await strict.close();
    }
  });

  test('mode None is refused unless the endpoint allows it explicitly', () => {
    expect(
      () =>
        new OpcuaLink({
          connection: connection({ securityMode: 'None' }),
          pkiDir,
          log: quietLog,
          sessionName: 't',
        }),
    ).toThrow(/allowInsecure/);
  });

  test('a server that does not offer None refuses an insecure client even when allowed', async () => {
    const err = await connectError({ securityMode: 'None', allowInsecure: true });
    expect(err.code).toBe('OPCUA_SECURITY_UNAVAILABLE');
    expect(err.message).toContain('None/None');
  });
});
