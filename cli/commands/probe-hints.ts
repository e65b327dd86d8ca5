/**
 * What to try next when `plantpulse probe` gets no value: one hint per failure code (and Modbus exception code),
 * phrased for the engineer at the machine. The failure itself keeps its stable code and message.
 */
import { referenceOf, TABLE_FUNCTION } from '../../protocols/modbus/address-forms.js';
import type { ModbusTable } from '../../protocols/modbus/point.js';

export interface ModbusProbeContext {
  table: ModbusTable;
  address: number;
  count: number;
  unitId: number;
  timeoutMs: number;
  url: string;
}

export function modbusHint(code: string, detail: number | string | undefined, c: ModbusProbeContext): string {
  const last = c.address + c.count - 1;
  switch (code) {
    case 'MODBUS_EXCEPTION':
      return exceptionHint(Number(detail), c, last);
    case 'MODBUS_TIMEOUT':
      return (
        `no answer within ${c.timeoutMs} ms. Check the unit id (--unit ${c.unitId}; a TCP gateway routes by it), ` +
        'for RTU the baud rate, parity and A/B wiring; a slow device may need --timeout 3s'
      );
    case 'MODBUS_CRC':
      return 'the answer arrived corrupted: the baud rate or parity does not match the device, the line is noisy, or a second master is on the bus';
    case 'MODBUS_BAD_RESPONSE':
      return (
        'the answer does not fit the request: a serial gateway in Modbus TCP mode needs tcp://, one in ' +
        'raw/transparent mode rtu+tcp://'
      );
    case 'MODBUS_SHORT_RESPONSE':
    case 'MODBUS_LONG_RESPONSE':
      return (
        `the device answered with ${code === 'MODBUS_SHORT_RESPONSE' ? 'fewer' : 'more'} values than the ` +
        `${c.count} asked for: its firmware may cap a request's size (try --count 1) or not serve part of the window`
      );
    case 'MODBUS_BAD_URL':
      return 'use tcp://host:502, rtu:///dev/ttyUSB0?baud=19200&parity=even or rtu+tcp://host:4001';
    default:
      return c.url.startsWith('rtu://')
        ? 'cannot open the serial port: check the device path, that no other program holds it, and its permissions (the dialout group)'
        : 'cannot connect: check host and port (Modbus TCP listens on 502), that the device is on, and firewalls';
  }
}

function exceptionHint(exception: number, c: ModbusProbeContext, last: number): string {
  const fc = TABLE_FUNCTION[c.table];
  switch (exception) {
    case 1:
      return `the device does not serve function ${fc} (${c.table}): try --table ${c.table === 'holding' ? 'input' : 'holding'}`;
    case 2: {
      const off =
        c.address > 0
          ? `--address ${c.address - 1} (${referenceOf(c.table, c.address - 1)}) or --address ${c.address + 1}`
          : `--address ${c.address + 1}`;
      return (
        `the device has no ${c.table} data at 0-based address ${c.address}` +
        `${c.count > 1 ? `…${last}` : ''}. The address may be off by one (manuals often count from 1: ` +
        `${referenceOf(c.table, c.address)} is 0-based address ${c.address}): try ${off}` +
        `${c.count > 1 ? '; or the window runs past the device map: try --count 1' : ''}`
      );
    }
    case 3:
      return 'the device refused the quantity or value: try a smaller --count';
    case 4:
      return 'the device failed while answering (server device failure): check its own diagnostics';
    case 6:
      return 'the device is busy: try again';
    case 10:
    case 11:
      return `a gateway could not reach unit ${c.unitId}: check --unit and the gateway's serial side`;
    default:
      return 'see the device manual for this exception code';
  }
}

/** OPC UA connection and status hints. */
export function opcuaHint(code: string, pkiDir: string): string | undefined {
  switch (code) {
    case 'OPCUA_CERT_UNTRUSTED':
      return `compare the thumbprint with the server's, then: plantpulse opcua trust <thumbprint> --pki ${pkiDir}`;
    case 'OPCUA_CLIENT_CERT_REJECTED':
      return "the server does not trust our certificate yet: its administrator must accept it (see the server's rejected clients)";
    case 'OPCUA_SECURITY_UNAVAILABLE':
      return 'the server does not offer this mode/policy: try --policy Basic256Sha256, or --mode Sign';
    case 'OPCUA_AUTH_FAILED':
      return 'check --user and --password-file';
    case 'OPCUA_CONNECT_FAILED':
      return 'check host and port (OPC UA listens on 4840 by default), that the server runs, and firewalls';
    case 'BadNodeIdUnknown':
    case 'BadNodeIdInvalid':
      return 'the server has no such node: list its variables with plantpulse browse';
    case 'BadUserAccessDenied':
    case 'BadNotReadable':
      return 'the user may not read this node: try another --user';
    default:
      return undefined;
  }
}
