/**
 * The cloud's embedded aedes broker (authentication + topic ACL, as `plantpulse cloud` runs it) in its own process,
 * so its CPU is not the load generator's. The user `bench` with the password from BENCH_MQTT_PASSWORD. Prints
 * {"url": …} once listening; exits when stdin closes.
 */
import { startEmbeddedBroker } from '../../cloud/broker/embedded-broker.js';
import { resolveConfig } from '../../config/load.js';
import { createRootLogger } from '../../config/logging.js';
import { EmbeddedBroker } from '../../config/schemas/broker.js';

const password = process.env['BENCH_MQTT_PASSWORD'];
if (!password) throw new Error('BENCH_MQTT_PASSWORD is not set');
const log = createRootLogger('bench-aedes', 'warn');
const broker = await startEmbeddedBroker(
  resolveConfig(EmbeddedBroker, {
    host: '127.0.0.1',
    port: 0,
    users: [{ username: 'bench', password, publish: ['bench/#'], subscribe: ['bench/#'] }],
  }),
  log,
);
process.stdout.write(`${JSON.stringify({ url: broker.url, pid: process.pid })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void broker.close().then(() => process.exit(0));
});
