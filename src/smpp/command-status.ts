// SMPP 3.4 command_status (§5.1.3 Table 5-2): name, whether a submit rejected with it is worth retrying, and the
// Twilio error code recorded on a message that fails because of it.
//
// Classification (spec smpp-and-gsm.md §3.6):
// - retryable: THROTTLED 0x58 and MSGQFUL 0x14 (SMSC back-pressure), X_T_APPN 0x64 (temporary by definition),
//   SYSERR 0x08 (SMSC-internal fault, usually transient), INVBNDSTS 0x04 (our bind state is wrong; a rebind
//   fixes it). Everything else is permanent.
// - ambiguous SUBMITFAIL 0x45 and UNKNOWNERR 0xFF default to permanent; callers may override per SMSC.
//
// Twilio codes (twilio-messages-api.md §4.2/§4.3), used when the message is finally failed:
// - destination address/TON/NPI 0x0B/0x50/0x51 -> 30005 "Unknown destination handset";
// - source address/TON/NPI 0x0A/0x48/0x49 -> 21212 "Invalid From Number" (the SMSC refuses our sender id);
// - X_R_APPN 0x66 (the receiving application rejected it) and PROHIBITED 0x101 -> 30007 "Message filtered";
// - THROTTLED/MSGQFUL once retries are exhausted -> 30001 "Queue overflow";
// - every other failure -> 30008 "Unknown error".

export const ESME_ROK = 0x00;
export const ESME_RSYSERR = 0x08;
export const ESME_RMSGQFUL = 0x14;
export const ESME_RTHROTTLED = 0x58;
export const ESME_RX_T_APPN = 0x64;
export const ESME_RX_P_APPN = 0x65;
export const ESME_RINVCMDID = 0x03;
export const ESME_RBINDFAIL = 0x0d;
export const ESME_RINVPASWD = 0x0e;
export const ESME_RINVSYSID = 0x0f;

const NAMES: Readonly<Record<number, string>> = {
  0x00: 'ESME_ROK', 0x01: 'ESME_RINVMSGLEN', 0x02: 'ESME_RINVCMDLEN', 0x03: 'ESME_RINVCMDID',
  0x04: 'ESME_RINVBNDSTS', 0x05: 'ESME_RALYBND', 0x06: 'ESME_RINVPRTFLG', 0x07: 'ESME_RINVREGDLVFLG',
  0x08: 'ESME_RSYSERR', 0x0a: 'ESME_RINVSRCADR', 0x0b: 'ESME_RINVDSTADR', 0x0c: 'ESME_RINVMSGID',
  0x0d: 'ESME_RBINDFAIL', 0x0e: 'ESME_RINVPASWD', 0x0f: 'ESME_RINVSYSID', 0x11: 'ESME_RCANCELFAIL',
  0x13: 'ESME_RREPLACEFAIL', 0x14: 'ESME_RMSGQFUL', 0x15: 'ESME_RINVSERTYP', 0x33: 'ESME_RINVNUMDESTS',
  0x34: 'ESME_RINVDLNAME', 0x40: 'ESME_RINVDESTFLAG', 0x42: 'ESME_RINVSUBREP', 0x43: 'ESME_RINVESMCLASS',
  0x44: 'ESME_RCNTSUBDL', 0x45: 'ESME_RSUBMITFAIL', 0x48: 'ESME_RINVSRCTON', 0x49: 'ESME_RINVSRCNPI',
  0x50: 'ESME_RINVDSTTON', 0x51: 'ESME_RINVDSTNPI', 0x53: 'ESME_RINVSYSTYP', 0x54: 'ESME_RINVREPFLAG',
  0x55: 'ESME_RINVNUMMSGS', 0x58: 'ESME_RTHROTTLED', 0x61: 'ESME_RINVSCHED', 0x62: 'ESME_RINVEXPIRY',
  0x63: 'ESME_RINVDFTMSGID', 0x64: 'ESME_RX_T_APPN', 0x65: 'ESME_RX_P_APPN', 0x66: 'ESME_RX_R_APPN',
  0x67: 'ESME_RQUERYFAIL', 0xc0: 'ESME_RINVOPTPARSTREAM', 0xc1: 'ESME_ROPTPARNOTALLWD',
  0xc2: 'ESME_RINVPARLEN', 0xc3: 'ESME_RMISSINGOPTPARAM', 0xc4: 'ESME_RINVOPTPARAMVAL',
  0xfe: 'ESME_RDELIVERYFAILURE', 0xff: 'ESME_RUNKNOWNERR', 0x101: 'ESME_RPROHIBITED', 0x104: 'ESME_RINVDCS',
};

const RETRYABLE: ReadonlySet<number> = new Set([0x04, 0x08, 0x14, 0x58, 0x64]);

const TWILIO_CODES: Readonly<Record<number, number>> = {
  0x0b: 30005, 0x50: 30005, 0x51: 30005,
  0x0a: 21212, 0x48: 21212, 0x49: 21212,
  0x66: 30007, 0x101: 30007,
  0x14: 30001, 0x58: 30001,
};

export interface CommandStatusInfo {
  commandStatus: number;
  /** e.g. `ESME_RTHROTTLED`; unknown values read `ESME_UNKNOWN_0x00000123`. */
  name: string;
  retryable: boolean;
  /** Twilio error code to record if the message fails with this status; null for ESME_ROK. */
  twilioErrorCode: number | null;
}

export interface ClassifyOptions {
  /** Per-SMSC overrides for ambiguous codes, e.g. `{ 0x45: true }` to retry SUBMITFAIL. */
  retryableOverrides?: Readonly<Record<number, boolean>>;
}

export function commandStatusName(commandStatus: number): string {
  return NAMES[commandStatus] ?? `ESME_UNKNOWN_0x${commandStatus.toString(16).padStart(8, '0')}`;
}

export function classifyCommandStatus(commandStatus: number, options: ClassifyOptions = {}): CommandStatusInfo {
  const name = commandStatusName(commandStatus);
  if (commandStatus === ESME_ROK) return { commandStatus, name, retryable: false, twilioErrorCode: null };
  const override = options.retryableOverrides?.[commandStatus];
  const retryable = override ?? RETRYABLE.has(commandStatus);
  return { commandStatus, name, retryable, twilioErrorCode: TWILIO_CODES[commandStatus] ?? 30008 };
}

/** Bind answers that mean "your credentials are wrong": retrying the same bind cannot succeed. */
export function isCredentialRejection(commandStatus: number): boolean {
  return [ESME_RBINDFAIL, ESME_RINVPASWD, ESME_RINVSYSID, 0x53].includes(commandStatus);
}
