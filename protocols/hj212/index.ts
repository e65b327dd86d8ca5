/** HJ 212-2017 codecs: packets and their CRC, the data segment, data uploads and responses, factor codes, data flags (pure, no I/O). */
export * from './crc.js';
export * from './data-flags.js';
export * from './data-segment.js';
export * from './packet.js';
export * from './pollutants.js';
export * from './upload.js';
