/** The SMSC simulator (SIP + SMPP) and the demo echo receiver. Import from here. */
export { createSmscSimulator, type SmscSimulator } from './smsc-simulator.js';
export type {
  SmscSimulatorOptions,
  ReceiptSettings,
  ReceiptOutcomeSetting,
  SmppSettings,
  SmppAccountSetting,
  ReceivedMessage,
  ReceivedOutcome,
  SimulatorStats,
  MoLoadOptions,
  MoLoadStats,
} from './simulator-types.js';
export { checkPolicy, parsePolicyAnswer, PolicyError, type SimulatorPolicy, type PolicyAnswer } from './policy.js';
export { MoRequestError, type MoRequest } from './mo-message.js';
export type { SmppMoOptions } from './smpp-side.js';
export { formatSmscDate } from './smsc-date-format.js';
