import { rtuFrameGapMs, serialCharTimeMs } from '../../protocols/modbus/frame.js';

/**
 * Values per second one RTU line can carry when every poll reads `registers` holding registers (in reads of up to
 * 125): per read, an 8-character request and a (5 + 2 × count)-character answer, plus t3.5 after each frame, with
 * zero device turnaround — an upper bound (agent/sources/modbus/README.md#the-lines-physical-limit). 8N1 framing (10 bits per
 * character), as the simulator paces.
 */
export function rtuLimitValuesPerSecond(baud: number, registers: number): number {
  const charMs = serialCharTimeMs(baud);
  const gapMs = rtuFrameGapMs(baud, charMs);
  let msPerPoll = 0;
  for (let left = registers; left > 0; left -= 125) {
    const count = Math.min(125, left);
    msPerPoll += (8 + 5 + 2 * count) * charMs + 2 * gapMs;
  }
  return (registers * 1000) / msPerPoll;
}
