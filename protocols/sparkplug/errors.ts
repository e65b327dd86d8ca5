import { PlantpulseError } from '../errors.js';

/** Bytes that are not a Sparkplug B payload (bad protobuf, bad array packing, value not matching its datatype). */
export class SparkplugDecodeError extends PlantpulseError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('SPB_DECODE', message, options);
  }
}

/** A payload we were asked to encode does not fit its declared datatypes: a bug in the caller, not bad input. */
export class SparkplugEncodeError extends PlantpulseError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('SPB_ENCODE', message, options);
  }
}

/** A topic that is not in the Sparkplug B namespace, or whose ids are not valid. Returned, never thrown. */
export class SparkplugTopicError extends PlantpulseError {
  readonly topic: string;
  constructor(topic: string, message: string) {
    super('SPB_TOPIC', message);
    this.topic = topic;
  }
}
