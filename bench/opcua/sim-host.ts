/**
 * Runs the OPC UA simulator in its own process (so the server's CPU is not the client's): N bulk variables changing
 * every `updateMs`. Prints `{"endpoint": …}` on stdout; exits when stdin closes.
 */
import { startOpcuaSimulator } from '../../simulators/opcua/opcua-simulator.js';

const items = Number(process.argv[2] ?? 5000);
const updateMs = Number(process.argv[3] ?? 1000);
const sim = await startOpcuaSimulator({
  model: 'cnc',
  bulkVariables: items,
  bulkUpdateMs: updateMs,
  operationLimits: { maxMonitoredItemsPerCall: 1000, maxNodesPerRead: 1000 },
});
process.stdout.write(`${JSON.stringify({ endpoint: sim.endpoint })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void sim.close().then(() => process.exit(0));
});
