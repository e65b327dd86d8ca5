import type { Command } from './command.js';

interface Entry {
  summary: string;
  /** loaded on use, so `plantpulse check` does not pay for (or print the import-time warnings of) node-opcua */
  load: () => Promise<Command>;
}

/** Every `plantpulse` command, by name: an explicit registry (no side-effect imports). */
export const commands = {
  agent: {
    summary: 'run the edge agent: poll/subscribe devices, derive, buffer, publish Sparkplug B over MQTT',
    load: async () => (await import('./agent.js')).agentCommand,
  },
  cloud: {
    summary: 'run the ingester: embedded MQTT broker, Sparkplug host, InfluxDB writer, API and dashboard',
    load: async () => (await import('./cloud.js')).cloudCommand,
  },
  sim: {
    summary: 'run simulated devices (a built-in Modbus profile, or a plant scenario)',
    load: async () => (await import('./sim.js')).simCommand,
  },
  demo: {
    summary: 'run the whole pipeline on a simulated Chongqing plant, with a local InfluxDB and the dashboard',
    load: async () => (await import('./demo.js')).demoCommand,
  },
  check: {
    summary: 'validate a config file and print it resolved, secrets redacted',
    load: async () => (await import('./check.js')).checkCommand,
  },
  browse: {
    summary: "list an OPC UA server's variables (optionally as config lines)",
    load: async () => (await import('./browse.js')).browseCommand,
  },
  probe: {
    summary: 'read raw Modbus registers in every interpretation (or OPC UA nodes) and print the config line',
    load: async () => (await import('./probe.js')).probeCommand,
  },
  dlt645: {
    summary:
      'find the address of the DL/T 645 meter on a serial port or serial-to-TCP converter (dlt645 discover)',
    load: async () => (await import('./dlt645-discover.js')).dlt645Command,
  },
  opcua: {
    summary: 'trust a rejected OPC UA server certificate (or list them)',
    load: async () => (await import('./opcua-trust.js')).opcuaTrustCommand,
  },
  'install-service': {
    summary: 'write the hardened systemd unit for the agent or the cloud (or print it)',
    load: async () => (await import('./install-service.js')).installServiceCommand,
  },
  'hash-password': {
    summary: 'print an scrypt hash of a password read from stdin (for broker users and API tokens)',
    load: async () => (await import('./hash-password.js')).hashPasswordCommand,
  },
} satisfies Record<string, Entry>;
