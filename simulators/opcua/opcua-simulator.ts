/**
 * An OPC UA server (node-opcua) hosting machine models: `startOpcuaSimulator({ port: 0, model: 'cnc' })`.
 * Used by tests, the demo and the CLI alike. It listens on loopback only, keeps its certificate in a PKI folder
 * (a temp folder unless given) so a restart presents the same certificate, and never trusts an unknown client
 * certificate unless told to (`acceptUnknownClientCertificates`).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MessageSecurityMode,
  nodesets,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  StatusCodes,
  type UAVariable,
} from 'node-opcua';
import {
  type BoundVariable,
  buildAddressSpace,
  churnBulk,
  publish,
  SIM_NAMESPACE_URI,
} from './address-space-builder.js';
import type { MachineModel, SimValue } from './models/machine-model.js';
import { type MachineModelName, machineModels } from './models/machine-models.js';

export type SimSecurityMode = 'None' | 'Sign' | 'SignAndEncrypt';
export type SimSecurityPolicy = 'None' | 'Basic256Sha256' | 'Aes128_Sha256_RsaOaep' | 'Aes256_Sha256_RsaPss';

export interface OpcuaSimulatorOptions {
  /** 0 (default) picks a free port; restarts reuse the port picked */
  port?: number;
  /** one machine or several; by registry name or as a ready model */
  model?: MachineModelName | MachineModel | readonly (MachineModelName | MachineModel)[];
  /** machine name of a model given by registry name (node ids `ns=2;s=<name>.<path>`) */
  name?: string;
  seed?: number;
  /** model step and publish period, ms (default 100) */
  tickMs?: number;
  /** PKI folder of the server (own certificate, trusted client certificates); a temp folder when absent */
  pkiDir?: string;
  securityModes?: readonly SimSecurityMode[];
  securityPolicies?: readonly SimSecurityPolicy[];
  allowAnonymous?: boolean;
  users?: readonly { username: string; password: string }[];
  /** client application certificates (PEM or DER files) to trust */
  trustedClientCertificates?: readonly string[];
  /** user X.509 certificates (PEM or DER files) accepted for user authentication */
  trustedUserCertificates?: readonly string[];
  /** test convenience only: accept any client certificate (default false) */
  acceptUnknownClientCertificates?: boolean;
  operationLimits?: {
    maxNodesPerRead?: number;
    maxMonitoredItemsPerCall?: number;
    maxNodesPerBrowse?: number;
  };
  /** a `Bulk` folder with this many Double variables `ns=2;s=Bulk.V0000…` (scale tests) */
  bulkVariables?: number;
  /** change every bulk variable this often (benchmarks); default: never */
  bulkUpdateMs?: number;
}

export interface SetOptions {
  /** a StatusCode name (`BadSensorFailure`) or value; Bad codes publish no value */
  status?: string | number;
}

/** What the server sees of a connected client session (tests check the security actually negotiated). */
export interface SimSessionInfo {
  securityMode: SimSecurityMode | 'Invalid';
  securityPolicy: string;
  /** `anonymous`, the user name, or `x509` */
  user: string;
}

export interface OpcuaSimulator {
  /** `opc.tcp://127.0.0.1:<port>/UA/plantpulse` */
  readonly endpoint: string;
  readonly port: number;
  /** the server's certificate (PEM), to trust it in a client PKI */
  readonly certificateFile: string;
  readonly pkiDir: string;
  readonly namespaceUri: string;
  readonly models: readonly MachineModel[];
  /** node id string of a model variable: `nodeId('CNC01.Spindle.Speed')` → `ns=2;s=CNC01.Spindle.Speed` */
  nodeId(path: string): string;
  /** force a value (and optionally a status) of `<Machine>.<path>` now */
  set(path: string, value: SimValue, options?: SetOptions): void;
  get(path: string): SimValue;
  /** shut the server down (sessions drop) and start it again on the same port with the same certificate */
  restart(options?: { downMs?: number }): Promise<void>;
  /** the server's current sessions */
  sessions(): SimSessionInfo[];
  /** trust a client certificate file (PEM or DER) from now on */
  trustClientCertificate(file: string): Promise<void>;
  /** accept a user X.509 certificate file (PEM or DER) for user authentication from now on */
  trustUserCertificate(file: string): Promise<void>;
  close(): Promise<void>;
}

