/**
 * The systemd unit of a plantpulse process (`plantpulse install-service agent|cloud`): the process runs as its own
 * user with no capabilities, sees the file system read-only except its state directory, gets its secrets through
 * LoadCredential= (the config's `${cred:NAME}` references) and is restarted when it exits. Pure: the caller supplies
 * paths and the config's text. The checked-in examples in deploy/systemd/ are this function's output for
 * config/examples/ (a test keeps them equal), and `systemd-analyze verify` accepts what it writes (another test).
 */
import { parse as parseYaml } from 'yaml';
import { SERVICE_NODE_OPTIONS } from './node-options.js';

export type ServiceKind = 'agent' | 'cloud';

export interface UnitOptions {
  kind: ServiceKind;
  /** absolute path of node */
  node: string;
  /** absolute path of the plantpulse bin script */
  bin: string;
  /** absolute path of the config file, as the service will read it */
  config: string;
  /** the config file's text: `${cred:NAME}` references and the state directory are read from it */
  configText: string;
  user: string;
  /** where the credential files are: LoadCredential=NAME:<dir>/NAME */
  credentialsDir: string;
  version: string;
}

const DESCRIPTION: Record<ServiceKind, string> = {
  agent: 'plantpulse edge agent (devices to Sparkplug B over MQTT)',
  cloud: 'plantpulse ingester (MQTT to InfluxDB, analytics, API and dashboard)',
};

/** `${cred:NAME}` references in a config's values (comments aside; `$${cred:…}` is a literal, not a reference). */
export function credentialNames(configText: string): string[] {
  const names = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(/(?<!\$)\$\{cred:([^}\s]+)\}/g)) if (m[1]) names.add(m[1]);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(parseDocument(configText));
  return [...names].sort();
}

function parseDocument(configText: string): unknown {
  try {
    return parseYaml(configText);
  } catch {
    return undefined;
  }
}

/** The state directory name under /var/lib (StateDirectory=). */
export function stateDirectoryName(kind: ServiceKind): string {
  return `plantpulse-${kind}`;
}

/**
 * Where the process keeps its data, when the config names an absolute path outside the state directory
 * (agent `outbox.path`, cloud `spool.path`); relative paths resolve inside the state directory (WorkingDirectory=).
 */
export function extraDataDir(kind: ServiceKind, configText: string): string | undefined {
  const doc = parseDocument(configText);
  const section = (doc as Record<string, { path?: unknown } | undefined> | null)?.[
    kind === 'agent' ? 'outbox' : 'spool'
  ];
  const path = section?.path;
  if (typeof path !== 'string' || !path.startsWith('/') || path.includes('${')) return undefined;
  return path.startsWith(`/var/lib/${stateDirectoryName(kind)}`) ? undefined : path;
}

export function renderUnit(o: UnitOptions): string {
  const state = stateDirectoryName(o.kind);
  const creds = credentialNames(o.configText);
  const extra = extraDataDir(o.kind, o.configText);
  const lines = [
    `# ${DESCRIPTION[o.kind]}`,
    `# Written by \`plantpulse install-service ${o.kind}\` (plantpulse ${o.version}); see the README, "Operating plantpulse".`,
    '[Unit]',
    `Description=${DESCRIPTION[o.kind]}`,
    'Wants=network-online.target',
    'After=network-online.target',
    // restarted however often it fails: a gateway has nobody to reset a start limit
    'StartLimitIntervalSec=0',
    '',
    '[Service]',
    'Type=exec',
    // --watchdog: a process whose event loop stops for a minute kills itself, and Restart=always brings it back
    `ExecStart=${o.node} ${o.bin} ${o.kind} -c ${o.config} --watchdog 60s`,
    // bounded V8 heap (cli/service/node-options.ts); a drop-in with Environment=NODE_OPTIONS=… overrides it
    ...(SERVICE_NODE_OPTIONS[o.kind] === undefined
      ? []
      : [`Environment="NODE_OPTIONS=${SERVICE_NODE_OPTIONS[o.kind]}"`]),
    // `systemctl reload`: the process reloads its configuration (README "Reload the configuration")
    'ExecReload=/bin/kill -HUP $MAINPID',
    `User=${o.user}`,
    `Group=${o.user}`,
    // the agent's serial lines (RS-485 adapters) belong to dialout
    ...(o.kind === 'agent' ? ['SupplementaryGroups=dialout'] : []),
    `WorkingDirectory=/var/lib/${state}`,
    `StateDirectory=${state}`,
    'StateDirectoryMode=0700',
    'UMask=0077',
    ...creds.map((c) => `LoadCredential=${c}:${o.credentialsDir}/${c}`),
    // a stop publishes the Sparkplug death and closes the queues: give it time, then restart after any exit
    'KillSignal=SIGTERM',
    'TimeoutStopSec=30s',
    'Restart=always',
    'RestartSec=5s',
    // hardening (systemd.exec(5)); MemoryDenyWriteExecute stays off: V8's JIT writes executable memory
    'NoNewPrivileges=yes',
    'CapabilityBoundingSet=',
    'AmbientCapabilities=',
    'ProtectSystem=strict',
    `ReadWritePaths=/var/lib/${state}${extra === undefined ? '' : ` ${extra}`}`,
    'ProtectHome=yes',
    'PrivateTmp=yes',
    ...(o.kind === 'cloud' ? ['PrivateDevices=yes'] : []),
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes',
    'ProtectControlGroups=yes',
    'ProtectClock=yes',
    'ProtectHostname=yes',
    'ProtectProc=invisible',
    'RestrictSUIDSGID=yes',
    'RestrictRealtime=yes',
    'RestrictNamespaces=yes',
    'LockPersonality=yes',
    'RemoveIPC=yes',
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK',
    'SystemCallArchitectures=native',
    'SystemCallFilter=@system-service',
    // a call outside the filter fails with EPERM instead of killing the process
    'SystemCallErrorNumber=EPERM',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ];
  return `${lines.join('\n')}\n`;
}
