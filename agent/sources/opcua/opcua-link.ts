/**
 * One OPC UA client + session to an endpoint, built from our config: security mode/policy (None only when the
 * endpoint allows it), user identity (anonymous, username/password, X.509), the persistent client certificate in
 * the PKI folder and a certificate manager that never auto-accepts. Reconnection is NOT left to node-opcua
 * (republish/transfer is unreliable after a server restart, node-opcua #1059; session floods, Telegraf #18787): on
 * loss the link reports once and the runner rebuilds everything from config with jittered backoff.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  AttributeIds,
  type ClientSession,
  type MessageSecurityMode,
  OPCUAClient,
  type SecurityPolicy,
  type UserIdentityInfo,
  UserTokenType,
  VariableIds,
} from 'node-opcua';
import type { Logger } from 'pino';
import { type OperationLimits, UNKNOWN_LIMITS } from '../../../protocols/opcua/batches.js';
import {
  isSecurityProblem,
  type ResolvedSecurity,
  resolveSecurity,
} from '../../../protocols/opcua/security.js';
import { OpcuaError } from './opcua-errors.js';
import {
  acquireClientPki,
  CLIENT_APPLICATION_NAME,
  type ClientPki,
  clientCertificateFile,
  listRejected,
  releaseClientPki,
  thumbprintOf,
  toDer,
} from './pki.js';
import type { OpcuaConnection } from './spec.js';

const CONNECT_TIMEOUT_MS = 10_000;

export interface OpcuaLinkOptions {
  connection: OpcuaConnection;
  pkiDir: string;
  log: Logger;
  /** session name shown by the server, e.g. `plantpulse/cnc-01/subscribe` */
  sessionName: string;
}

export class OpcuaLink {
  readonly security: ResolvedSecurity;
  limits: OperationLimits = UNKNOWN_LIMITS;
  #client: OPCUAClient | undefined;
  #session: ClientSession | undefined;
  #pki: ClientPki | undefined;
  #lostListeners: ((err: OpcuaError) => void)[] = [];
  #lostReported = false;
  #lost = false;

  constructor(private readonly opts: OpcuaLinkOptions) {
    const sec = resolveSecurity(opts.connection);
    if (isSecurityProblem(sec)) throw new OpcuaError('OPCUA_CONFIG', sec.message, { retryable: false });
    this.security = sec;
  }

  get endpoint(): string {
    return this.opts.connection.endpoint;
  }

