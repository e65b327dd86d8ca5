/** Pure OPC UA mappings: status → quality, security resolution, node ids, batching, type names. */
import { describe, expect, test } from 'vitest';
import { chunk, effectiveLimit } from '../../../protocols/opcua/batches.js';
import { kindOfBuiltin, kindOfTypeName } from '../../../protocols/opcua/data-types.js';
import { metricNameFromPath, parseNodeId } from '../../../protocols/opcua/node-id.js';
import { isSecurityProblem, resolveSecurity } from '../../../protocols/opcua/security.js';
import { formatStatusCode, isLinkStatus, qualityOfStatus } from '../../../protocols/opcua/status-quality.js';

describe('status code → quality', () => {
  test.each([
    [0x00000000, 'good'], // Good
    [0x00300000, 'good'], // GoodClamped
    [0x40900000, 'uncertain'], // UncertainLastUsableValue
    [0x408f0000, 'uncertain'], // UncertainNoCommunicationLastUsableValue
    [0x808c0000, 'bad'], // BadSensorFailure
    [0x80340000, 'bad'], // BadNodeIdUnknown
    [0xc0000000, 'bad'], // reserved severity 11
  ] as const)('%s → %s', (code, quality) => {
    expect(qualityOfStatus(code)).toBe(quality);
  });

  test('codes print like OPC UA tools print them, link faults are recognised with info bits set', () => {
    expect(formatStatusCode(0x80340000)).toBe('0x80340000');
    expect(isLinkStatus(0x800a0000)).toBe(true);
    expect(isLinkStatus(0x800a0400)).toBe(true);
    expect(isLinkStatus(0x808c0000)).toBe(false);
  });
});

describe('security resolution', () => {
  test('defaults to SignAndEncrypt with Basic256Sha256', () => {
    expect(resolveSecurity({})).toMatchObject({
      mode: 'SignAndEncrypt',
      policy: 'Basic256Sha256',
      modeValue: 3,
    });
  });

  test('None only when allowed, and only with policy None', () => {
    const refused = resolveSecurity({ securityMode: 'None' });
    expect(isSecurityProblem(refused) && refused.code).toBe('OPCUA_INSECURE_NOT_ALLOWED');
    expect(resolveSecurity({ securityMode: 'None', allowInsecure: true })).toMatchObject({
      policy: 'None',
      modeValue: 1,
    });
    expect(resolveSecurity({ securityPolicy: 'None', allowInsecure: true })).toMatchObject({ mode: 'None' });
    const mismatch = resolveSecurity({ securityMode: 'Sign', securityPolicy: 'None', allowInsecure: true });
    expect(isSecurityProblem(mismatch) && mismatch.code).toBe('OPCUA_SECURITY_MISMATCH');
  });

  test.each(['Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'] as const)(
    '%s maps to its URI',
    (p) => {
      expect(resolveSecurity({ securityPolicy: p })).toMatchObject({
        policyUri: `http://opcfoundation.org/UA/SecurityPolicy#${p}`,
      });
    },
  );
});

describe('node ids', () => {
  test.each([
    ['i=85', { namespace: 0, type: 'i', identifier: '85' }],
    ['ns=2;s=CNC01.Spindle.Speed', { namespace: 2, type: 's', identifier: 'CNC01.Spindle.Speed' }],
    ['nsu=http://vendor/ua;s=A;B', { namespaceUri: 'http://vendor/ua', type: 's', identifier: 'A;B' }],
    ['ns=3;g=72962B91-FA75-4AE6-8D28-B404DC7DAF63', { namespace: 3, type: 'g' }],
    ['ns=1;b=aGVsbG8=', { namespace: 1, type: 'b' }],
  ])('%s parses', (text, expected) => {
    expect(parseNodeId(text)).toMatchObject(expected);
  });

  test.each(['', 'ns=2', 'x=1', 'i=abc', 'ns=2;g=not-a-guid', 'ns=a;s=x'])('%j is refused', (text) => {
    expect(parseNodeId(text)).toBeUndefined();
  });

  test('metric names from browse paths', () => {
    expect(metricNameFromPath('CNC01/Spindle/SpeedSetpoint')).toBe('cnc01_spindle_speed_setpoint');
    expect(metricNameFromPath('Ä/ö')).toBe('value');
    expect(metricNameFromPath('x'.repeat(100)).length).toBe(64);
  });
});

describe('batching by OperationLimits', () => {
  test('0 means unlimited (our cap), otherwise the server limit', () => {
    expect(effectiveLimit(0)).toBe(1000);
    expect(effectiveLimit(undefined)).toBe(1000);
    expect(effectiveLimit(250)).toBe(250);
    expect(effectiveLimit(5000)).toBe(1000);
  });

  test('chunks keep order and sizes', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });
});

describe('type names', () => {
  test('built-in ids and config names map to metric kinds', () => {
    expect(kindOfBuiltin(8)).toBe('int64');
    expect(kindOfBuiltin(13)).toBe('datetime');
    expect(kindOfBuiltin(99)).toBe('string');
    expect(kindOfTypeName('UInt16')).toBe('uint16');
    expect(kindOfTypeName('double')).toBe('double');
    expect(kindOfTypeName('Nope')).toBeUndefined();
  });
});
