/** Helpers of the commissioning tests (`agent --once`, `probe`): configs on disk, dead devices, output parsing. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { AgentDeviceInput } from '../../../agent/config/device-spec.js';

export function tempDir(prefix = 'pp-commission-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes an agent.yaml with these devices; MQTT and the outbox point wherever the test says. */
export function writeAgentConfig(
  dir: string,
  devices: AgentDeviceInput[],
  opts: { mqttUrl?: string; outboxPath?: string; name?: string } = {},
): string {
  const file = join(dir, opts.name ?? 'agent.yaml');
  const config = {
    site: 'cq-plant1',
    node: 'line3-gw',
    mqtt: { url: opts.mqttUrl ?? 'mqtt://127.0.0.1:1883' },
    outbox: { path: opts.outboxPath ?? join(dir, 'state') },
    devices,
  };
  writeFileSync(file, stringify(config));
  return file;
}

/**
 * A TCP listener that accepts and never answers: a Modbus device that is powered but silent, or (counting
 * connections) a stand-in broker that proves nobody connected.
 */
export async function silentServer(): Promise<{
  url: string;
  connections(): number;
  close(): Promise<void>;
}> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `tcp://127.0.0.1:${port}`,
    connections: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on (taken from the OS, then released): connecting is refused. */
export async function refusedUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `tcp://127.0.0.1:${port}`;
}

export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * One section of a printed table (the lines after a line matching `title`, up to a blank line), as cells by column
 * header: `[{ ADDRESS: '102', ABCD: '…', CDAB: '123.456' }, …]`. Cells are cut at the header labels' positions, so
 * empty cells and labels with a space ("UINT16 BADC") work.
 */
export function tableSection(text: string, title: RegExp): Record<string, string>[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => title.test(l));
  if (start < 0) throw new Error(`no section ${title} in:\n${text}`);
  const body: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l.trim() === '') break;
    body.push(l);
  }
  const [header = '', ...rows] = body;
  const cols = [...header.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], at: m.index }));
  return rows.map((r) =>
    Object.fromEntries(cols.map((c, i) => [c.name, r.slice(c.at, cols[i + 1]?.at ?? r.length).trim()])),
  );
}
