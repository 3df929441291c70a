import { describe, expect, it } from 'vitest';
import vectors from '../encoding/fixtures/vectors.json' with { type: 'json' };
import { classifyCommandStatus, commandStatusName, isCredentialRejection } from './command-status.js';
import { SmppCommandError } from './errors.js';

describe('command_status table', () => {
  it('names every common status exactly as SMPP 3.4 / vectors.json do', () => {
    for (const [name, hex] of Object.entries(vectors.smpp_enums.command_status_common)) {
      if (!name.startsWith('ESME_')) continue;
      expect(commandStatusName(Number(hex))).toBe(name);
    }
  });

  it.each([
    [0x58, 'ESME_RTHROTTLED', true, 30001],
    [0x14, 'ESME_RMSGQFUL', true, 30001],
    [0x08, 'ESME_RSYSERR', true, 30008],
    [0x64, 'ESME_RX_T_APPN', true, 30008],
    [0x04, 'ESME_RINVBNDSTS', true, 30008],
    [0x0b, 'ESME_RINVDSTADR', false, 30005],
    [0x50, 'ESME_RINVDSTTON', false, 30005],
    [0x0a, 'ESME_RINVSRCADR', false, 21212],
    [0x66, 'ESME_RX_R_APPN', false, 30007],
    [0x45, 'ESME_RSUBMITFAIL', false, 30008],
    [0xff, 'ESME_RUNKNOWNERR', false, 30008],
  ])('0x%s is %s, retryable=%s, Twilio %s', (status, name, retryable, twilio) => {
    expect(classifyCommandStatus(status)).toEqual({ commandStatus: status, name, retryable, twilioErrorCode: twilio });
  });

  it('ESME_ROK carries no Twilio code', () => {
    expect(classifyCommandStatus(0)).toEqual({ commandStatus: 0, name: 'ESME_ROK', retryable: false, twilioErrorCode: null });
  });

  it('names an unknown vendor status and treats it as permanent', () => {
    expect(classifyCommandStatus(0x400)).toEqual({
      commandStatus: 0x400, name: 'ESME_UNKNOWN_0x00000400', retryable: false, twilioErrorCode: 30008,
    });
  });

  it('lets a deployment make an ambiguous status retryable', () => {
    expect(classifyCommandStatus(0x45, { retryableOverrides: { 0x45: true } }).retryable).toBe(true);
    expect(classifyCommandStatus(0x58, { retryableOverrides: { 0x58: false } }).retryable).toBe(false);
  });

  it('recognises credential rejections', () => {
    expect([0x0d, 0x0e, 0x0f, 0x53, 0x05, 0x08].map(isCredentialRejection)).toEqual([true, true, true, true, false, false]);
  });

  it('SmppCommandError carries the classification and a readable message', () => {
    const error = new SmppCommandError({ command: 'submit_sm', commandStatus: 0x58 });
    expect(error).toMatchObject({
      code: 'SMPP_COMMAND_STATUS', commandStatus: 0x58, name: 'ESME_RTHROTTLED', retryable: true, twilioErrorCode: 30001,
    });
    expect(error.message).toBe('submit_sm rejected with ESME_RTHROTTLED (0x58)');
  });
});
