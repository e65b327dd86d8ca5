/**
 * Routes node-opcua's own console logging (node-opcua-debug) into pino. node-opcua's loggers are process-global,
 * so the last call wins: the agent's main (or the first OPC UA source) installs it with the root logger's child.
 * Debug traces stay off unless pino's level is debug or trace.
 */
import { format } from 'node:util';
import { LogLevel, setDebugLogger, setErrorLogger, setLogLevel, setWarningLogger } from 'node-opcua';
import type { Logger } from 'pino';

interface CallerContext {
  filename?: string;
  callerline?: number;
}

let target: Logger | undefined;

/** Sends node-opcua warnings, errors and (at debug level) traces to `log` (`component: node-opcua`). */
export function routeNodeOpcuaLogging(log: Logger): void {
  target = log.child({ component: 'node-opcua' });
  const debug = log.isLevelEnabled('debug');
  setLogLevel(debug ? LogLevel.Debug : LogLevel.Warning);
  setWarningLogger((ctx?: unknown, ...args: unknown[]) => emit('warn', ctx as CallerContext, args));
  setErrorLogger((ctx?: unknown, ...args: unknown[]) => emit('error', ctx as CallerContext, args));
  setDebugLogger((ctx?: unknown, ...args: unknown[]) => emit('debug', ctx as CallerContext, args));
}

function emit(level: 'warn' | 'error' | 'debug', ctx: CallerContext | undefined, args: unknown[]): void {
  if (target === undefined) return;
  // node-opcua colours its text with ANSI escapes; strip them for structured logs
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing ANSI colour codes
  const msg = format(...args).replace(/\u001b\[[0-9;]*m/g, '');
  target[level]({ source: ctx?.filename, line: ctx?.callerline }, msg);
}
