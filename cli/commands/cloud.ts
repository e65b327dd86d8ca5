import { type ConfigSource, configSource } from '../../cloud/audit/open-audit.js';
import { startCloud } from '../../cloud/cloud.js';
import { loadCloudConfig } from '../../config/load.js';
import { processCommand } from '../process-command.js';

let source: ConfigSource | undefined;

export const cloudCommand = processCommand({
  name: 'cloud',
  summary: 'run the ingester: embedded MQTT broker, Sparkplug host, InfluxDB writer, API and dashboard',
  load: async (file) => {
    const loaded = await loadCloudConfig(file);
    // the SHA-256 of the file just validated, for the audit log's config.loaded event
    source = await configSource(loaded.file);
    return loaded;
  },
  async start(config, log) {
    const cloud = await startCloud(config, log, source ? { configSource: source } : {});
    return {
      stop: () => cloud.stop(),
      describe: () => ({ broker: cloud.brokerUrl, api: cloud.apiUrl, http: cloud.httpUrl }),
      reload: (next) => cloud.reload(next.config),
    };
  },
});
