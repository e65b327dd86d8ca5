/**
 * The connection keys every polled protocol shares: `backoff`, the jittered exponential wait between reconnect
 * attempts (protocols/backoff.ts). Spread into a component's connection Section so the key, its defaults and its
 * docs stay one.
 */
import { DurationAtLeast } from '../../config/schemas/common.js';
import { optional, Section } from '../../config/spec.js';

export const RECONNECT_BACKOFF_FIELDS = {
  backoff: optional(
    Section({
      initial: optional(DurationAtLeast('1ms'), {
        description: 'first wait before reconnecting',
        default: '500ms',
      }),
      max: optional(DurationAtLeast('1ms'), {
        description: 'longest wait between reconnects',
        default: '30s',
      }),
    }),
    { description: 'jittered exponential backoff between reconnect attempts', default: {} },
  ),
};
