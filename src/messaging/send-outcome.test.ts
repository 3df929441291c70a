import { describe, expect, it } from 'vitest';
import { sipResponseOutcome } from './send-outcome.js';

const remote = (status: number, reason: string) => ({ status, reason, local: false });

describe('sipResponseOutcome', () => {
  it('accepts any 2xx, without an SMSC id', () => {
    expect(sipResponseOutcome(remote(200, 'OK'))).toEqual({
      kind: 'accepted',
      smscMessageIds: [],
      detail: { sipStatus: 200, sipReason: 'OK', local: false },
    });
    expect(sipResponseOutcome(remote(202, 'Accepted')).kind).toBe('accepted');
  });

  it.each([
    [500, 'Server Internal Error', 30008],
    [501, 'Not Implemented', 30008],
    [513, 'Message Too Large', 30008],
    [600, 'Busy Everywhere', 30003],
    [603, 'Decline', 30007],
    [604, 'Does Not Exist Anywhere', 30005],
    [606, 'Not Acceptable', 30008],
  ])('fails %i permanently with %i', (status, reason, code) => {
    const outcome = sipResponseOutcome(remote(status, reason));
    expect(outcome).toMatchObject({ kind: 'permanent-failure', errorCode: code, detail: { sipStatus: status, sipReason: reason } });
  });

  it('names the SIP answer in the error message', () => {
    expect(sipResponseOutcome(remote(500, 'Server Internal Error'))).toMatchObject({
      errorMessage: 'Unknown error (SMSC answered SIP 500 Server Internal Error)',
    });
  });

  it.each([
    [302, 'Moved Temporarily'],
    [403, 'Forbidden'],
    [404, 'Not Found'],
    [408, 'Request Timeout'],
    [486, 'Busy Here'],
    [503, 'Service Unavailable'],
    [504, 'Server Time-out'],
  ])('retries %i like the SMSC does', (status, reason) => {
    expect(sipResponseOutcome(remote(status, reason))).toEqual({
      kind: 'temporary-failure',
      reason: `SIP ${status} ${reason}`,
      detail: { sipStatus: status, sipReason: reason, local: false },
    });
  });

  it('retries a local timeout and says no response came', () => {
    expect(sipResponseOutcome({ status: 408, reason: 'Request Timeout', local: true })).toMatchObject({
      kind: 'temporary-failure',
      reason: 'no response (408 Request Timeout)',
      detail: { local: true },
    });
  });
});
