import { LineRegistry } from '../../../agent/sources/modbus/line-registry.js';
import { createModbusSource } from '../../../agent/sources/modbus/modbus-source.js';
import type { ModbusPointSpec } from '../../../protocols/modbus/point.js';
import { startModbusSimulator } from '../../../simulators/modbus/modbus-simulator.js';
import type { SimProfile } from '../../../simulators/modbus/profile.js';
import { agentPoints } from '../../../simulators/modbus/profile.js';
import { modbusDevice } from '../../helpers/configs.js';
import { captureLogger, deviceConfig } from './helpers.js';
import { pollingSourceContract } from './polling-source-contract.js';

const everyTable: SimProfile = {
  name: 'every-table',
  points: [
    { name: 'h', table: 'holding', address: 0, type: 'int32', order: 'CDAB', initial: -5 },
    { name: 'i', table: 'input', address: 0, type: 'float64', initial: 2.5 },
    { name: 'c', table: 'coil', address: 0, initial: true },
    { name: 'd', table: 'discrete', address: 1, initial: false },
    { name: 's', table: 'holding', address: 10, type: 'string', length: 2, initial: 'ok' },
  ],
};

for (const transport of ['tcp', 'rtu+tcp'] as const) {
  pollingSourceContract(`modbus ${transport}`, async () => {
    const sim = await startModbusSimulator({
      transport,
      port: 0,
      host: '127.0.0.1',
      profile: everyTable,
      animate: false,
    });
    const down = await startModbusSimulator({
      transport,
      port: 0,
      host: '127.0.0.1',
      profile: everyTable,
      animate: false,
    });
    const downUrl = down.url;
    await down.close();
    const { log } = captureLogger();
    const points: ModbusPointSpec[] = agentPoints(everyTable);
    const lines = new LineRegistry(log);
    // two poll groups, so "every group" is exercised
    const device = modbusDevice({
      id: 'contract',
      modbus: { url: sim.url, unitId: 1, timeout: '3s' },
      poll: [
        { every: '1s', points: points.slice(0, 3) },
        { every: '5s', points: points.slice(3) },
      ],
    });
    return {
      source: createModbusSource(device, { log, lines }),
      unreachable: createModbusSource(deviceConfig('gone', downUrl, points, { timeout: '1s' }), {
        log,
        lines,
      }),
      teardown: () => sim.close(),
    };
  });
}
