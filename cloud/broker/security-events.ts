import type { Logger } from '../../config/logging.js';

export type BrokerSecurityEventType =
  | 'broker.login'
  | 'broker.login-refused'
  | 'broker.publish-refused'
  | 'broker.subscribe-refused'
  | 'broker.limit'
  /** a message dropped because a persistent session's queue is full (reported at most once a minute per client) */
  | 'broker.queue-full';

/** One thing the broker allowed or refused for security, for an audit log (`onSecurityEvent`). */
export interface BrokerSecurityEvent {
  type: BrokerSecurityEventType;
  username?: string;
  clientId?: string;
  address?: string;
  reason: string;
  topic?: string;
}

export type SecurityEventCounts = Record<BrokerSecurityEventType, number>;

const LOG_WINDOW_MS = 10_000;
const LOG_LINES_PER_WINDOW = 20;

/**
 * Counts every security event, hands it to the optional callback, and logs it: logins at info, refusals at warn,
 * at most LOG_LINES_PER_WINDOW refusals per 10 s (a flood is then summed up in one line per window), so an attacker
 * cannot fill the disk through the broker's log.
 */
export class SecurityEvents {
  readonly counts: SecurityEventCounts = {
    'broker.login': 0,
    'broker.login-refused': 0,
    'broker.publish-refused': 0,
    'broker.subscribe-refused': 0,
    'broker.limit': 0,
    'broker.queue-full': 0,
  };
  readonly #log: Logger;
  readonly #callback: ((e: BrokerSecurityEvent) => void) | undefined;
  readonly #now: () => number;
  #windowStart = 0;
  #logged = 0;
  #suppressed = 0;

  constructor(
    log: Logger,
    callback: ((e: BrokerSecurityEvent) => void) | undefined,
    now: () => number = Date.now,
  ) {
    this.#log = log;
    this.#callback = callback;
    this.#now = now;
  }

  emit(e: BrokerSecurityEvent): void {
    this.counts[e.type]++;
    try {
      this.#callback?.(e);
    } catch (err) {
      this.#log.error({ err }, 'broker security event callback failed');
    }
    const { type, reason, ...fields } = e;
    if (type === 'broker.login') {
      this.#log.info({ event: type, ...fields }, 'MQTT client logged in');
      return;
    }
    const now = this.#now();
    if (now - this.#windowStart >= LOG_WINDOW_MS) {
      if (this.#suppressed > 0) {
        this.#log.warn(
          { suppressed: this.#suppressed, counts: this.counts },
          `${this.#suppressed} more broker refusals were not logged one by one (see the counts)`,
        );
      }
      this.#windowStart = now;
      this.#logged = 0;
      this.#suppressed = 0;
    }
    if (this.#logged >= LOG_LINES_PER_WINDOW) {
      this.#suppressed++;
      return;
    }
    this.#logged++;
    this.#log.warn({ event: type, reason, ...fields }, `MQTT ${type.slice('broker.'.length)}: ${reason}`);
  }
}
