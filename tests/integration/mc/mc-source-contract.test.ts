import { createMcSource } from '../../../agent/sources/mc/mc-source.js';
import { startMcSimulator } from '../../../simulators/mc/mc-simulator.js';
import { agentPoints, mcPressProfile } from '../../../simulators/mc/profiles.js';
import { captureLogger } from '../modbus/helpers.js';
import { pollingSourceContract } from '../modbus/polling-source-contract.js';
import { mcDevice } from './helpers.js';

pollingSourceContract('mc 3E binary over tcp (FX5U press)', async () => {
  const sim = await startMcSimulator({ series: 'iQ-F', profile: mcPressProfile() });
  const down = await startMcSimulator({ series: 'iQ-F' });
  const downUrl = down.url;
  await down.close();
  const { log } = captureLogger();
  const points = agentPoints(mcPressProfile());
  const device = mcDevice({
    id: 'contract',
    mc: { url: sim.url, series: 'iQ-F', timeout: '3s' },
    mcPoll: [
      { every: '1s', points: points.slice(0, 3) },
      { every: '5s', points: points.slice(3) },
    ],
  });
  const gone = mcDevice({
    id: 'gone',
    mc: { url: downUrl, series: 'iQ-F', timeout: '1s' },
    mcPoll: [{ every: '1s', points: points.slice(0, 1) }],
  });
  return {
    source: createMcSource(device, { log }),
    unreachable: createMcSource(gone, { log }),
    teardown: () => sim.close(),
  };
});