const MODE: Record<SimSecurityMode, MessageSecurityMode> = {
  None: MessageSecurityMode.None,
  Sign: MessageSecurityMode.Sign,
  SignAndEncrypt: MessageSecurityMode.SignAndEncrypt,
};
const POLICY: Record<SimSecurityPolicy, SecurityPolicy> = {
  None: SecurityPolicy.None,
  Basic256Sha256: SecurityPolicy.Basic256Sha256,
  Aes128_Sha256_RsaOaep: SecurityPolicy.Aes128_Sha256_RsaOaep,
  Aes256_Sha256_RsaPss: SecurityPolicy.Aes256_Sha256_RsaPss,
};

export async function startOpcuaSimulator(options: OpcuaSimulatorOptions = {}): Promise<OpcuaSimulator> {
  const ownPki = options.pkiDir === undefined;
  const pkiDir = options.pkiDir ?? (await mkdtemp(join(tmpdir(), 'plantpulse-opcua-sim-')));
  const models = resolveModels(options);
  const tickMs = options.tickMs ?? 100;
  const serverCm = new OPCUACertificateManager({
    rootFolder: join(pkiDir, 'server'),
    automaticallyAcceptUnknownCertificate: options.acceptUnknownClientCertificates === true,
  });
  const userCm = new OPCUACertificateManager({
    rootFolder: join(pkiDir, 'user'),
    automaticallyAcceptUnknownCertificate: false,
  });
  await serverCm.initialize();
  await userCm.initialize();
  for (const f of options.trustedClientCertificates ?? []) await serverCm.trustCertificate(await readCert(f));
  for (const f of options.trustedUserCertificates ?? []) await userCm.trustCertificate(await readCert(f));

  let port = options.port ?? 0;
  let server: OPCUAServer | undefined;
  let bound = new Map<string, BoundVariable>();
  let bulk: UAVariable[] = [];
  let bulkTimer: NodeJS.Timeout | undefined;
  let bulkRound = 0;
  let timer: NodeJS.Timeout | undefined;
  let lastTick = Date.now();
  let closed = false;

  const start = async (): Promise<void> => {
    const s = new OPCUAServer({
      port,
      host: '127.0.0.1',
      hostname: '127.0.0.1',
      resourcePath: '/UA/plantpulse',
      nodeset_filename: [nodesets.standard],
      serverCertificateManager: serverCm,
      userCertificateManager: userCm,
      securityModes: (options.securityModes ?? ['None', 'Sign', 'SignAndEncrypt']).map((m) => MODE[m]),
      securityPolicies: (
        options.securityPolicies ?? [
          'None',
          'Basic256Sha256',
          'Aes128_Sha256_RsaOaep',
          'Aes256_Sha256_RsaPss',
        ]
      ).map((p) => POLICY[p]),
      allowAnonymous: options.allowAnonymous ?? true,
      userManager: {
        isValidUser: (username: string, password: string) =>
          (options.users ?? []).some((u) => u.username === username && u.password === password),
      },
      buildInfo: {
        productName: 'plantpulse OPC UA simulator',
        manufacturerName: 'plantpulse',
        softwareVersion: '0.1.0',
      },
      serverInfo: { applicationName: { text: 'plantpulse-simulator' } },
      serverCapabilities: {
        maxSessions: 100,
        // samplingInterval 0 on a model variable then delivers every change (exception-based)
        minSupportedSampleRate: 0,
        maxMonitoredItems: 200_000,
        maxMonitoredItemsPerSubscription: 100_000,
        operationLimits: {
          maxNodesPerRead: options.operationLimits?.maxNodesPerRead ?? 0,
          maxMonitoredItemsPerCall: options.operationLimits?.maxMonitoredItemsPerCall ?? 0,
          maxNodesPerBrowse: options.operationLimits?.maxNodesPerBrowse ?? 0,
        },
      },
      isAuditing: false,
      disableDiscovery: false,
    });
    await s.initialize();
    const addressSpace = s.engine.addressSpace;
    if (addressSpace === null) throw new Error('OPC UA simulator: address space missing after initialize');
    ({ bound, bulk } = buildAddressSpace(addressSpace, models, options.bulkVariables ?? 0));
    const now = new Date();
    for (const b of bound.values()) publish(b, now, true);
    await s.start();
    port = s.endpoints[0]?.port ?? port;
    server = s;
    lastTick = Date.now();
    timer = setInterval(tick, tickMs);
    timer.unref();
    if (options.bulkUpdateMs !== undefined && bulk.length > 0) {
      bulkTimer = setInterval(() => churnBulk(bulk, ++bulkRound, new Date()), options.bulkUpdateMs);
      bulkTimer.unref();
    }
  };

  const tick = (): void => {
    const nowMs = Date.now();
    const dt = nowMs - lastTick;
    lastTick = nowMs;
    const now = new Date(nowMs);
    for (const m of models) m.step(dt, now);
    for (const b of bound.values()) publish(b, now);
  };

  const stop = async (): Promise<void> => {
    if (timer !== undefined) clearInterval(timer);
    if (bulkTimer !== undefined) clearInterval(bulkTimer);
    timer = undefined;
    bulkTimer = undefined;
    const s = server;
    server = undefined;
    if (s !== undefined) await s.shutdown(0);
  };

  await start();

  const variable = (path: string): BoundVariable => {
    const b = bound.get(path);
    if (b === undefined) throw new RangeError(`OPC UA simulator: no variable ${path}`);
    return b;
  };

  const sim: OpcuaSimulator = {
    get endpoint() {
      return `opc.tcp://127.0.0.1:${port}/UA/plantpulse`;
    },
    get port() {
      return port;
    },
    certificateFile: join(pkiDir, 'server', 'own', 'certs', 'certificate.pem'),
    pkiDir,
    namespaceUri: SIM_NAMESPACE_URI,
    models,
    nodeId: (path) => `ns=2;s=${path}`,
    set(path, value, opts = {}) {
      const b = variable(path);
      b.model.set(b.spec.path, value);
      b.forcedStatus = opts.status === undefined ? undefined : statusValue(opts.status);
      publish(b, new Date(), true);
    },
    get: (path) => {
      const b = variable(path);
      return b.model.get(b.spec.path);
    },
    async restart(opts = {}) {
      await stop();
      if (opts.downMs !== undefined && opts.downMs > 0) {
        await new Promise((r) => setTimeout(r, opts.downMs));
      }
      if (!closed) await start();
    },
    sessions() {
      const engine = server?.engine;
      if (engine === undefined) return [];
      return engine.getSessions().map((sess) => {
        const ch = sess.channel;
        const token = sess.userIdentityToken as { userName?: string; certificateData?: unknown } | undefined;
        const mode = ch === undefined ? 'Invalid' : (MessageSecurityMode[ch.securityMode] as SimSecurityMode);
        return {
          securityMode: mode,
          securityPolicy: ch?.securityPolicy.split('#')[1] ?? 'unknown',
          user: token?.userName ?? (token?.certificateData ? 'x509' : 'anonymous'),
        };
      });
    },
    async trustClientCertificate(file) {
      await serverCm.trustCertificate(await readCert(file));
    },
    async trustUserCertificate(file) {
      await userCm.trustCertificate(await readCert(file));
    },
    async close() {
      closed = true;
      await stop();
      await serverCm.dispose();
      await userCm.dispose();
      if (ownPki) await rm(pkiDir, { recursive: true, force: true });
    },
  };
  return sim;
}

function resolveModels(options: OpcuaSimulatorOptions): MachineModel[] {
  const list =
    options.model === undefined
      ? ['cnc' as const]
      : Array.isArray(options.model)
        ? options.model
        : [options.model];
  return (list as readonly (MachineModelName | MachineModel)[]).map((m) => {
    if (typeof m !== 'string') return m;
    const factory = machineModels[m];
    return factory({
      ...(options.name === undefined || list.length > 1 ? {} : { name: options.name }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    });
  });
}

function statusValue(s: string | number): number {
  if (typeof s === 'number') return s >>> 0;
  const code = (StatusCodes as unknown as Record<string, { value: number } | undefined>)[s];
  if (code === undefined) throw new RangeError(`unknown StatusCode ${s}`);
  return code.value >>> 0;
}

/** PEM or DER → DER, what the certificate manager stores. */
async function readCert(file: string): Promise<Buffer> {
  const raw = await readFile(file);
  const text = raw.toString('latin1');
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(text);
  return m?.[1] === undefined ? raw : Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}
