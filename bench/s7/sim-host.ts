/**
 * The S7 benchmark's PLC in its own process (node-snap7 allows one server per process, and the agent's CPU is then
 * measured alone): argv tags pduSize. DB1 holds `tags` REALs. Prints {"host","port"} once listening; exits when
 * stdin closes.
 */
import { startS7Simulator } from '../../simulators/s7/s7-simulator.js';
import { benchS7Profile } from './bench-s7-profile.js';

const tags = Number(process.argv[2] ?? 1000);
const pduSize = Number(process.argv[3] ?? 960);
const sim = await startS7Simulator({ profile: benchS7Profile(tags), port: 0, pduSize });
process.stdout.write(`${JSON.stringify({ host: sim.host, port: sim.port })}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await sim.close();
  process.exit(0);
});
