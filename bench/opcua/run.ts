/**
 * OPC UA benchmark — N monitored items changing every `update` ms, first through a bare node-opcua client (the
 * baseline: one subscription, monitorItems in chunks, a counter on 'changed'), then through the agent's
 * subscribing source and subscribe runner (decoding into Samples, batching, watchdog), in the same run against the
 * same simulator process. Prints setup time, values/s against the demanded rate, CPU and RSS, and the ratio.
 *
 *   node dist/bench/opcua/run.js [--items 5000] [--update 1000] [--duration 10] [--smoke]
 *                                [--json]   (also print one JSON line with the figures, for bench/cases/opcua.ts)
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  AttributeIds,
  type ClientMonitoredItemGroup,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  TimestampsToReturn,
} from 'node-opcua';
import { pino } from 'pino';
import { resolveDeviceFor } from '../../agent/config/load-agent-config.js';
import { SubscribeRunner } from '../../agent/runner/subscribe-runner.js';
import { opcua } from '../../agent/sources/opcua/index.js';
import { routeNodeOpcuaLogging } from '../../agent/sources/opcua/node-opcua-logging.js';
import { createOpcuaSources } from '../../agent/sources/opcua/opcua-source.js';
import type { SubscribingSource } from '../../agent/sources/source.js';

const { values: args } = parseArgs({
  options: {
    items: { type: 'string', default: '5000' },
    update: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '10' },
    smoke: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const items = args.smoke ? 200 : Number(args.items);
const updateMs = args.smoke ? 500 : Number(args.update);
const durationMs = (args.smoke ? 2 : Number(args.duration)) * 1000;
const log = pino({ level: 'warn' });
routeNodeOpcuaLogging(log);

interface Result {
  name: string;
  setupMs: number;
  values: number;
  cpuMs: number;
  rssMb: number;
}

const host = spawn(
  process.execPath,
  [join(import.meta.dirname, 'sim-host.js'), String(items), String(updateMs)],
  {
    stdio: ['pipe', 'pipe', 'inherit'],
  },
);
const endpoint = await new Promise<string>((resolve, reject) => {
  let out = '';
  host.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
    const line = out.split('\n').find((l) => l.startsWith('{'));
    if (line) resolve((JSON.parse(line) as { endpoint: string }).endpoint);
  });
  host.once('exit', (code) => reject(new Error(`simulator host exited ${code}`)));
});
const pki = await mkdtemp(join(tmpdir(), 'plantpulse-bench-opcua-'));
const nodes = Array.from(
  { length: items },
  (_, i) => `ns=2;s=Bulk.V${String(i).padStart(String(items - 1).length, '0')}`,
);

try {
  const raw = await measure('bare node-opcua client', runRaw);
  const agent = await measure('plantpulse subscribing source', runAgent);
  print([raw, agent]);
  if (args.json) console.log(JSON.stringify({ items, updateMs, durationMs, raw, agent }));
} finally {
  host.stdin?.end();
  await rm(pki, { recursive: true, force: true });
}

async function measure(
  name: string,
  run: (count: () => void) => Promise<{ setupMs: number; stop(): Promise<void> }>,
) {
  let values = 0;
  const { setupMs, stop } = await run(() => values++);
  values = 0;
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, durationMs));
  const cpu = process.cpuUsage(cpu0);
  const result: Result = {
    name,
    setupMs,
    values,
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssMb: process.memoryUsage().rss / 2 ** 20,
  };
  await stop();
  return result;
}

async function runRaw(count: () => void) {
  const t0 = performance.now();
  const clientCertificateManager = new OPCUACertificateManager({
    rootFolder: join(pki, 'raw'),
    automaticallyAcceptUnknownCertificate: false,
  });
  const client = OPCUAClient.create({
    clientCertificateManager,
    securityMode: MessageSecurityMode.None,
    securityPolicy: SecurityPolicy.None,
    endpointMustExist: false,
    connectionStrategy: { maxRetry: 0 },
  });
  await client.connect(endpoint);
  const session = await client.createSession();
  const sub = await session.createSubscription2({
    requestedPublishingInterval: updateMs,
    requestedMaxKeepAliveCount: 5,
    requestedLifetimeCount: 30,
    maxNotificationsPerPublish: 0,
    // CreateSubscriptionRequest defaults to publishing disabled
    publishingEnabled: true,
  });
  const groups: ClientMonitoredItemGroup[] = [];
  for (let i = 0; i < nodes.length; i += 1000) {
    const g = await sub.monitorItems(
      nodes.slice(i, i + 1000).map((nodeId) => ({ nodeId, attributeId: AttributeIds.Value })),
      { samplingInterval: updateMs, queueSize: 1, discardOldest: true },
      TimestampsToReturn.Both,
    );
    g.on('changed', count);
    groups.push(g);
  }
  const setupMs = performance.now() - t0;
  return {
    setupMs,
    async stop() {
      await sub.terminate();
      await session.close();
      await client.disconnect();
      await clientCertificateManager.dispose();
    },
  };
}

async function runAgent(count: () => void) {
  const t0 = performance.now();
  const [source] = createOpcuaSources(
    resolveDeviceFor(opcua, {
      id: 'bench',
      opcua: { endpoint, securityMode: 'None', allowInsecure: true, pki, publishingInterval: updateMs },
      subscribe: nodes.map((node, i) => ({ name: `v${i}`, node, samplingInterval: updateMs, queueSize: 1 })),
    }),
    { log },
  );
  let ready: () => void = () => undefined;
  const subscribed = new Promise<void>((r) => {
    ready = r;
  });
  const runner = new SubscribeRunner({
    sources: [source as SubscribingSource],
    log,
    onSamples: (s) => {
      for (let i = 0; i < s.length; i++) count();
    },
    onReachability: (_d, reachable) => {
      if (reachable) ready();
    },
  });
  runner.start();
  await subscribed;
  return { setupMs: performance.now() - t0, stop: () => runner.stop() };
}

function print(rows: Result[]): void {
  const demanded = (items * 1000) / updateMs;
  console.log(
    `OPC UA: ${items} monitored items changing every ${updateMs} ms (demand ${demanded.toFixed(0)} values/s), ${durationMs / 1000} s each`,
  );
  console.log(
    'phase'.padEnd(32),
    'setup ms'.padStart(9),
    'values/s'.padStart(10),
    'of demand'.padStart(10),
    'CPU ms/s'.padStart(9),
    'RSS MB'.padStart(7),
  );
  for (const r of rows) {
    const rate = (r.values * 1000) / durationMs;
    console.log(
      r.name.padEnd(32),
      r.setupMs.toFixed(0).padStart(9),
      rate.toFixed(0).padStart(10),
      `${((rate / demanded) * 100).toFixed(1)}%`.padStart(10),
      ((r.cpuMs * 1000) / durationMs).toFixed(0).padStart(9),
      r.rssMb.toFixed(0).padStart(7),
    );
  }
  const [raw, agent] = rows;
  if (raw && agent) {
    console.log(
      `agent/raw: values ${(agent.values / Math.max(1, raw.values)).toFixed(2)}×, CPU ${(agent.cpuMs / Math.max(1, raw.cpuMs)).toFixed(2)}×, setup ${(agent.setupMs / Math.max(1, raw.setupMs)).toFixed(2)}×`,
    );
  }
}