  get session(): ClientSession {
    if (this.#session === undefined)
      throw new OpcuaError('OPCUA_NOT_CONNECTED', `not connected to ${this.endpoint}`);
    return this.#session;
  }

  /** a session is open and no loss was reported since */
  get connected(): boolean {
    return this.#session !== undefined && !this.#lost;
  }

  /** Called at most once per open link, when the connection or session is gone. Returns the unsubscribe. */
  onLost(listener: (err: OpcuaError) => void): () => void {
    this.#lostListeners.push(listener);
    return () => {
      this.#lostListeners = this.#lostListeners.filter((l) => l !== listener);
    };
  }

  async open(signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw new OpcuaError('OPCUA_CONNECT_FAILED', 'aborted');
    await this.close();
    this.#lostReported = false;
    this.#lost = false;
    const { connection, log } = this.opts;
    this.#pki = await acquireClientPki(this.opts.pkiDir);
    const client = OPCUAClient.create({
      applicationName: CLIENT_APPLICATION_NAME,
      applicationUri: this.#pki.applicationUri,
      clientName: this.opts.sessionName,
      clientCertificateManager: this.#pki.certificateManager,
      securityMode: this.security.modeValue as MessageSecurityMode,
      securityPolicy: this.security.policyUri as SecurityPolicy,
      endpointMustExist: false,
      keepSessionAlive: true,
      requestedSessionTimeout: connection.requestedSessionTimeout,
      // one attempt per open(): the runner owns retries and their jittered backoff
      connectionStrategy: { maxRetry: 0, initialDelay: 500, maxDelay: 2000, randomisationFactor: 0.5 },
      transportTimeout: CONNECT_TIMEOUT_MS,
    });
    this.#client = client;
    const onAbort = (): void => {
      void client.disconnect().catch(() => undefined);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const rejectedBefore = new Set((await listRejected(this.opts.pkiDir)).map((r) => r.thumbprint));
    try {
      await client.connect(this.endpoint);
      if (signal.aborted) throw new OpcuaError('OPCUA_CONNECT_FAILED', 'aborted');
      const identity = await this.#identity();
      try {
        this.#session = await client.createSession2(identity);
      } catch (err) {
        if (/end ?point must exist|BadSecurity(Mode|Policy)Rejected/i.test(messageOf(err))) {
          throw new OpcuaError(
            'OPCUA_SECURITY_UNAVAILABLE',
            `${this.endpoint}: the server offers no endpoint with ${this.security.mode}/${this.security.policy}`,
            { cause: err },
          );
        }
        throw new OpcuaError(
          'OPCUA_AUTH_FAILED',
          `${this.endpoint}: session refused for ${describeIdentity(identity)}: ${messageOf(err)}`,
          { cause: err },
        );
      }
    } catch (err) {
      await this.close();
      if (err instanceof OpcuaError) throw err;
      throw await this.#classify(err, rejectedBefore);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    const lost = (why: string): void => this.#reportLost(why);
    client.on('connection_lost', () => lost('connection lost'));
    client.on('close', () => lost('connection closed'));
    client.on('backoff', () => lost('reconnecting'));
    this.#session.on('session_closed', () => lost('session closed'));
    this.#session.on('keepalive_failure', () => lost('session keep-alive failed'));
    this.limits = await this.#readLimits();
    await this.#checkExpiry();
    log.info(
      {
        endpoint: this.endpoint,
        mode: this.security.mode,
        policy: this.security.policy,
        limits: this.limits,
      },
      'OPC UA session open',
    );
  }

  async close(): Promise<void> {
    const session = this.#session;
    const client = this.#client;
    const pki = this.#pki;
    this.#session = undefined;
    this.#client = undefined;
    this.#pki = undefined;
    this.#lostReported = true;
    if (session !== undefined) await session.close(true).catch(() => undefined);
    if (client !== undefined) await client.disconnect().catch(() => undefined);
    if (pki !== undefined) await releaseClientPki(pki);
  }

  #reportLost(why: string): void {
    if (this.#lostReported) return;
    this.#lostReported = true;
    this.#lost = true;
    const err = new OpcuaError('OPCUA_CONNECTION_LOST', `${this.endpoint}: ${why}`);
    for (const l of this.#lostListeners) l(err);
  }

  async #identity(): Promise<UserIdentityInfo> {
    const user = this.opts.connection.user;
    if (user === undefined) return { type: UserTokenType.Anonymous };
    if ('username' in user)
      return { type: UserTokenType.UserName, userName: user.username, password: user.password };
    const [cert, key] = await Promise.all([readFile(user.certificate), readFile(user.privateKey, 'utf8')]);
    return { type: UserTokenType.Certificate, certificateData: toDer(cert), privateKey: key };
  }

  async #classify(err: unknown, rejectedBefore: Set<string>): Promise<OpcuaError> {
    const msg = messageOf(err);
    const fresh = (await listRejected(this.opts.pkiDir)).filter((r) => !rejectedBefore.has(r.thumbprint));
    const untrusted = fresh[0];
    if (
      untrusted !== undefined ||
      /BadCertificateUntrusted|certificate.*(untrusted|not trusted)/i.test(msg)
    ) {
      const thumb = untrusted?.thumbprint;
      return new OpcuaError(
        'OPCUA_CERT_UNTRUSTED',
        thumb === undefined
          ? `${this.endpoint}: server certificate not trusted (${msg})`
          : `${this.endpoint}: server certificate ${thumb} is not trusted; it is in ${untrusted?.file}. ` +
              `If it is the right server, run: plantpulse opcua trust ${thumb} --pki ${this.opts.pkiDir}`,
        { cause: err },
      );
    }
    if (
      /BadSecurityChecksFailed|BadCertificate(Untrusted|Invalid|UriInvalid|TimeInvalid|Revoked|UseNotAllowed)/.test(
        msg,
      )
    ) {
      const file = clientCertificateFile(this.opts.pkiDir);
      let thumb = '';
      try {
        thumb = ` ${thumbprintOf(toDer(await readFile(file)))}`;
      } catch {
        // no certificate yet: the message still says where it will be
      }
      return new OpcuaError(
        'OPCUA_CLIENT_CERT_REJECTED',
        `${this.endpoint}: the server refused our client certificate${thumb} (${file}): ` +
          `trust it on the server (usually: move it from the server's rejected list to its trusted list)`,
        { cause: err },
      );
    }
    if (/endpoint|SecurityPolicy|security mode|BadSecurityPolicyRejected|cannot find endpoint/i.test(msg)) {
      return new OpcuaError(
        'OPCUA_SECURITY_UNAVAILABLE',
        `${this.endpoint}: ${this.security.mode}/${this.security.policy} refused: ${msg}`,
        { cause: err },
      );
    }
    return new OpcuaError('OPCUA_CONNECT_FAILED', `${this.endpoint}: ${msg}`, { cause: err });
  }

  /** Warns 30 days before our certificate expires (servers then refuse it with BadCertificateTimeInvalid). */
  async #checkExpiry(): Promise<void> {
    try {
      const cert = new X509Certificate(toDer(await readFile(clientCertificateFile(this.opts.pkiDir))));
      const daysLeft = Math.floor((Date.parse(cert.validTo) - Date.now()) / 86_400_000);
      if (daysLeft < 30) {
        this.opts.log.warn(
          { code: 'OPCUA_CERT_EXPIRING', daysLeft, validTo: cert.validTo },
          'client certificate expires soon: delete own/ in the PKI folder to create a new one, then trust it on the server',
        );
      }
    } catch {
      // a missing or unreadable certificate fails the connect itself, with its own message
    }
  }

  async #readLimits(): Promise<OperationLimits> {
    const ids = [
      VariableIds.Server_ServerCapabilities_OperationLimits_MaxNodesPerRead,
      VariableIds.Server_ServerCapabilities_OperationLimits_MaxMonitoredItemsPerCall,
      VariableIds.Server_ServerCapabilities_OperationLimits_MaxNodesPerBrowse,
    ];
    try {
      const dvs = await this.session.read(
        ids.map((i) => ({ nodeId: `i=${i}`, attributeId: AttributeIds.Value })),
      );
      const val = (i: number): number => {
        const dv = dvs[i];
        return dv !== undefined && dv.statusCode.value === 0 && typeof dv.value.value === 'number'
          ? dv.value.value
          : 0;
      };
      return { maxNodesPerRead: val(0), maxMonitoredItemsPerCall: val(1), maxNodesPerBrowse: val(2) };
    } catch (err) {
      this.opts.log.warn({ err: messageOf(err) }, 'cannot read OperationLimits; using our own caps');
      return UNKNOWN_LIMITS;
    }
  }
}

function describeIdentity(id: UserIdentityInfo): string {
  if (id.type === UserTokenType.UserName) return `user ${id.userName}`;
  if (id.type === UserTokenType.Certificate) return 'an X.509 user certificate';
  return 'anonymous';
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
