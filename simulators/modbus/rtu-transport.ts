/**
 * Modbus RTU server side over any byte stream (a serial pty, or a TCP socket for RTU-over-TCP gateways).
 * Frames are found by function-code length and checked by CRC; a frame with a bad CRC is discarded (and counted)
 * like a real slave does, and a partial frame left silent for too long is dropped so the parser resynchronises.
 */
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  crc16,
  requestPduLength,
  rtuFrame,
  rtuFrameGapMs,
  serialCharTimeMs,
} from '../../protocols/modbus/frame.js';
import type { PduHandler } from './tcp-transport.js';

export interface RtuServeOptions {
  onProtocolError: (why: string) => void;
  onCrcError: () => void;
  onReply?: () => void;
  /** requests received and not yet answered; a master that waits for each answer keeps max at 1 */
  outstanding?: { now: number; max: number };
  /** pace answers at this baud (8N1 assumed unless the line says otherwise) */
  paceBaud?: number | undefined;
}

/** A partial frame older than this is noise: drop it. */
const STALE_PARTIAL_MS = 200;

export function serveRtu(stream: Duplex, handle: PduHandler, opts: RtuServeOptions): { stop(): void } {
  let buf: Buffer = Buffer.alloc(0);
  let chain: Promise<void> = Promise.resolve();
  let stale: NodeJS.Timeout | undefined;
  let stopped = false;
  const charMs = opts.paceBaud ? serialCharTimeMs(opts.paceBaud) : 0;
  const gapMs = opts.paceBaud ? rtuFrameGapMs(opts.paceBaud, charMs) : 0;

  const onData = (chunk: Buffer) => {
    if (stopped) return;
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    if (stale) clearTimeout(stale);
    parse();
    if (buf.length > 0) {
      stale = setTimeout(() => {
        opts.onProtocolError(`dropped ${buf.length} bytes of an incomplete frame`);
        buf = Buffer.alloc(0);
      }, STALE_PARTIAL_MS);
      stale.unref();
    }
  };

  const parse = () => {
    while (buf.length >= 4) {
      const pduLen = requestPduLength(buf, 1);
      if (pduLen === undefined) return;
      if (pduLen < 0) {
        opts.onProtocolError(`unknown function code ${buf[1]}: discarding ${buf.length} bytes`);
        buf = Buffer.alloc(0);
        return;
      }
      const frameLen = 1 + pduLen + 2;
      if (buf.length < frameLen) return;
      const frame = buf.subarray(0, frameLen);
      if (crc16(frame, 0, frameLen - 2) !== frame.readUInt16LE(frameLen - 2)) {
        opts.onCrcError();
        opts.onProtocolError('CRC error in a request: frame discarded');
        buf = Buffer.alloc(0);
        return;
      }
      buf = buf.subarray(frameLen);
      const unitId = frame[0] ?? 0;
      const pdu = Uint8Array.prototype.slice.call(frame, 1, 1 + pduLen);
      const outcome = handle(unitId, pdu);
      const started = Date.now();
      const o = opts.outstanding;
      if (o) {
        o.now++;
        o.max = Math.max(o.max, o.now);
      }
      chain = chain
        .then(async () => {
          if (stopped || unitId === 0) return; // unit 0 is broadcast: never answered
          switch (outcome.kind) {
            case 'silence':
            case 'drop':
              return;
            case 'garbage': {
              if (outcome.delayMs > 0) await sleep(outcome.delayMs);
              // the right length (so the master reads it whole) with a broken CRC: line noise
              const bad = rtuFrame(unitId, outcome.pdu);
              bad.writeUInt16LE(bad.readUInt16LE(bad.length - 2) ^ 0xffff, bad.length - 2);
              write(bad);
              return;
            }
            case 'reply': {
              const out = rtuFrame(unitId, outcome.pdu);
              const pace =
                charMs > 0 ? (frameLen + out.length) * charMs + 2 * gapMs - (Date.now() - started) : 0;
              const wait = Math.max(pace, outcome.delayMs);
              if (wait > 0) await sleep(wait);
              write(out);
              opts.onReply?.();
            }
          }
        })
        .catch((err: unknown) => opts.onProtocolError(`reply failed: ${String(err)}`))
        .finally(() => {
          if (o) o.now--;
        });
    }
  };

  const write = (b: Buffer) => {
    if (stopped || stream.destroyed) return;
    stream.write(b);
  };

  stream.on('data', onData);
  stream.on('error', (err: Error) => opts.onProtocolError(`stream error: ${err.message}`));
  return {
    stop() {
      stopped = true;
      if (stale) clearTimeout(stale);
      stream.off('data', onData);
    },
  };
}
