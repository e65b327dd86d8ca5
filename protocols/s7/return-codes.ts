/**
 * What an S7 PLC answers when it will not read an item (the item return code) or a whole request (the header error
 * class and code), as our stable codes with what a user should check. Pure.
 */
export interface S7Refusal {
  code: string;
  /** what the PLC said, and what to check */
  message: string;
}

/** Item return codes (0xFF is success). */
const ITEM_CODES: Record<number, S7Refusal> = {
  [0x01]: { code: 'S7_HARDWARE_FAULT', message: 'hardware fault (0x01)' },
  [0x03]: {
    code: 'S7_ACCESS_DENIED',
    message:
      'access to the object not allowed (0x03): on an S7-1200/1500, untick "Optimized block access" in the DB\'s properties and download it',
  },
  [0x05]: {
    code: 'S7_ADDRESS_OUT_OF_RANGE',
    message:
      'address out of range (0x05): the area or DB is shorter than the address + type (on an S7-1200/1500 also a DB with "Optimized block access" ticked)',
  },
  [0x06]: { code: 'S7_TYPE_NOT_SUPPORTED', message: 'data type not supported (0x06)' },
  [0x07]: { code: 'S7_TYPE_INCONSISTENT', message: 'data type inconsistent (0x07)' },
  [0x0a]: {
    code: 'S7_NO_SUCH_OBJECT',
    message:
      'object does not exist (0x0A): the DB is not in the PLC (not downloaded, or a different number), or on an S7-1200/1500 it has "Optimized block access" ticked',
  },
};

export const S7_ITEM_OK = 0xff;

export function itemRefusal(returnCode: number): S7Refusal {
  return (
    ITEM_CODES[returnCode] ?? {
      code: 'S7_ITEM_ERROR',
      message: `the PLC refused the item with return code 0x${returnCode.toString(16).padStart(2, '0')}`,
    }
  );
}

/** Header error class/code of a whole request (class << 8 | code). */
const REQUEST_CODES: Record<number, S7Refusal> = {
  [0x8104]: {
    code: 'S7_PUT_GET_REFUSED',
    message:
      'the PLC refused the read service (0x8104): on an S7-1200/1500, tick "Permit access with PUT/GET communication from remote partner" (Protection & Security) and download the hardware config',
  },
  [0x8500]: { code: 'S7_PDU_TOO_SMALL', message: 'the request does not fit the PDU (0x8500)' },
  [0xd602]: { code: 'S7_PROTECTED', message: 'the PLC is password protected (0xD602)' },
};

export function requestRefusal(errorCode: number): S7Refusal {
  return (
    REQUEST_CODES[errorCode] ?? {
      code: 'S7_REQUEST_REFUSED',
      message: `the PLC refused the request with error 0x${errorCode.toString(16).padStart(4, '0')}`,
    }
  );
}
