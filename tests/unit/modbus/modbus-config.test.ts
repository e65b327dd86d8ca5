import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  checkModbusDevice,
  createModbusSource,
  ModbusConfigError,
} from '../../../agent/sources/modbus/modbus-source.js';
import { lineKey, parseModbusUrl } from '../../../agent/sources/modbus/modbus-url.js';
import type { AgentDevice } from '../../../config/schemas/agent.js';

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
  it('rejects what it cannot use, saying why', () => {
    expect(() => parseModbusUrl('rtu:///dev/ttyUSB0?baud=fast')).toThrow(/baud fast is not a baud rate/);
    expect(() => parseModbusUrl('rtu:///dev/ttyUSB0?parity=evn')).toThrow(/parity must be one of/);
    expect(() => parseModbusUrl('rtu:///dev/ttyUSB0?speed=9600')).toThrow(/unknown option speed/);
    expect(() => parseModbusUrl('rtu:///dev/ttyUSB0?stopBits=3')).toThrow(/stopBits must be 1 or 2/);
    expect(() => parseModbusUrl('udp://x:502')).toThrow(/scheme udp/);
  });
  it('devices on the same serial device or gateway share a line', () => {
    expect(lineKey(parseModbusUrl('rtu:///dev/ttyUSB0?baud=9600'))).toBe(
      lineKey(parseModbusUrl('rtu:///dev/ttyUSB0')),
    );
    expect(lineKey(parseModbusUrl('tcp://gw:502'))).not.toBe(lineKey(parseModbusUrl('rtu+tcp://gw:502')));
  });
});

describe('device config checks', () => {
  const device = (points: unknown[], modbus: Partial<NonNullable<AgentDevice['modbus']>> = {}): AgentDevice =>
    ({
      id: 'd1',
      modbus: { url: 'tcp://127.0.0.1:502', ...modbus },
      poll: [{ every: '1s', points }],
    }) as AgentDevice;

  it('reports every problem at once, with its poll group and point', () => {
    const problems = checkModbusDevice(
      device([
        { name: 'a', table: 'holding', address: 0, type: 'bool' },
        { name: 'a', table: 'holding', address: 1 },
        { name: 's', table: 'input', address: 2, type: 'string' },
      ]),
    );
    expect(problems).toEqual([
      'poll[0] point a: type bool on a holding register needs bit (0–15)',
      'poll[0] point a: duplicate point name in this device',
      'poll[0] point s: type string needs length (in registers)',
    ]);
  });
  it('a name used in two poll groups is a problem', () => {
    const d = device([{ name: 'a', table: 'holding', address: 0 }]);
    d.poll?.push({ every: '5s', points: [{ name: 'a', table: 'input', address: 0 }] });
    expect(checkModbusDevice(d)).toEqual(['poll[1] point a: also in an earlier poll group']);
  });
  it('a bad URL is a config problem too', () => {
    expect(
      checkModbusDevice(device([{ name: 'a', table: 'holding', address: 0 }], { url: 'rtu://' })),
    ).toEqual([expect.stringMatching(/missing serial device path/)]);
  });
  it('createModbusSource refuses a config it cannot poll, before any I/O', () => {
    expect(() =>
      createModbusSource(device([{ name: 'x', table: 'coil', address: 0, type: 'int32' }]), { log }),
    ).toThrow(ModbusConfigError);
  });
  it('a valid device has no problems and a plan per group', () => {
    const d = device([{ name: 'a', table: 'holding', address: 0 }]);
    expect(checkModbusDevice(d)).toEqual([]);
    const src = createModbusSource(d, { log });
    expect(src.plan).toHaveLength(1);
    expect(src.reconnectPolicy).toEqual({ afterFailures: 3, initialMs: 500, maxMs: 30_000 });
  });
});
