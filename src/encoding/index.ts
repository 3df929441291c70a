/** The encoding core: pure functions and one pure state machine, no I/O. Import from here. */
export { EncodingError, UdhError, type EncodingErrorCode } from './encoding-error.js';
export {
  isGsm7,
  nonGsm7Characters,
  gsm7Length,
  encodeGsm7,
  decodeGsm7,
  packSeptets,
  unpackSeptets,
} from './gsm7.js';
export { encodeUcs2, decodeUcs2, ucs2Length } from './ucs2.js';
export { smartEncode } from './smart-encoding.js';
export { SMART_ENCODING_MAP } from './smart-encoding-map.js';
export {
  analyzeText,
  splitText,
  countBinarySegments,
  capacityOf,
  USER_DATA_OCTETS,
  CONCAT_UDH_OCTETS,
  type TextAnalysis,
  type TextEncoding,
} from './segments.js';
export {
  parseUdh,
  splitUserData,
  buildUdh,
  udhToHex,
  concatenationIe,
  portsIe,
  concatenationOf,
  portsOf,
  IEI_CONCAT_8,
  IEI_CONCAT_16,
  IEI_PORTS_8,
  IEI_PORTS_16,
  type Udh,
  type UdhIe,
  type Concatenation,
  type Ports,
} from './udh.js';
export {
  Reassembler,
  assembleParts,
  type ReassemblyPart,
  type ReassemblyKey,
  type AddResult,
  type ExpiredMessage,
  type AssembledParts,
} from './reassembly.js';
export {
  parseDeliveryReceipt,
  buildDeliveryReceipt,
  isDeliveryReceipt,
  parseReceiptDate,
  formatReceiptDate,
  receiptTextExcerpt,
  receiptIdsMatch,
  RECEIPT_STATS,
  type DeliveryReceipt,
} from './delivery-receipt.js';
export {
  mapReceiptStatus,
  twilioDeliveryErrorMessage,
  SMSC_ERROR_TO_TWILIO,
  type MappedReceipt,
  type ReceiptStatus,
} from './receipt-status.js';
export { parseSmscDate, type SmscDate } from './smsc-date.js';
