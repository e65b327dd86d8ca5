import { routeNodeOpcuaLogging } from '../../agent/sources/opcua/node-opcua-logging.js';
import { createRootLogger, type Logger } from '../../config/logging.js';
import type { CommandIo } from './command.js';

/**
 * A logger for a one-shot OPC UA command: errors only, on stderr, and node-opcua's own console chatter routed into
 * it — so stdout carries nothing but the command's output (tables, config lines, JSON) and can be piped.
 */
export function quietNodeOpcua(io: CommandIo, level = 'error'): Logger {
  const log = createRootLogger('plantpulse', level, io.stderr);
  routeNodeOpcuaLogging(log);
  return log;
}
