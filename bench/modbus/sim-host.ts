/**
 * Runs the benchmark's simulated devices in their own process, so the agent's CPU and memory are measured alone.
 * argv: devices registers [transport tcp|rtu+tcp] [paceBaud]. Prints {"urls": [...]} once listening; exits when
 * stdin closes.
 */
import { type ModbusSimulator, startModbusSimulator } from '../../simulators/modbus/modbus-simulator.js';
import { benchProfile } from './bench-profile.js';

const devices = Number(process.argv[2] ?? 10);
const registers = Number(process.argv[3] ?? 100);
const transport = process.argv[4] === 'rtu+tcp' ? 'rtu+tcp' : 'tcp';
const paceBaud = process.argv[5] === undefined ? undefined : Number(process.argv[5]);
const sims: ModbusSimulator[] = [];
for (let i = 0; i < devices; i++) {
  sims.push(
    await startModbusSimulator({
      port: 0,
      host: '127.0.0.1',
      profile: benchProfile(registers),
      transport,
      ...(paceBaud === undefined ? {} : { paceBaud }),
    }),
  );
}
process.stdout.write(`${JSON.stringify({ urls: sims.map((s) => s.url) })}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await Promise.all(sims.map((s) => s.close()));
  process.exit(0);
});
