import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SharedResources, SourceConfigError } from '../../../agent/sources/component.js';
import { modbus } from '../../../agent/sources/modbus/index.js';
import { createModbusSource } from '../../../agent/sources/modbus/modbus-source.js';
import { lineKey, parseModbusUrl, readModbusUrl } from '../../../agent/sources/modbus/modbus-url.js';
import { agentDevice, modbusDevice } from '../../helpers/configs.js';

const log = pino({ level: 'silent' });

describe('modbus URLs', () => {
  it('parses the three transports with defaults', () => {
    expect(parseModbusUrl('tcp://10.0.3.7')).toEqual({ kind: 'tcp', host: '10.0.3.7', port: 502 });
    expect(parseModbusUrl('rtu+tcp://gw:4001')).toEqual({ kind: 'rtu+tcp', host: 'gw', port: 4001 });
    expect(parseModbusUrl('rtu:///dev/ttyUSB0?baud=19200&parity=even')).toEqual({
      kind: 'rtu',
      path: '/dev/ttyUSB0',
      baudRate: 19200,
      parity: 'even',
      dataBits: 8,
      stopBits: 1,
    });
    expect(parseModbusUrl('rtu:///dev/ttyS1')).toMatchObject({ baudRate: 9600, parity: 'none', stopBits: 1 });
  });
  it('reports every problem of a URL at once, saying why', () => {
    expect(readModbusUrl('rtu:///dev/ttyUSB0?baud=fast&parity=evn&speed=9600&stopBits=3')).toEqual({
      problems: [
        'unknown serial option "speed" (use baud, parity, dataBits, stopBits)',
        'baud must be a number such as 9600, got "fast"',
        'parity must be one of none, even, odd, mark, space, got "evn"',
        'stopBits must be 1 or 2, got "3"',
      ],
    });
    expect(() => parseModbusUrl('udp://x:502')).toThrow(/scheme udp/);
  });
  it('devices on the same serial device or gateway share a line', () => {
    expect(lineKey(parseModbusUrl('rtu:///dev/ttyUSB0?baud=9600'))).toBe(
      lineKey(parseModbusUrl('rtu:///dev/ttyUSB0')),
    );
    expect(lineKey(parseModbusUrl('tcp://gw:502'))).not.toBe(lineKey(parseModbusUrl('rtu+tcp://gw:502')));
  });
});

describe('modbus component', () => {
  it('refuses at create, before any I/O, a device its check refuses, with the check’s messages', async () => {
    // built as a resolved device would never be (the loader refuses it): the component still checks at start
    const bad = { id: 'd1', modbus: { ...modbusDevice(ok()).modbus, url: 'rtu://' }, poll: ok().poll };
    const err = await modbus
      .create(bad as unknown as Parameters<typeof modbus.create>[0], { log, shared: new SharedResources() })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceConfigError);
    expect((err as SourceConfigError).code).toBe('MODBUS_CONFIG');
    expect((err as SourceConfigError).message).toBe(
      `device d1: modbus.url: ${modbus.check(bad as unknown as Parameters<typeof modbus.check>[0])[0]?.message}`,
    );
  });
  it('a valid device resolves with the spec’s defaults and gets a plan per group', () => {
    const d = modbusDevice(ok());
    expect(modbus.check(d)).toEqual([]);
    const src = createModbusSource(d, { log });
    expect(src.plan).toHaveLength(1);
    expect(src.reconnectPolicy).toEqual({ afterFailures: 3, initialMs: 500, maxMs: 30_000 });
    expect(src.unitId).toBe(1);
  });
  it('a device without modbus: is not this component’s', () => {
    const cnc = agentDevice({
      id: 'x',
      opcua: { endpoint: 'opc.tcp://h:1' },
      read: [{ every: '1s', nodes: [{ name: 'n', node: 'i=85' }] }],
    });
    expect(modbus.handles(cnc)).toBe(false);
  });
});

function ok() {
  return {
    id: 'd1',
    modbus: { url: 'tcp://127.0.0.1:502' },
    poll: [{ every: '1s', points: [{ name: 'a', table: 'holding' as const, address: 0 }] }],
  };
}
