/** Modbus TCP (MBAP) server side for the simulator. Requests on one connection are answered in order. */
import type net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { mbapFrame } from '../../protocols/modbus/frame.js';
import type { Outcome } from './request-handler.js';

export type PduHandler = (unitId: number, pdu: Uint8Array) => Outcome;

/** Largest MBAP length field: unit id + a 253-byte PDU. */
const MAX_MBAP_LENGTH = 254;

export function serveMbap(
  socket: net.Socket,
  handle: PduHandler,
  onProtocolError: (why: string) => void,
  onReply: () => void = () => {},
): void {
  let buf: Buffer = Buffer.alloc(0);
  let chain: Promise<void> = Promise.resolve();
  socket.setNoDelay(true);
  socket.on('error', () => {
    // a client vanishing mid-write is normal for a server; the socket closes next
  });
  socket.on('data', (chunk: Buffer) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    while (buf.length >= 7) {
      const protocolId = buf.readUInt16BE(2);
      const length = buf.readUInt16BE(4);
      if (protocolId !== 0 || length < 2 || length > MAX_MBAP_LENGTH) {
        onProtocolError(`bad MBAP header (protocol ${protocolId}, length ${length}); closing the connection`);
        socket.destroy();
        return;
      }
      if (buf.length < 6 + length) return;
      const tid = buf.readUInt16BE(0);
      const unitId = buf.readUInt8(6);
      const pdu = Uint8Array.prototype.slice.call(buf, 7, 6 + length);
      buf = buf.subarray(6 + length);
      const outcome = handle(unitId, pdu);
      chain = chain
        .then(() => respond(socket, tid, unitId, outcome, onReply))
        .catch((err: unknown) => onProtocolError(`reply failed: ${String(err)}`));
    }
  });
}

async function respond(
  socket: net.Socket,
  tid: number,
  unitId: number,
  o: Outcome,
  onReply: () => void,
): Promise<void> {
  if (socket.destroyed) return;
  switch (o.kind) {
    case 'silence':
      return;
    case 'drop':
      socket.destroy();
      return;
    case 'garbage':
      if (o.delayMs > 0) await sleep(o.delayMs);
      // a header that claims a PDU length the spec forbids, then noise
      if (!socket.destroyed)
        socket.write(Buffer.from([tid >> 8, tid & 0xff, 0, 0, 0, 3, unitId, 0x03, 0xff]));
      return;
    case 'reply':
      if (o.delayMs > 0) await sleep(o.delayMs);
      if (!socket.destroyed) {
        socket.write(mbapFrame(tid, unitId, o.pdu));
        onReply();
      }
  }
}
