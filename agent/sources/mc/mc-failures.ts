/** Stable failure codes of the MC source (ReadFailure.code). */
export const MC_FAILURE_CODES = {
  /** no answer within `timeout` (the connection is then closed: a 3E frame has no serial number) */
  timeout: 'MC_TIMEOUT',
  /** the PLC answered with an end code other than 0: the detail is the code, the message says what it means */
  endCode: 'MC_END_CODE',
  /** an answer that is not a 3E frame, or not as long as the request asks */
  badResponse: 'MC_BAD_RESPONSE',
  /** a value that cannot be stored (a NaN float) */
  notFinite: 'MC_NOT_FINITE',
  notConnected: 'MC_NOT_CONNECTED',
  /** the connection failed or was reset while a request was out */
  io: 'MC_IO',
  aborted: 'MC_ABORTED',
} as const;

/** A failure of one request, as the link or the source sees it (ReadFailure without the metrics). */
export interface McLinkFailure {
  code: string;
  message: string;
  detail?: number | string;
  linkFault: boolean;
}
