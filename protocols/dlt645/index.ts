/** DL/T 645-2007/1997 codecs: frames, BCD formats, data identifiers, read transactions (pure, no I/O). */
export * from './bcd-format.js';
export * from './data-identifiers.js';
export * from './frame.js';
export * from './messages.js';
export * from './point-value.js';
