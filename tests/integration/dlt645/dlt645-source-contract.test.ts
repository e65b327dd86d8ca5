import { BusRegistry } from '../../../agent/sources/dlt645/bus-registry.js';
import { createDlt645Source } from '../../../agent/sources/dlt645/dlt645-source.js';
import { startDlt645Simulator } from '../../../simulators/dlt645/dlt645-simulator.js';
import { captureLogger } from '../modbus/helpers.js';
import { pollingSourceContract } from '../modbus/polling-source-contract.js';
import { meterDevice } from './helpers.js';

pollingSourceContract('dlt645 over a DTU (tcp)', async () => {
  const meters = [{ address: '000012345678', power: 20 }];
  const sim = await startDlt645Simulator({ transport: 'tcp', port: 0, meters });
  const down = await startDlt645Simulator({ transport: 'tcp', port: 0, meters });
  const downUrl = down.url;
  await down.close();
  const { log } = captureLogger();
  const buses = new BusRegistry(log);
  // two reading groups, so "every group" is exercised
  const device = meterDevice({
    id: 'contract',
    dlt645: { url: sim.url, address: '000012345678', timeout: '3s' },
    readings: [
      {
        every: '1s',
        points: [
          { name: 'energy_kwh', di: '00010000' },
          { name: 'max_demand_kw', di: '01010000', timeName: 'max_demand_at' },
        ],
      },
      { every: '5s', points: [{ name: 'power_factor', di: '02060000' }] },
    ],
  });
  const gone = meterDevice({
    id: 'gone',
    dlt645: { url: downUrl, address: '000012345678', timeout: '1s' },
    readings: [{ every: '1s', points: [{ name: 'energy_kwh', di: '00010000' }] }],
  });
  return {
    source: createDlt645Source(device, { log, buses }),
    unreachable: createDlt645Source(gone, { log, buses }),
    teardown: () => sim.close(),
  };
});
