/** Turns one request PDU into what the simulated device does: answer, answer late, stay silent, drop, garble. */
import {
  bitsResponsePdu,
  exceptionPdu,
  parseRequestPdu,
  registersResponsePdu,
  writeEchoPdu,
} from '../../protocols/modbus/frame.js';
import { MAX_BITS_PER_READ, MAX_REGISTERS_PER_READ } from '../../protocols/modbus/request-planner.js';
import type { FaultBook } from './faults.js';
import type { SimDevice } from './sim-device.js';

export type Outcome =
  | { kind: 'reply'; pdu: Uint8Array; delayMs: number }
  | { kind: 'silence' }
  | { kind: 'drop' }
  /** the answer, sent broken: bad CRC on RTU, a malformed header on TCP */
  | { kind: 'garbage'; pdu: Uint8Array; delayMs: number };

export interface HandlerStats {
  requests: number;
  exceptions: number;
  faults: number;
}

export function handleRequest(
  devices: ReadonlyMap<number, SimDevice>,
  faults: FaultBook,
  unitId: number,
  pdu: Uint8Array,
  stats: HandlerStats,
  /** unknown unit: TCP devices/gateways answer exception 11, RTU slaves stay silent */
  unknownUnit: 'gateway-exception' | 'silence',
): Outcome {
  stats.requests++;
  const fc = pdu[0] ?? 0;
  const req = parseRequestPdu(pdu);
  const address = req !== undefined && 'address' in req ? req.address : 0;
  const count =
    req === undefined || req.fc === 'unsupported'
      ? 0
      : 'count' in req
        ? req.count
        : 'values' in req && Array.isArray(req.values)
          ? req.values.length
          : 1;
  const fault = faults.take({ unitId, functionCode: fc, address, count });
  if (fault?.kind === 'garbage') {
    stats.faults++;
    const answer = answerRequest(devices, unitId, fc, req, stats, unknownUnit, 0);
    return {
      kind: 'garbage',
      pdu: answer.kind === 'reply' ? answer.pdu : exceptionPdu(fc, 4),
      delayMs: fault.delayMs ?? 0,
    };
  }
  let delayMs = 0;
  if (fault !== undefined) {
    stats.faults++;
    switch (fault.kind) {
      case 'silence':
        return { kind: 'silence' };
      case 'drop':
        return { kind: 'drop' };
      case 'exception':
        stats.exceptions++;
        return {
          kind: 'reply',
          pdu: exceptionPdu(fc, fault.exceptionCode ?? 4),
          delayMs: fault.delayMs ?? 0,
        };
      case 'delay':
        delayMs = fault.delayMs ?? 0;
        break;
    }
  }
  return answerRequest(devices, unitId, fc, req, stats, unknownUnit, delayMs);
}

function answerRequest(
  devices: ReadonlyMap<number, SimDevice>,
  unitId: number,
  fc: number,
  req: ReturnType<typeof parseRequestPdu>,
  stats: HandlerStats,
  unknownUnit: 'gateway-exception' | 'silence',
  delayMs: number,
): Outcome {
  const reply = (p: Uint8Array): Outcome => ({ kind: 'reply', pdu: p, delayMs });
  const exception = (code: number): Outcome => {
    stats.exceptions++;
    return reply(exceptionPdu(fc, code));
  };
  const dev = devices.get(unitId);
  if (dev === undefined) {
    return unknownUnit === 'silence' ? { kind: 'silence' } : exception(11);
  }
  if (req === undefined) return exception(3);
  switch (req.fc) {
    case 'unsupported':
      return exception(1);
    case 1:
    case 2: {
      const table = req.fc === 1 ? 'coil' : 'discrete';
      if (req.count < 1 || req.count > MAX_BITS_PER_READ) return exception(3);
      if (!dev.bank.covers(table, req.address, req.count)) return exception(2);
      return reply(bitsResponsePdu(req.fc, dev.bank.readBits(table, req.address, req.count)));
    }
    case 3:
    case 4: {
      const table = req.fc === 3 ? 'holding' : 'input';
      if (req.count < 1 || req.count > MAX_REGISTERS_PER_READ) return exception(3);
      if (!dev.bank.covers(table, req.address, req.count)) return exception(2);
      return reply(registersResponsePdu(req.fc, dev.bank.readWords(table, req.address, req.count)));
    }
    case 5:
      if (!dev.bank.covers('coil', req.address, 1)) return exception(2);
      dev.bank.coil[req.address] = req.value ? 1 : 0;
      dev.afterWrite('coil', req.address, 1);
      return reply(writeEchoPdu(5, req.address, req.value ? 0xff00 : 0));
    case 6:
      if (!dev.bank.covers('holding', req.address, 1)) return exception(2);
      dev.bank.holding[req.address] = req.value;
      dev.afterWrite('holding', req.address, 1);
      return reply(writeEchoPdu(6, req.address, req.value));
    case 15:
      if (req.values.length < 1 || req.values.length > 1968) return exception(3);
      if (!dev.bank.covers('coil', req.address, req.values.length)) return exception(2);
      req.values.forEach((v, i) => {
        dev.bank.coil[req.address + i] = v ? 1 : 0;
      });
      dev.afterWrite('coil', req.address, req.values.length);
      return reply(writeEchoPdu(15, req.address, req.values.length));
    case 16:
      if (req.values.length < 1 || req.values.length > 123) return exception(3);
      if (!dev.bank.covers('holding', req.address, req.values.length)) return exception(2);
      dev.bank.holding.set(req.values, req.address);
      dev.afterWrite('holding', req.address, req.values.length);
      return reply(writeEchoPdu(16, req.address, req.values.length));
  }
}
