import net from 'node:net';
import { createS7Source } from '../../../agent/sources/s7/s7-source.js';
import { s7CncProfile } from '../../../simulators/s7/s7-profile.js';
import { startS7Simulator } from '../../../simulators/s7/s7-simulator.js';
import { captureLogger } from '../modbus/helpers.js';
import { pollingSourceContract } from '../modbus/polling-source-contract.js';
import { s7Device } from './helpers.js';

pollingSourceContract('s7 against snap7', async () => {
  const sim = await startS7Simulator({ profile: s7CncProfile(), port: 0 });
  // a port nothing listens on (node-snap7 runs one server per process: the unreachable PLC is a closed port)
  const gonePort = await closedPort();
  const { log } = captureLogger();
  // two variable groups, so "every group" is exercised
  const device = s7Device({
    id: 'contract',
    s7: { host: sim.host, port: sim.port, timeout: '3s' },
    variables: [
      {
        every: '1s',
        points: [
          { name: 'state_code', address: 'DB2.DBW0', type: 'int' },
          { name: 'program', address: 'DB2.18', type: 'string', length: 24 },
          { name: 'alarm_active', address: 'DB2.DBX44.0' },
        ],
      },
      { every: '5s', points: [{ name: 'energy_kwh', address: 'DB2.50', type: 'lreal' }] },
    ],
  });
  const gone = s7Device({
    id: 'gone',
    s7: { host: sim.host, port: gonePort, timeout: '1s' },
    variables: [{ every: '1s', points: [{ name: 'state_code', address: 'DB2.DBW0', type: 'int' }] }],
  });
  return {
    source: createS7Source(device, { log }),
    unreachable: createS7Source(gone, { log }),
    teardown: () => sim.close(),
  };
});

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
