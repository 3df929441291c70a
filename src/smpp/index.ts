// Public surface of the SMPP adapters for code outside this folder (messaging-service.ts wires smpp-service.ts).
export { classifyCommandStatus, commandStatusName, type ClassifyOptions, type CommandStatusInfo } from './command-status.js';
export { buildMoDelivers, buildReceiptDeliver, type DeliverSmParams, type MoInput, type ReceiptInput } from './deliver-builder.js';
export {
  parseDeliverSm, type ConcatenationInfo, type DeliverParseOptions, type DeliverSm, type MoDeliver, type ReceiptDeliver,
} from './deliver-parser.js';
export {
  SmppClientStoppedError, SmppCommandError, SmppConnectionError, SmppError, SmppQueueTimeoutError, SmppTimeoutError,
} from './errors.js';
export { createEsmeClient, type DeliverHandler, type EsmeClient, type EsmeClientOptions } from './esme-session.js';
export type { EsmeTlsOptions } from './esme-connection.js';
export type { SmppLogger } from './logger.js';
export { messageIdCandidates } from './message-id.js';
export { formatSmppAbsoluteTime, parseSmppTime, type SmppTime } from './smpp-time.js';
export { createSmscServer, type SmscAccount, type SmscServer, type SmscServerOptions, type SmscSession, type SmscSubmit } from './smsc-server.js';
export {
  buildSubmitSms, SubmitBuildError, toSmppAddress, type BodyEncoding, type SmppAddress, type SmsAlphabet, type SubmitInput, type SubmitSmParams,
} from './submit-builder.js';
