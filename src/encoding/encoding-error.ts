/**
 * Every error this module throws on purpose. A stable `code` lets transports translate it (a malformed
 * X-SMS-UDH becomes a SIP 400, a bad deliver_sm a generic_nack) without matching message text.
 */
export type EncodingErrorCode =
  | 'GSM7_UNSUPPORTED_CHARACTER'
  | 'GSM7_INVALID_SEPTET'
  | 'GSM7_INVALID_FILL_BITS'
  | 'GSM7_SHORT_INPUT'
  | 'UCS2_ODD_LENGTH'
  | 'UDH_EMPTY'
  | 'UDH_BAD_HEX'
  | 'UDH_ODD_HEX'
  | 'UDH_LENGTH_MISMATCH'
  | 'UDH_IE_OVERRUN'
  | 'UDH_IE_BAD_LENGTH'
  | 'UDH_TOO_LONG'
  | 'UDH_BAD_VALUE'
  | 'REASSEMBLY_BAD_PART';

export class EncodingError extends Error {
  override readonly name: string = 'EncodingError';
  readonly code: EncodingErrorCode;

  constructor(code: EncodingErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** A malformed or unbuildable User Data Header. Same shape as EncodingError, separate class for `instanceof`. */
export class UdhError extends EncodingError {
  override readonly name: string = 'UdhError';
  /** For a malformed information element: the octet where it starts, counting the UDHL octet as 0. */
  readonly offset: number | undefined;

  constructor(code: EncodingErrorCode, message: string, offset?: number) {
    super(code, message);
    this.offset = offset;
  }
}
