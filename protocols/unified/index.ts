/** JSON mode ("unified namespace") codec: `plantpulse/v1/{site}/{node}[/{device}]`. */
export { UnifiedDecodeError, UnifiedTopicError } from './errors.js';
export * from './unified-codec.js';
