/**
 * The S7 source's failure codes and how a nodes7 error becomes one. Link faults (no answer, connection lost) count
 * toward a reconnect; a refusal from the PLC (PUT/GET off, missing DB, optimised block) does not: it is a config
 * problem the message explains.
 */
import { PlantpulseError } from '../../../protocols/errors.js';
import { requestRefusal } from '../../../protocols/s7/return-codes.js';

export class S7LinkError extends PlantpulseError {
  readonly linkFault: boolean;
  readonly noAnswer: boolean;
  constructor(
    code: string,
    message: string,
    opts: { linkFault: boolean; noAnswer?: boolean; cause?: unknown },
  ) {
    super(code, message, {
      retryable: opts.linkFault,
      ...(opts.cause === undefined ? {} : { cause: opts.cause }),
    });
    this.linkFault = opts.linkFault;
    this.noAnswer = opts.noAnswer ?? false;
  }
}

const NETWORK_CODES = [
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
];

const RACK_SLOT_HINT =
  'check rack/slot (S7-1200/1500: 0/1, S7-300: 0/2) or the TSAPs (LOGO!, S7-200 SMART: as set in the PLC)';

/** A nodes7 / socket error as our coded error. */
export function s7ErrorOf(err: unknown, at: { connecting: boolean; target: string }): S7LinkError {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const code = e?.code;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const where = at.target === '' ? '' : `${at.target}: `;
  if (typeof code === 'number') {
    const r = requestRefusal(code);
    return new S7LinkError(r.code, `${where}${r.message}`, { linkFault: false, cause: err });
  }
  if (code === 'ERR_TIMEOUT')
    return new S7LinkError('S7_TIMEOUT', `${where}no answer: ${message}`, {
      linkFault: true,
      noAnswer: true,
      cause: err,
    });
  if (typeof code === 'string' && NETWORK_CODES.includes(code)) {
    const hint = at.connecting && code === 'ECONNRESET' ? ` (${RACK_SLOT_HINT})` : '';
    return new S7LinkError(at.connecting ? 'S7_CONNECT' : 'S7_CONNECTION_LOST', `${where}${message}${hint}`, {
      linkFault: true,
      cause: err,
    });
  }
  if (/disconnect request/i.test(message))
    return new S7LinkError(
      'S7_CONNECTION_REFUSED',
      `${where}the PLC refused the connection: ${message}; ${RACK_SLOT_HINT}`,
      {
        linkFault: true,
        cause: err,
      },
    );
  if (code === 'ERR_NOT_CONNECTED' || code === 'ERR_INTERRUPTED')
    return new S7LinkError('S7_CONNECTION_LOST', `${where}${message}`, { linkFault: true, cause: err });
  return new S7LinkError(at.connecting ? 'S7_CONNECT' : 'S7_LINK', `${where}${message}`, {
    linkFault: true,
    cause: err,
  });
}
