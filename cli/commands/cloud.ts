import { startCloud } from '../../cloud/cloud.js';
import { loadCloudConfig } from '../../config/load.js';
import { processCommand } from '../process-command.js';

export const cloudCommand = processCommand({
  name: 'cloud',
  summary: 'run the ingester: embedded MQTT broker, Sparkplug host, InfluxDB writer, API and dashboard',
  load: (file) => loadCloudConfig(file),
  async start(config, log) {
    const cloud = await startCloud(config, log);
    return {
      stop: () => cloud.stop(),
      describe: () => ({ broker: cloud.brokerUrl, api: cloud.apiUrl, http: cloud.httpUrl }),
    };
  },
});
