/**
 * Routes node-opcua's own console logging (node-opcua-debug) into pino. node-opcua's loggers are process-global,
 * so the last call wins: the CLI installs a default before any command loads (cli/main.ts), and the agent (the
 * first OPC UA source), the demo and the one-shot OPC UA commands install theirs with their root logger's child.
 * Debug traces stay off unless pino's level is debug or trace.
 *
 * node-opcua-debug is taken from node-opcua's own folder (the copy node-opcua uses) without loading node-opcua
 * itself: importing node-opcua runs a self-test that logs warning W27, so the route has to be in place first.
 */
import { createRequire } from 'node:module';
import { format } from 'node:util';
import type { Logger } from 'pino';

interface CallerContext {
  filename?: string;
  callerline?: number;
}
type LibraryLogger = (ctx?: unknown, ...args: unknown[]) => void;

/** The part of node-opcua-debug used here (its LogLevel: Error 20, Warning 30, Debug 50). */
interface NodeOpcuaDebug {
  setLogLevel(level: number): void;
  setWarningLogger(log: LibraryLogger): void;
  setErrorLogger(log: LibraryLogger): void;
  setDebugLogger(log: LibraryLogger): void;
  LogLevel: { Warning: number; Debug: number };
}

const fromHere = createRequire(import.meta.url);
const nodeOpcuaDebug = createRequire(fromHere.resolve('node-opcua'))('node-opcua-debug') as NodeOpcuaDebug;

let target: Logger | undefined;

/** Sends node-opcua warnings, errors and (at debug level) traces to `log` (`component: node-opcua`). */
export function routeNodeOpcuaLogging(log: Logger): void {
  target = log.child({ component: 'node-opcua' });
  const debug = log.isLevelEnabled('debug');
  nodeOpcuaDebug.setLogLevel(debug ? nodeOpcuaDebug.LogLevel.Debug : nodeOpcuaDebug.LogLevel.Warning);
  nodeOpcuaDebug.setWarningLogger((ctx, ...args) => emit('warn', ctx as CallerContext, args));
  nodeOpcuaDebug.setErrorLogger((ctx, ...args) => emit('error', ctx as CallerContext, args));
  nodeOpcuaDebug.setDebugLogger((ctx, ...args) => emit('debug', ctx as CallerContext, args));
}

/**
 * Warnings that are not a problem for plantpulse, logged at a lower level:
 * - W27, node-opcua's start-up check of RSA PKCS#1 v1.5 decryption (off by default since Node's fix for
 *   CVE-2023-46809): only the Basic128Rsa15 and Basic256 policies use it, and plantpulse offers neither
 *   (protocols/opcua/security.ts).
 * - the client creating its certificate on first use: expected once per PKI folder.
 */
const DEMOTED: readonly { text: string; level: 'debug' | 'info' }[] = [
  { text: '[NODE-OPCUA-W27]', level: 'debug' },
  { text: 'you need to use node flag --security-revert=CVE-2023-46809', level: 'debug' },
  { text: 'Creating default certificate', level: 'info' },
];

function emit(level: 'warn' | 'error' | 'debug', ctx: CallerContext | undefined, args: unknown[]): void {
  if (target === undefined) return;
  // node-opcua colours its text with ANSI escapes; strip them for structured logs
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing ANSI colour codes
  const msg = format(...args).replace(/\u001b\[[0-9;]*m/g, '');
  const demoted = level === 'warn' ? DEMOTED.find((d) => msg.includes(d.text))?.level : undefined;
  target[demoted ?? level]({ source: ctx?.filename, line: ctx?.callerline }, msg);
}
