import type { Logger } from 'pino';
import { type Clock, type LineUser, ModbusLine } from './modbus-line.js';
import { lineKey, type ModbusEndpoint } from './modbus-url.js';

export interface LineLease {
  readonly line: ModbusLine;
  release(): void;
}

/**
 * The agent's lines by identity (serial device path, or host:port): devices on the same serial line or behind the
 * same gateway share ONE connection and ONE queue. Create one registry per agent and pass it to every Modbus source.
 */
export class LineRegistry {
  private readonly lines = new Map<string, ModbusLine>();

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock = Date,
  ) {}

  lease(endpoint: ModbusEndpoint, user: LineUser): LineLease {
    const key = lineKey(endpoint);
    let line = this.lines.get(key);
    if (line === undefined) {
      line = new ModbusLine(
        key,
        endpoint,
        this.log.child({ component: 'modbus-line', line: key }),
        this.clock,
      );
      this.lines.set(key, line);
    }
    const token = line.attach(user);
    const leased = line;
    let released = false;
    return {
      line: leased,
      release: () => {
        if (released) return;
        released = true;
        if (leased.detach(token) === 0) {
          leased.close();
          if (this.lines.get(key) === leased) this.lines.delete(key);
        }
      },
    };
  }

  /** Lines currently in use, for diagnostics. */
  keys(): string[] {
    return [...this.lines.keys()];
  }
}
