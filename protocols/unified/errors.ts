import { PlantpulseError } from '../errors.js';

/** A unified-namespace (JSON mode) payload that is not the documented JSON shape. */
export class UnifiedDecodeError extends PlantpulseError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('UNS_DECODE', message, options);
  }
}

/** A topic outside `plantpulse/v1/{site}/{node}[/{device}]`. Returned, never thrown. */
export class UnifiedTopicError extends PlantpulseError {
  readonly topic: string;
  constructor(topic: string, message: string) {
    super('UNS_TOPIC', message);
    this.topic = topic;
  }
}
