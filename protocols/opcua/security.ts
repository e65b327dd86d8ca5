/**
 * Security option mapping (OPC UA Part 4 §7.20, Part 7 profiles). Pure: the wire identifiers, no node-opcua.
 *
 * Policy: mode None only with policy None and only when the endpoint explicitly allows it (`allowInsecure`):
 * Part 2 §4.8 "Profile None shall be disabled by default".
 */

export type SecurityModeName = 'None' | 'Sign' | 'SignAndEncrypt';
export type SecurityPolicyName = 'None' | 'Basic256Sha256' | 'Aes128_Sha256_RsaOaep' | 'Aes256_Sha256_RsaPss';

/** MessageSecurityMode enumeration values on the wire. */
export const MESSAGE_SECURITY_MODE: Readonly<Record<SecurityModeName, number>> = {
  None: 1,
  Sign: 2,
  SignAndEncrypt: 3,
};

export const SECURITY_POLICY_URI: Readonly<Record<SecurityPolicyName, string>> = {
  None: 'http://opcfoundation.org/UA/SecurityPolicy#None',
  Basic256Sha256: 'http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256',
  Aes128_Sha256_RsaOaep: 'http://opcfoundation.org/UA/SecurityPolicy#Aes128_Sha256_RsaOaep',
  Aes256_Sha256_RsaPss: 'http://opcfoundation.org/UA/SecurityPolicy#Aes256_Sha256_RsaPss',
};

export const DEFAULT_SECURITY_MODE: SecurityModeName = 'SignAndEncrypt';
/** The most widely deployed secure policy (Siemens S7-1500, Beckhoff, B&R, KEPServerEX all offer it). */
export const DEFAULT_SECURITY_POLICY: SecurityPolicyName = 'Basic256Sha256';

export interface SecurityRequest {
  securityMode?: SecurityModeName | undefined;
  securityPolicy?: SecurityPolicyName | undefined;
  allowInsecure?: boolean | undefined;
}

export interface ResolvedSecurity {
  mode: SecurityModeName;
  policy: SecurityPolicyName;
  modeValue: number;
  policyUri: string;
}

export type SecurityProblem =
  | { code: 'OPCUA_INSECURE_NOT_ALLOWED'; message: string }
  | { code: 'OPCUA_SECURITY_MISMATCH'; message: string };

/** Resolves defaults and checks the combination. Problems are values: the config checker lists them all. */
export function resolveSecurity(req: SecurityRequest): ResolvedSecurity | SecurityProblem {
  const mode: SecurityModeName =
    req.securityMode ?? (req.securityPolicy === 'None' ? 'None' : DEFAULT_SECURITY_MODE);
  const policy: SecurityPolicyName =
    req.securityPolicy ?? (mode === 'None' ? 'None' : DEFAULT_SECURITY_POLICY);
  if ((mode === 'None') !== (policy === 'None')) {
    return {
      code: 'OPCUA_SECURITY_MISMATCH',
      message: `securityMode ${mode} cannot be combined with securityPolicy ${policy}: None goes with None only`,
    };
  }
  if (mode === 'None' && req.allowInsecure !== true) {
    return {
      code: 'OPCUA_INSECURE_NOT_ALLOWED',
      message:
        'securityMode None sends data and passwords in clear text; set allowInsecure: true on this endpoint to accept that',
    };
  }
  return { mode, policy, modeValue: MESSAGE_SECURITY_MODE[mode], policyUri: SECURITY_POLICY_URI[policy] };
}

export function isSecurityProblem(r: ResolvedSecurity | SecurityProblem): r is SecurityProblem {
  return 'code' in r;
}
