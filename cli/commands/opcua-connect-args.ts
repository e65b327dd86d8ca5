/**
 * The OPC UA connection options shared by `plantpulse browse` and `plantpulse probe opc.tcp://…`: the agent's
 * security rules (SignAndEncrypt/Basic256Sha256 by default, None only with --allow-insecure), a user, the client PKI
 * folder, or `-c agent.yaml [--device id]` to connect exactly as the agent does for that device.
 */
import { readFile } from 'node:fs/promises';
import { OpcuaConnection } from '../../agent/sources/opcua/spec.js';
import { resolveConfig } from '../../config/load.js';
import type { SecurityModeName, SecurityPolicyName } from '../../protocols/opcua/security.js';
import { agentOpcuaDevice } from './opcua-pki-dirs.js';

/** parseArgs option specs (merge into the command's own). */
export const OPCUA_CONNECT_OPTIONS = {
  mode: { type: 'string' },
  policy: { type: 'string' },
  'allow-insecure': { type: 'boolean' },
  user: { type: 'string' },
  'password-file': { type: 'string' },
  pki: { type: 'string' },
  'agent-config': { type: 'string', short: 'c' },
  device: { type: 'string' },
} as const;

/** (`pki/opcua` is agent/sources/opcua/pki.ts's DEFAULT_PKI_DIR, not imported so that this file stays light.) */
export const OPCUA_CONNECT_USAGE = `  -c, --agent-config <f> connect like the agent does for that device (endpoint, security, user, PKI)
  --device <id>          with -c: which OPC UA device of the config
  --mode <m>             None | Sign | SignAndEncrypt (default SignAndEncrypt)
  --policy <p>           Basic256Sha256 | Aes128_Sha256_RsaOaep | Aes256_Sha256_RsaPss | None
  --allow-insecure       permit --mode None
  --user <name>          user name (password from --password-file or PLANTPULSE_OPCUA_PASSWORD)
  --password-file <f>    file holding the password
  --pki <dir>            client PKI folder (default pki/opcua; with -c the agent's)`;

const MODES = ['None', 'Sign', 'SignAndEncrypt'];
const POLICIES = ['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'];

export type OpcuaConnectArgs =
  | { ok: true; connection: OpcuaConnection; pkiDir: string }
  /** exit 2: a usage problem, or (`config`) the agent config given with -c is invalid */
  | { ok: false; message: string; config?: boolean };

/**
 * The connection the options describe. `endpoint` is the positional argument, if any; with -c the config's
 * endpoint is used when none is given. Reads the password file; does no network I/O.
 */
export async function opcuaConnectArgs(
  v: Record<string, string | boolean | string[] | undefined>,
  endpointArg: string | undefined,
): Promise<OpcuaConnectArgs> {
  let fromConfig: { connection: OpcuaConnection; pkiDir: string } | undefined;
  const agentConfig = str(v['agent-config']);
  if (agentConfig !== undefined) {
    try {
      const found = await agentOpcuaDevice(agentConfig, str(v.device));
      if (typeof found === 'string') return { ok: false, message: found };
      fromConfig = found;
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err), config: true };
    }
  }
  const endpoint = endpointArg ?? fromConfig?.connection.endpoint;
  if (endpoint === undefined || !endpoint.startsWith('opc.tcp://')) {
    return { ok: false, message: 'expected one opc.tcp:// endpoint' };
  }
  const mode = str(v.mode);
  const policy = str(v.policy);
  if (mode !== undefined && !MODES.includes(mode))
    return { ok: false, message: `--mode must be one of ${MODES.join(', ')}` };
  if (policy !== undefined && !POLICIES.includes(policy))
    return { ok: false, message: `--policy must be one of ${POLICIES.join(', ')}` };
  // the agent's connection for the device, or the spec's defaults; options given here override either
  const connection: OpcuaConnection = {
    ...(fromConfig?.connection ?? resolveConfig(OpcuaConnection, { endpoint }, 'opcua')),
    endpoint,
  };
  if (mode !== undefined) connection.securityMode = mode as SecurityModeName;
  if (policy !== undefined) connection.securityPolicy = policy as SecurityPolicyName;
  if (v['allow-insecure'] === true) connection.allowInsecure = true;
  const user = str(v.user);
  if (user !== undefined) {
    const file = str(v['password-file']);
    let password = process.env.PLANTPULSE_OPCUA_PASSWORD ?? '';
    if (file !== undefined) {
      try {
        password = (await readFile(file, 'utf8')).trim();
      } catch (err) {
        return {
          ok: false,
          message: `--password-file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        };
      }
    }
    connection.user = { username: user, password };
  }
  // loaded here, not at the top: pki.ts loads node-opcua, which a Modbus probe must not pay for
  const { DEFAULT_PKI_DIR } = await import('../../agent/sources/opcua/pki.js');
  return { ok: true, connection, pkiDir: str(v.pki) ?? fromConfig?.pkiDir ?? DEFAULT_PKI_DIR };
}

function str(v: string | boolean | string[] | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
