/** Stable failure codes of the DL/T 645 source (ReadFailure.code); each makes only its own points bad. */
export const DLT645_FAILURE_CODES = {
  /** the meter did not answer within `timeout` */
  timeout: 'DLT645_TIMEOUT',
  /** an answer arrived whose checksum is wrong (line noise, a bad termination, two talkers) */
  checksum: 'DLT645_CHECKSUM',
  /** the meter answered with an abnormal reply (0xD1/0xC1) and its error word: no such data, password … */
  errorReply: 'DLT645_ERROR_REPLY',
  /** an answer that makes no sense for the request (another data identifier, another function) */
  badReply: 'DLT645_BAD_REPLY',
  /** the answer's data is not what the format says (not BCD, another length) */
  badData: 'DLT645_BAD_DATA',
  /** not asked: the meter already failed to answer in this reading, so its other points are not waited for */
  notAsked: 'DLT645_NOT_ASKED',
  notConnected: 'DLT645_NOT_CONNECTED',
  aborted: 'DLT645_ABORTED',
} as const;
