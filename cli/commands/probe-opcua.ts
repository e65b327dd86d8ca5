/**
 * `plantpulse probe opc.tcp://… --node <id> [--node …]`: reads the given nodes once through the agent's own OPC UA
 * read source (a one-group device created by agent/sources/registry.ts, with browse's connection options) and prints
 * value, data type, status and source time per node, and the `subscribe:` line to paste.
 */
import { explainSamples } from '../../agent/commission/sample-errors.js';
import type { AgentDeviceInput } from '../../agent/config/device-spec.js';
import { resolveAgentDevice } from '../../agent/config/load-agent-config.js';
import { SharedResources } from '../../agent/sources/component.js';
import { createSources } from '../../agent/sources/registry.js';
import { metricNameFromPath, parseNodeId } from '../../protocols/opcua/node-id.js';
import type { Sample } from '../../protocols/sample.js';
import { alignColumns } from '../text-table.js';
import { valueText } from './agent-once-output.js';
import type { CommandIo } from './command.js';
import { subscribeConfigLine } from './opcua-config-line.js';
import { opcuaConnectArgs } from './opcua-connect-args.js';
import { quietNodeOpcua } from './opcua-quiet.js';
import { opcuaHint } from './probe-hints.js';

const CONNECT_DEADLINE_MS = 30_000;

/** A metric name for a node id: `ns=2;s=CNC01.Spindle.Speed` → `cnc01_spindle_speed`, `i=2258` → `node_2258`. */
export function nodeMetricName(node: string): string {
  const id = parseNodeId(node)?.identifier ?? node;
  const name = metricNameFromPath(id);
  return /^[0-9]/.test(name) ? `node_${name}`.slice(0, 64) : name;
}

export async function probeOpcua(
  values: Record<string, string | boolean | string[] | undefined>,
  endpoint: string,
  nodes: readonly string[],
  format: 'table' | 'json',
  io: CommandIo,
): Promise<number> {
  const target = await opcuaConnectArgs(values, endpoint);
  if (!target.ok) return usageError(io, target.message);
  if (nodes.length === 0)
    return usageError(io, 'give the node(s) to read: --node "ns=2;s=Name" (repeatable)');
  const used = new Set<string>();
  const items = nodes.map((node) => {
    let name = nodeMetricName(node);
    for (let n = 2; used.has(name); n++) name = `${nodeMetricName(node).slice(0, 60)}_${n}`;
    used.add(name);
    return { name, node };
  });
  const device: AgentDeviceInput = {
    id: 'probe',
    opcua: { ...target.connection, pki: target.pkiDir },
    read: [{ every: '1s', nodes: items }],
  };
  const log = quietNodeOpcua(io);
  let source: Awaited<ReturnType<typeof createSources>>[number] | undefined;
  try {
    [source] = await createSources(resolveAgentDevice(device), { log, shared: new SharedResources() });
  } catch (err) {
    return usageError(io, err instanceof Error ? err.message : String(err));
  }
  if (source?.kind !== 'polling') return usageError(io, 'nothing to read');
  try {
    try {
      await source.connect(AbortSignal.timeout(CONNECT_DEADLINE_MS));
    } catch (err) {
      const code = String((err as { code?: unknown }).code ?? 'OPCUA_CONNECT_FAILED');
      const message = (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ');
      const hint = opcuaHint(code, target.pkiDir);
      if (format === 'json') io.stdout.write(`${JSON.stringify({ error: { code, message, hint } })}\n`);
      else
        io.stderr.write(`probe failed: ${code}: ${message}${hint === undefined ? '' : `\nhint: ${hint}`}\n`);
      return 1;
    }
    const r = await source.read(0, AbortSignal.timeout(CONNECT_DEADLINE_MS));
    const why = await explainSamples(r.samples, r.failures);
    const kinds = new Map(source.metrics.map((m) => [m.name, m.kind]));
    const itemOf = (metric: string) =>
      items.find((i) => i.name === metric) ??
      items.filter((i) => metric.startsWith(`${i.name}_`)).sort((a, b) => b.name.length - a.name.length)[0];
    // one config line per node that gave a value; a type only for a scalar (arrays and structures expand)
    const configs = new Map<string, string>();
    for (const item of items) {
      const own = r.samples.filter((x) => itemOf(x.metric) === item);
      if (own.length === 0 || own.every((x) => x.quality === 'bad')) continue;
      const single = own.length === 1 && own[0]?.metric === item.name;
      configs.set(
        item.name,
        subscribeConfigLine(item.name, item.node, single ? kinds.get(item.name) : undefined),
      );
    }
    const rows = r.samples.map((s) => {
      const item = itemOf(s.metric);
      const status = s.quality === 'good' ? 'Good' : (why.get(s.metric)?.code ?? s.quality);
      const kind = s.quality === 'bad' ? '' : (kinds.get(s.metric) ?? '');
      return { s, node: item?.node ?? '', kind, status, config: item && configs.get(item.name) };
    });
    if (format === 'json') {
      for (const x of rows)
        io.stdout.write(`${JSON.stringify(jsonRow(x.s, x.node, x.kind, x.status, x.config))}\n`);
    } else {
      const table = alignColumns([
        ['NODE ID', 'METRIC', 'VALUE', 'TYPE', 'STATUS', 'SOURCE TIME'],
        ...rows.map((x) => [
          x.node,
          x.s.metric,
          x.s.quality === 'bad' ? '-' : valueText(x.s.value),
          x.kind || '-',
          x.status,
          new Date(x.s.timestamp).toISOString(),
        ]),
      ]);
      io.stdout.write(
        `read ${nodes.length} node(s) from ${target.connection.endpoint}\n${table.join('\n')}\n`,
      );
      if (configs.size > 0) io.stdout.write(`\nsubscribe:\n${[...configs.values()].join('\n')}\n`);
      for (const x of rows) {
        if (x.s.quality === 'good') continue;
        const hint = opcuaHint(x.status, target.pkiDir);
        const message = why.get(x.s.metric)?.message ?? '';
        io.stderr.write(`${x.node}: ${x.status} ${message}${hint === undefined ? '' : `\nhint: ${hint}`}\n`);
      }
    }
    return r.samples.length > 0 && r.samples.every((s) => s.quality === 'good') ? 0 : 1;
  } finally {
    await source.close();
  }
}

function jsonRow(s: Sample, node: string, type: string, status: string, config: string | undefined) {
  return {
    node,
    metric: s.metric,
    value: typeof s.value === 'bigint' ? s.value.toString() : s.value,
    type,
    quality: s.quality,
    status,
    statusCode: s.qualityCode ?? 0,
    timestamp: s.timestamp,
    time: new Date(s.timestamp).toISOString(),
    ...(config === undefined ? {} : { config: config.trim() }),
  };
}

function usageError(io: CommandIo, message: string): number {
  io.stderr.write(`probe: ${message}\n`);
  return 2;
}
